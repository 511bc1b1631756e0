"""One question before the Pay control is shown: may this amount be bought now, and on what terms?

`PurchaseSafety.precheck` combines the PIN lock and the daily cap into a `PurchaseCheck` the
Product screen shows before the buyer presses Pay ("HK$162.00 left today", "Purchases locked
for 4 min", "PIN needed"). The enforcing calls stay in the purchase flow: `SpendingCap.reserve`
and `PinGuard.verify`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

from tvclient.device.safety.cap import SpendingCap
from tvclient.device.safety.errors import SafetySettingsError
from tvclient.device.safety.pin import PinGuard
from tvclient.money import Money

__all__ = ["PurchaseCheck", "PurchaseSafety", "Refusal"]

_log = logging.getLogger(__name__)


class Refusal(StrEnum):
    """Why a purchase cannot go ahead right now."""

    LOCKED = "locked"
    CAP = "cap"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class PurchaseCheck:
    """What the Product screen needs to know before Pay.

    Attributes:
        allowed: Pay may be offered.
        refusal: Why not, when not allowed.
        cap: Today's cap in the amount's currency, None without a cap.
        remaining: What the cap leaves today (before this purchase), None without a cap.
        pin_required: The purchase will ask for the PIN after Pay.
        locked_until: When the PIN lock ends, if purchases are locked.
    """

    allowed: bool
    refusal: Refusal | None
    cap: Money | None
    remaining: Money | None
    pin_required: bool
    locked_until: dt.datetime | None


class PurchaseSafety:
    """The PIN lock and the daily cap, asked together."""

    def __init__(self, pins: PinGuard, cap: SpendingCap) -> None:
        self._pins = pins
        self._cap = cap

    @property
    def pins(self) -> PinGuard:
        """The purchase PIN guard."""
        return self._pins

    @property
    def cap(self) -> SpendingCap:
        """The daily spending cap."""
        return self._cap

    def precheck(self, amount: Money) -> PurchaseCheck:
        """Whether `amount` may be bought now; never raises for stored-state problems."""
        pin_required = self._pins.has_pin()
        locked_until = self._pins.locked_until() if pin_required else None
        try:
            cap = self._cap.limit(amount.currency)
            remaining = self._cap.remaining(amount.currency)
        except SafetySettingsError as exc:
            _log.warning("spending cap unreadable, refusing purchases until it is set: %s", exc)
            return PurchaseCheck(False, Refusal.UNREADABLE, None, None, pin_required, locked_until)
        refusal: Refusal | None = None
        if locked_until is not None:
            refusal = Refusal.LOCKED
        elif remaining is not None and amount.minor > remaining.minor:
            refusal = Refusal.CAP
        return PurchaseCheck(
            allowed=refusal is None,
            refusal=refusal,
            cap=cap,
            remaining=remaining,
            pin_required=pin_required,
            locked_until=locked_until,
        )
