"""The pre-Pay check: remaining cap, PIN needed, purchases locked."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from tests.helpers.clock import FakeClock
from tvclient.device.safety.cap import CAP_KEY, SpendingCap
from tvclient.device.safety.check import PurchaseSafety, Refusal
from tvclient.device.safety.errors import PurchasesLockedError, WrongPinError
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore
from tvclient.money import Money


@pytest.fixture
def parts():
    """The safety facade over a fresh store, with its store and clock."""
    clock = FakeClock()
    store = MemoryStateStore()
    pins = PinGuard(store, clock, SafetySettings(), scrypt_n=2**4)
    cap = SpendingCap(store, clock, ZoneInfo("Asia/Hong_Kong"))
    return PurchaseSafety(pins, cap), store, clock


def test_nothing_configured_allows_everything(parts):
    """No PIN and no cap: allowed, nothing to show."""
    safety, _, _ = parts
    check = safety.precheck(Money(3800, "HKD"))
    assert check.allowed
    assert check.refusal is None
    assert check.remaining is None
    assert not check.pin_required


def test_remaining_cap_is_shown_and_enforced(parts):
    """The check shows what is left and refuses an amount above it."""
    safety, _, _ = parts
    safety.cap.set_limit("HKD", Money(5000, "HKD"))
    safety.cap.reserve("p1", Money(3800, "HKD"))
    fits = safety.precheck(Money(1200, "HKD"))
    assert fits.allowed
    assert fits.remaining == Money(1200, "HKD")
    assert fits.cap == Money(5000, "HKD")
    over = safety.precheck(Money(3800, "HKD"))
    assert not over.allowed
    assert over.refusal is Refusal.CAP


def test_pin_required_and_lock_reported(parts):
    """A set PIN is announced; a lock refuses with its end time."""
    safety, _, _ = parts
    safety.pins.set_pin("2580")
    assert safety.precheck(Money(100, "HKD")).pin_required
    for _ in range(5):
        with pytest.raises((WrongPinError, PurchasesLockedError)):
            safety.pins.verify("0000")
    locked = safety.precheck(Money(100, "HKD"))
    assert not locked.allowed
    assert locked.refusal is Refusal.LOCKED
    assert locked.locked_until is not None


def test_unreadable_cap_refuses_without_raising(parts, expect_log, caplog):
    """A corrupt cap record refuses purchases with a reason instead of crashing the screen."""
    safety, store, _ = parts
    store.save(CAP_KEY, ["nonsense"])
    check = safety.precheck(Money(100, "HKD"))
    assert not check.allowed
    assert check.refusal is Refusal.UNREADABLE
    assert "unreadable" in caplog.text
