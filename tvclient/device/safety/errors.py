"""The purchase-safety exception tree.

::

    SafetyError (Exception)
     +-- SafetySettingsError         a safety setting or stored record is malformed
     +-- PinFormatError              a PIN that is not 4-8 digits
     +-- NoPinSetError               verifying or clearing a PIN when none is set
     +-- WrongPinError               the PIN did not match (carries attempts left)
     +-- PurchasesLockedError        too many wrong PINs: purchases locked until a moment
     +-- SpendingCapExceededError    the amount is above what the daily cap leaves today
"""

from __future__ import annotations

import datetime as dt

from tvclient.money import Money

__all__ = [
    "NoPinSetError",
    "PinFormatError",
    "PurchasesLockedError",
    "SafetyError",
    "SafetySettingsError",
    "SpendingCapExceededError",
    "WrongPinError",
]


class SafetyError(Exception):
    """Base of every purchase-safety error; messages are readable by an operator."""


class SafetySettingsError(SafetyError):
    """A safety setting or a stored safety record is malformed."""


class PinFormatError(SafetyError):
    """A PIN must be 4 to 8 decimal digits."""


class NoPinSetError(SafetyError):
    """The operation needs a purchase PIN and none is set."""


class WrongPinError(SafetyError):
    """The PIN did not match."""

    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"wrong PIN ({attempts_left} tries left before purchases lock)")
        self.attempts_left = attempts_left


class PurchasesLockedError(SafetyError):
    """Purchases are locked after too many wrong PINs."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"purchases are locked until {until.isoformat(timespec='seconds')}")
        self.until = until


class SpendingCapExceededError(SafetyError):
    """The purchase would take today's spending above the daily cap."""

    def __init__(self, amount: Money, remaining: Money) -> None:
        super().__init__(f"{amount} is more than the {remaining} left under today's spending cap")
        self.amount = amount
        self.remaining = remaining
