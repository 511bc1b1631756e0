"""The daily spending cap: per device, per currency, per local day, reservations included."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.helpers.clock import FakeClock
from tvclient.device.safety.cap import CAP_KEY, SPENDING_KEY, SpendingCap
from tvclient.device.safety.errors import SafetySettingsError, SpendingCapExceededError
from tvclient.device.safety.store import MemoryStateStore
from tvclient.money import Money

HK = ZoneInfo("Asia/Hong_Kong")


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at noon in Hong Kong."""
    return FakeClock()


@pytest.fixture
def store() -> MemoryStateStore:
    """An empty state store."""
    return MemoryStateStore()


@pytest.fixture
def cap(store: MemoryStateStore, clock: FakeClock) -> SpendingCap:
    """A HK$100.00 daily cap."""
    cap = SpendingCap(store, clock, HK)
    cap.set_limit("HKD", Money(10_000, "HKD"))  # HK$100.00 a day
    return cap


def test_no_cap_means_no_limit(store, clock):
    """A currency without a cap has no remaining amount and never refuses."""
    cap = SpendingCap(store, clock, HK)
    assert cap.remaining("HKD") is None
    cap.reserve("a", Money(5_000_000, "HKD"))
    cap.check(Money(5_000_000, "HKD"))


def test_remaining_counts_spent_and_in_flight(cap):
    """Shown before Pay: the cap minus settled purchases and purchases still in flight."""
    cap.reserve("p1", Money(3800, "HKD"))
    assert cap.remaining("HKD") == Money(6200, "HKD")
    cap.settle("p1")
    cap.reserve("p2", Money(2000, "HKD"))
    assert cap.remaining("HKD") == Money(4200, "HKD")
    cap.release("p2")
    assert cap.remaining("HKD") == Money(6200, "HKD")


def test_cap_reached_refuses_and_reserves_nothing(cap, store):
    """A purchase above what is left is refused; the record is unchanged."""
    cap.reserve("p1", Money(9000, "HKD"))
    cap.settle("p1")
    before = store.load(SPENDING_KEY)
    with pytest.raises(SpendingCapExceededError) as refused:
        cap.reserve("p2", Money(1001, "HKD"))
    assert refused.value.remaining == Money(1000, "HKD")
    assert store.load(SPENDING_KEY) == before
    cap.reserve("p3", Money(1000, "HKD"))  # exactly what is left fits
    assert cap.remaining("HKD") == Money(0, "HKD")


def test_two_quick_purchases_cannot_both_squeeze_under(cap):
    """The first purchase's reservation counts while it is still processing."""
    cap.reserve("p1", Money(6000, "HKD"))
    with pytest.raises(SpendingCapExceededError):
        cap.reserve("p2", Money(6000, "HKD"))


def test_reserve_is_idempotent_per_intent(cap):
    """Retrying the same purchase intent does not count it twice; another amount is refused."""
    cap.reserve("p1", Money(3000, "HKD"))
    cap.reserve("p1", Money(3000, "HKD"))
    assert cap.remaining("HKD") == Money(7000, "HKD")
    with pytest.raises(SafetySettingsError):
        cap.reserve("p1", Money(3100, "HKD"))


def test_cap_resets_at_local_midnight(cap, clock):
    """A new day in the device's time zone starts from zero."""
    cap.reserve("p1", Money(10_000, "HKD"))
    cap.settle("p1")
    assert cap.remaining("HKD") == Money(0, "HKD")
    midnight_hk = dt.datetime(2026, 3, 3, 0, 0, tzinfo=HK)
    clock.set(midnight_hk - dt.timedelta(seconds=1))
    assert cap.remaining("HKD") == Money(0, "HKD")
    clock.advance(1)
    assert cap.remaining("HKD") == Money(10_000, "HKD")


def test_caps_are_per_currency(cap, store, clock):
    """An HKD cap does not limit IDR, and each currency has its own cap."""
    cap.set_limit("IDR", Money(5_000_000, "IDR"))
    cap.reserve("h", Money(10_000, "HKD"))
    cap.reserve("i", Money(3_000_000, "IDR"))
    assert cap.remaining("IDR") == Money(2_000_000, "IDR")
    assert cap.remaining("HKD") == Money(0, "HKD")
    cap.set_limit("HKD", None)
    assert cap.remaining("HKD") is None
    assert SpendingCap(store, clock, HK).limits() == {"IDR": Money(5_000_000, "IDR")}


def test_reservations_survive_a_restart(cap, store, clock):
    """An in-flight purchase still counts after the app restarts."""
    cap.reserve("p1", Money(8000, "HKD"))
    restarted = SpendingCap(store, clock, HK)
    assert restarted.remaining("HKD") == Money(2000, "HKD")
    restarted.settle("p1")
    assert SpendingCap(store, clock, HK).remaining("HKD") == Money(2000, "HKD")


def test_unreadable_caps_are_reported_and_repaired_by_setting_them(store, clock):
    """A corrupt cap record raises a readable error; setting a cap again repairs it."""
    store.save(CAP_KEY, {"HKD": "lots"})
    cap = SpendingCap(store, clock, HK)
    with pytest.raises(SafetySettingsError):
        cap.remaining("HKD")
    cap.set_limit("HKD", Money(500, "HKD"))
    assert cap.remaining("HKD") == Money(500, "HKD")


def test_unreadable_spending_record_is_an_error_not_zero(cap, store):
    """A corrupt spending record never reads as "nothing spent"."""
    store.save(SPENDING_KEY, [{"key": "x", "currency": "HKD", "minor": "9", "day": "2026-03-02"}])
    with pytest.raises(SafetySettingsError):
        cap.remaining("HKD")


def test_a_cap_in_another_currency_is_refused(cap):
    """Setting the HKD cap to an IDR amount is refused."""
    with pytest.raises(SafetySettingsError):
        cap.set_limit("HKD", Money(100, "IDR"))
