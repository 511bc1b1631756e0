"""The staff PIN: from the operator's file, hashed, with a growing lockout that survives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.clock import FakeClock
from tvclient.booth.errors import BoothConfigError
from tvclient.booth.staff import read_pin_file, staff_guard
from tvclient.device.safety.errors import PurchasesLockedError, WrongPinError
from tvclient.device.safety.pin import PIN_KEY
from tvclient.device.safety.store import MemoryStateStore


def _pin(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "staff-pin"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_the_pin_is_kept_only_as_a_hash(tmp_path: Path) -> None:
    """The stored record is a scrypt hash; the file's PIN verifies, others do not."""
    store, clock = MemoryStateStore(), FakeClock()
    guard = staff_guard(store, clock, _pin(tmp_path, " 2468\n"), scrypt_n=16)
    record = store.load(PIN_KEY)
    assert isinstance(record, dict)
    assert record["scheme"] == "scrypt"
    assert "2468" not in str(record)
    guard.verify("2468")
    with pytest.raises(WrongPinError):
        guard.verify("1357")


def test_lockouts_grow_and_survive_a_restart(tmp_path: Path) -> None:
    """5 wrong → 30 s; 5 more → 60 s; the same PIN file at restart keeps the lock."""
    store, clock = MemoryStateStore(), FakeClock()
    pin = _pin(tmp_path, "2468")
    guard = staff_guard(store, clock, pin, scrypt_n=16)
    for _ in range(4):
        with pytest.raises(WrongPinError):
            guard.verify("0000")
    with pytest.raises(PurchasesLockedError) as first:
        guard.verify("0000")
    assert (first.value.until - clock.now()).total_seconds() == 30
    clock.advance(30)
    for _ in range(4):
        with pytest.raises(WrongPinError):
            guard.verify("0000")
    with pytest.raises(PurchasesLockedError) as second:
        guard.verify("0000")
    assert (second.value.until - clock.now()).total_seconds() == 60
    restarted = staff_guard(store, clock, pin, scrypt_n=16)
    with pytest.raises(PurchasesLockedError):
        restarted.verify("2468")


def test_a_new_pin_file_replaces_the_pin_and_lifts_the_lock(tmp_path: Path) -> None:
    """The operator's way to let staff in early: a new PIN."""
    store, clock = MemoryStateStore(), FakeClock()
    guard = staff_guard(store, clock, _pin(tmp_path, "2468"), scrypt_n=16)
    for _ in range(5):
        with pytest.raises((WrongPinError, PurchasesLockedError)):
            guard.verify("0000")
    guard = staff_guard(store, clock, _pin(tmp_path, "97531"), scrypt_n=16)
    guard.verify("97531")


def test_no_pin_anywhere_is_refused(tmp_path: Path) -> None:
    """Without a file and with nothing stored, the booth refuses (the pad would let anyone in)."""
    with pytest.raises(BoothConfigError, match="needs a staff PIN"):
        staff_guard(MemoryStateStore(), FakeClock(), None)
    store = MemoryStateStore()
    staff_guard(store, FakeClock(), _pin(tmp_path, "2468"), scrypt_n=16)
    staff_guard(store, FakeClock(), None)  # stored from an earlier start: fine


@pytest.mark.parametrize("text", ["12", "abcd", "123456789", ""])
def test_a_malformed_pin_file_is_refused(tmp_path: Path, text: str) -> None:
    """Not 4-8 digits: refused with the file named."""
    with pytest.raises(BoothConfigError, match="4 to 8 digits"):
        read_pin_file(_pin(tmp_path, text))


def test_a_missing_pin_file_is_refused(tmp_path: Path) -> None:
    """A path that does not exist is named in the message."""
    with pytest.raises(BoothConfigError, match="cannot read the staff PIN file"):
        read_pin_file(tmp_path / "nope")


def test_a_world_readable_pin_file_is_reported(
    tmp_path: Path, expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The booth starts, but says the file should not be readable by everyone."""
    assert read_pin_file(_pin(tmp_path, "2468", 0o644)) == "2468"
    assert "can be read by every user" in caplog.text
