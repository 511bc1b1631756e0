"""The daily spending cap per device, in the wallet's currency, enforced in the device core.

An operator sets a cap per currency (say HK$200.00 a day). Before Pay the Product screen shows
what is left today (`remaining`). The purchase flow reserves the amount before it creates the
purchase (`reserve` raises `SpendingCapExceededError` when it does not fit), turns the reservation
into spending when the purchase succeeds (`settle`) and gives it back when it fails or is
cancelled (`release`). Reservations count against the cap while a purchase is in flight, so two
quick purchases cannot both squeeze under it, and they survive an app restart because they are
kept in the state store under the purchase's idempotency key.

The day is the device's local calendar day (the time zone is injected).
"""

from __future__ import annotations

import datetime as dt
import logging

from tvclient.clock import Clock
from tvclient.device.safety.errors import SafetySettingsError, SpendingCapExceededError
from tvclient.device.safety.store import JsonValue, StateStore
from tvclient.money import Money, MoneyError

__all__ = ["CAP_KEY", "SPENDING_KEY", "SpendingCap"]

CAP_KEY = "purchase.cap"
SPENDING_KEY = "purchase.spending"

_log = logging.getLogger(__name__)
_RESERVED = "reserved"
_SPENT = "spent"


class _Entry:
    __slots__ = ("amount", "day", "key", "state")

    def __init__(self, key: str, amount: Money, day: dt.date, state: str) -> None:
        self.key = key
        self.amount = amount
        self.day = day
        self.state = state

    def to_json(self) -> JsonValue:
        return {
            "key": self.key,
            "currency": self.amount.currency,
            "minor": self.amount.minor,
            "day": self.day.isoformat(),
            "state": self.state,
        }


class SpendingCap:
    """Keeps today's spending per currency under the operator's daily cap."""

    def __init__(self, store: StateStore, clock: Clock, timezone: dt.tzinfo) -> None:
        self._store = store
        self._clock = clock
        self._tz = timezone

    # ------------------------------------------------------------------ the cap itself
    def limits(self) -> dict[str, Money]:
        """Every configured daily cap by currency.

        Raises:
            SafetySettingsError: the stored caps are unreadable (set them again).
        """
        value = self._store.load(CAP_KEY)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise SafetySettingsError("the stored spending caps are unreadable; set them again")
        caps: dict[str, Money] = {}
        for currency, minor in value.items():
            if not isinstance(minor, int) or isinstance(minor, bool):
                raise SafetySettingsError(f"the stored {currency} spending cap is not a number")
            try:
                caps[currency] = Money(minor, currency)
            except MoneyError as exc:
                raise SafetySettingsError(f"the stored spending cap is invalid: {exc}") from None
        return caps

    def limit(self, currency: str) -> Money | None:
        """Today's cap in `currency`, or None when that currency has no cap."""
        return self.limits().get(currency)

    def set_limit(self, currency: str, amount: Money | None) -> None:
        """Set (or with None remove) the daily cap for a currency."""
        if amount is not None and amount.currency != currency:
            raise SafetySettingsError(f"a {currency} cap cannot be {amount}")
        try:
            caps = {c: m.minor for c, m in self.limits().items()}
        except SafetySettingsError:
            caps = {}  # setting a cap is how an operator repairs unreadable caps
        if amount is None:
            caps.pop(currency, None)
        else:
            caps[currency] = amount.minor
        self._store.save(CAP_KEY, dict(caps) if caps else None)
        _log.info("daily spending cap for %s set to %s", currency, amount)

    # ------------------------------------------------------------------ today
    def today(self) -> dt.date:
        """The device-local calendar day the cap counts."""
        return self._clock.now().astimezone(self._tz).date()

    def spent_today(self, currency: str) -> Money:
        """Today's settled spending plus in-flight reservations in `currency`."""
        today = self.today()
        total = 0
        for entry in self._entries():
            if entry.day == today and entry.amount.currency == currency:
                total += entry.amount.minor
        return Money(total, currency)

    def remaining(self, currency: str) -> Money | None:
        """What can still be spent today in `currency`; None when there is no cap."""
        cap = self.limit(currency)
        if cap is None:
            return None
        spent = self.spent_today(currency)
        return Money(max(0, cap.minor - spent.minor), currency)

    def check(self, amount: Money) -> None:
        """Raise `SpendingCapExceededError` when `amount` does not fit under today's cap."""
        remaining = self.remaining(amount.currency)
        if remaining is not None and amount.minor > remaining.minor:
            raise SpendingCapExceededError(amount, remaining)

    # ------------------------------------------------------------------ purchase flow
    def reserve(self, intent_key: str, amount: Money) -> None:
        """Hold `amount` against today's cap for one purchase intent (idempotent per key).

        Raises:
            SpendingCapExceededError: it does not fit; nothing is reserved.
            SafetySettingsError: the key is already reserved for a different amount.
        """
        entries = self._entries()
        for entry in entries:
            if entry.key == intent_key:
                if entry.amount != amount:
                    raise SafetySettingsError(
                        f"purchase {intent_key} is already reserved for {entry.amount}"
                    )
                return
        self.check(amount)
        entries.append(_Entry(intent_key, amount, self.today(), _RESERVED))
        self._save(entries)

    def settle(self, intent_key: str) -> None:
        """The purchase succeeded: its reservation becomes today's spending."""
        entries = self._entries()
        for entry in entries:
            if entry.key == intent_key:
                entry.state = _SPENT
        self._save(entries)

    def release(self, intent_key: str) -> None:
        """The purchase failed or was cancelled: give its reservation back."""
        self._save([e for e in self._entries() if e.key != intent_key or e.state == _SPENT])

    # ------------------------------------------------------------------ storage
    def _entries(self) -> list[_Entry]:
        value = self._store.load(SPENDING_KEY)
        if value is None:
            return []
        if not isinstance(value, list):
            raise SafetySettingsError("today's spending record is unreadable")
        entries: list[_Entry] = []
        for item in value:
            try:
                entries.append(_parse_entry(item))
            except (TypeError, ValueError, MoneyError) as exc:
                raise SafetySettingsError(f"today's spending record is unreadable: {exc}") from None
        return entries

    def _save(self, entries: list[_Entry]) -> None:
        today = self.today()
        # Older days no longer count; dropping them keeps the record small.
        kept = [e.to_json() for e in entries if e.day >= today]
        self._store.save(SPENDING_KEY, kept if kept else None)


def _parse_entry(item: JsonValue) -> _Entry:
    if not isinstance(item, dict):
        raise TypeError("entry is not an object")
    key, currency, minor = item.get("key"), item.get("currency"), item.get("minor")
    day, state = item.get("day"), item.get("state")
    if not isinstance(key, str) or not isinstance(currency, str) or not isinstance(day, str):
        raise TypeError("entry fields have the wrong types")
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise TypeError("entry amount is not an integer")
    if not isinstance(state, str) or state not in (_RESERVED, _SPENT):
        raise ValueError(f"unknown entry state {state!r}")
    return _Entry(key, Money(minor, currency), dt.date.fromisoformat(day), state)
