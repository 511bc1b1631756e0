"""The purchase PIN: stored hashed, checked in constant time, locking purchases when guessed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.helpers.clock import FakeClock
from tvclient.device.safety.errors import (
    NoPinSetError,
    PinFormatError,
    PurchasesLockedError,
    SafetySettingsError,
    WrongPinError,
)
from tvclient.device.safety.pin import PIN_KEY, PIN_LOCK_KEY, PinGuard, PinHash
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore

FAST_N = 2**4  # scrypt's cost is not what these tests are about


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock."""
    return FakeClock()


@pytest.fixture
def store() -> MemoryStateStore:
    """An empty state store."""
    return MemoryStateStore()


def guard_for(store: MemoryStateStore, clock: FakeClock, **settings: Any) -> PinGuard:
    """A PIN guard with a cheap scrypt cost."""
    return PinGuard(store, clock, SafetySettings(**settings), scrypt_n=FAST_N)


def test_pin_is_stored_only_as_a_salted_hash(store, clock):
    """The stored record holds neither the PIN nor anything that equals it."""
    guard = guard_for(store, clock)
    guard.set_pin("4812")
    text = json.dumps(store.load(PIN_KEY))
    assert "4812" not in text
    record = store.load(PIN_KEY)
    assert isinstance(record, dict)
    assert record["scheme"] == "scrypt"
    other = MemoryStateStore()
    guard_for(other, clock).set_pin("4812")
    assert other.load(PIN_KEY) != record  # a fresh salt every time


def test_default_scrypt_cost_is_real():
    """Without a test override the hash uses scrypt's interactive cost (n = 2**14)."""
    assert PinHash.create("123456").n == 2**14
    assert PinHash.create("123456").matches("123456")


def test_right_pin_passes_wrong_pin_counts_down(store, clock):
    """A right PIN verifies; wrong ones report how many tries are left."""
    guard = guard_for(store, clock)
    guard.set_pin("2580")
    guard.verify("2580")
    with pytest.raises(WrongPinError) as wrong:
        guard.verify("0000")
    assert wrong.value.attempts_left == 4
    assert guard.attempts_left() == 4
    guard.verify("2580")
    assert guard.attempts_left() == 5


def test_five_wrong_pins_lock_purchases_for_growing_times(store, clock):
    """5 wrong tries lock; the lock refuses even the right PIN; each new lock doubles."""
    guard = guard_for(store, clock, lockout_seconds=60)
    guard.set_pin("2580")
    lengths = []
    for _ in range(3):
        for _ in range(4):
            with pytest.raises(WrongPinError):
                guard.verify("1111")
        with pytest.raises(PurchasesLockedError) as locked:
            guard.verify("1111")
        until = locked.value.until
        lengths.append((until - clock.now()).total_seconds())
        with pytest.raises(PurchasesLockedError):
            guard.verify("2580")  # not even looked at while locked
        assert guard.locked_until() == until
        clock.set(until)
        assert guard.locked_until() is None
    assert lengths == [60, 120, 240]
    guard.verify("2580")
    for _ in range(4):
        with pytest.raises(WrongPinError):
            guard.verify("1111")
    with pytest.raises(PurchasesLockedError) as again:
        guard.verify("1111")
    assert (again.value.until - clock.now()).total_seconds() == 60  # a right PIN resets growth


def test_lock_survives_a_restart(store, clock):
    """The lock lives in the store: a new guard (app restart) is still locked."""
    guard_for(store, clock).set_pin("2580")
    first = guard_for(store, clock)
    for _ in range(5):
        with pytest.raises((WrongPinError, PurchasesLockedError)):
            first.verify("9999")
    restarted = guard_for(store, clock)
    assert restarted.locked_until() is not None
    with pytest.raises(PurchasesLockedError):
        restarted.verify("2580")


def test_lock_is_capped_at_a_day(store, clock):
    """However many locks, and a wall clock set back, no lock lasts more than 24 hours."""
    guard = guard_for(store, clock, lockout_seconds=3600)
    guard.set_pin("2580")
    for _ in range(10):
        for _ in range(5):
            with pytest.raises((WrongPinError, PurchasesLockedError)):
                guard.verify("1111")
        until = guard.locked_until()
        assert until is not None
        assert until - clock.now() <= dt.timedelta(hours=24)
        clock.set(until)
    far = (clock.now() + dt.timedelta(days=400)).isoformat()
    store.save(PIN_LOCK_KEY, {"failures": 0, "lockouts": 3, "locked_until": far})
    until = guard.locked_until()
    assert until is not None
    assert until - clock.now() == dt.timedelta(hours=24)


def test_damaged_lock_record_locks_rather_than_unlocks(store, clock, expect_log, caplog):
    """A tampered or corrupt lock record does not lift the lock; it locks as a precaution."""
    guard = guard_for(store, clock)
    guard.set_pin("2580")
    store.save(PIN_LOCK_KEY, {"failures": "lots"})
    assert guard.locked_until() is not None
    assert "unreadable" in caplog.text


def test_changing_or_clearing_needs_the_current_pin(store, clock):
    """Set needs the current PIN once one exists; clear needs it too."""
    guard = guard_for(store, clock)
    guard.set_pin("2580")
    with pytest.raises(WrongPinError):
        guard.set_pin("1234")
    with pytest.raises(WrongPinError):
        guard.set_pin("1234", current="0000")
    guard.set_pin("1234", current="2580")
    guard.verify("1234")
    with pytest.raises(WrongPinError):
        guard.clear_pin("2580")
    guard.clear_pin("1234")
    assert not guard.has_pin()
    with pytest.raises(NoPinSetError):
        guard.verify("1234")


@pytest.mark.parametrize(
    "pin", ["", "123", "123456789", "12a4", "\uff11\uff12\uff13\uff14", " 1234", "1234\n"]
)
def test_malformed_pins_are_refused(store, clock, pin):
    """Only 4-8 ASCII digits are PINs; anything else never reaches the store."""
    with pytest.raises(PinFormatError):
        guard_for(store, clock).set_pin(pin)
    assert store.load(PIN_KEY) is None


def test_unreadable_stored_pin_refuses_rather_than_accepts(store, clock):
    """A corrupt PIN record means purchases stay guarded (verify raises), never open."""
    guard = guard_for(store, clock)
    store.save(PIN_KEY, {"scheme": "scrypt", "n": 3, "r": 8, "p": 1, "salt": "x", "hash": "y"})
    assert guard.has_pin()
    with pytest.raises(SafetySettingsError):
        guard.verify("2580")
    store.save(PIN_KEY, "2580")
    with pytest.raises(SafetySettingsError):
        guard.verify("2580")


def test_hash_round_trips_and_rejects_other_pins():
    """The stored form reads back to a hash that matches only its PIN."""
    hashed = PinHash.create("908172", n=FAST_N)
    again = PinHash.from_json(hashed.to_json())
    assert again.matches("908172")
    assert not again.matches("908173")
    assert not again.matches("90817")
