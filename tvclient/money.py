"""Money in minor units, Antom's currency table and the Scan to Bind wallet rules.

Every amount in tvclient is an integer count of minor units plus an ISO 4217 code, end to end.
Decimal strings exist only at the edges: parsing what a person or a file wrote, and formatting
for a person in their locale. Antom's own wire format (`{"currency": "HKD", "value": "3800"}`)
is minor units as a string, so the wire conversion is exact too.

Exception tree::

    MoneyError (ValueError)
     +-- UnknownCurrencyError      a code outside Antom's exponent table
     +-- InvalidAmountError        not a well-formed amount for its currency
     +-- CurrencyMismatchError     arithmetic across two currencies
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "CURRENCY_EXPONENTS",
    "WALLET_RULES",
    "CurrencyMismatchError",
    "InvalidAmountError",
    "Money",
    "MoneyError",
    "UnknownCurrencyError",
    "Wallet",
    "WalletRules",
    "format_money",
    "rules_for",
]


class MoneyError(ValueError):
    """Base of every money error; the message names the offending value."""


class UnknownCurrencyError(MoneyError):
    """The currency is not in Antom's table of exponents."""


class InvalidAmountError(MoneyError):
    """The amount is malformed, negative, too precise or breaks a currency rule."""


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were combined."""


# Antom's "Usage rules of the Amount object" table: decimals per ISO 4217 code.
CURRENCY_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        (
            "AUD", "BDT", "BRL", "CAD", "CNY", "EUR", "GBP", "HKD", "IDR", "MXN",
            "MYR", "NZD", "PEN", "PHP", "PKR", "PLN", "SGD", "THB", "TWD", "USD",
        ),
        2,
    ),
    **dict.fromkeys(("CLP", "JPY", "KRW", "VND"), 0),
}

# Antom counts IDR in hundredths, but Indonesia has no sub-rupiah coins, so a valid IDR value
# always ends in "00". These currencies are shown to people without decimals for that reason.
_WHOLE_UNITS_ONLY: frozenset[str] = frozenset({"IDR"})

# Antom's wire `value` is String(16).
_MAX_WIRE_DIGITS = 16
_DECIMAL_RE = re.compile(r"^\s*(\d{1,3}(?:[,_ ]\d{3})+|\d+)(?:\.(\d+))?\s*$")


def _exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrencyError(f"unknown currency {currency!r}") from None


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """A non-negative amount of one currency, in minor units (HK$38.00 is `Money(3800, "HKD")`)."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise InvalidAmountError(
                f"amount must be an integer of minor units, not {self.minor!r}"
            )
        if self.minor < 0:
            raise InvalidAmountError(f"amount must not be negative: {self.minor}")
        _exponent(self.currency)
        if len(str(self.minor)) > _MAX_WIRE_DIGITS:
            raise InvalidAmountError(f"amount {self.minor} has more than {_MAX_WIRE_DIGITS} digits")
        if self.currency in _WHOLE_UNITS_ONLY and self.minor % 100:
            raise InvalidAmountError(
                f"{self.currency} amounts must end in 00 (whole units), got {self.minor}"
            )

    # ------------------------------------------------------------------ construction
    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse a decimal amount in major units as a person writes it ("38", "38.00", "1,000.5").

        Raises:
            InvalidAmountError: the text is not a plain decimal, or has more decimals than the
                currency allows.
            UnknownCurrencyError: the currency is not in Antom's table.
        """
        exponent = _exponent(currency)
        match = _DECIMAL_RE.match(text)
        if not match:
            raise InvalidAmountError(f"{text!r} is not an amount")
        whole = re.sub(r"[,_ ]", "", match.group(1))
        fraction = match.group(2) or ""
        if len(fraction.rstrip("0")) > exponent:
            raise InvalidAmountError(
                f"{text!r} has more than {exponent} decimals, which {currency} does not allow"
            )
        fraction = fraction[:exponent].ljust(exponent, "0")
        return cls(int(whole + fraction), currency)

    @classmethod
    def from_wire(cls, value: object, currency: object) -> Money:
        """Build from Antom's Amount object fields (`value` is minor units as a string)."""
        if not isinstance(currency, str):
            raise UnknownCurrencyError(f"currency must be a string, not {currency!r}")
        if not isinstance(value, str) or not value.isascii() or not value.isdigit():
            raise InvalidAmountError(f"amount value must be a string of digits, not {value!r}")
        if len(value) > _MAX_WIRE_DIGITS:
            raise InvalidAmountError(f"amount value {value!r} is longer than {_MAX_WIRE_DIGITS}")
        return cls(int(value), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money of the given currency."""
        return cls(0, currency)

    # ------------------------------------------------------------------ views
    @property
    def exponent(self) -> int:
        """Decimals of this currency in Antom's table."""
        return _exponent(self.currency)

    @property
    def decimal(self) -> Decimal:
        """The amount in major units, exact."""
        return Decimal(self.minor).scaleb(-self.exponent)

    def to_wire(self) -> dict[str, str]:
        """Antom's Amount object."""
        return {"currency": self.currency, "value": str(self.minor)}

    def __str__(self) -> str:
        """Locale-neutral form for logs and files, e.g. `HKD 38.00`."""
        return f"{self.currency} {self.decimal:.{self.exponent}f}"

    # ------------------------------------------------------------------ arithmetic
    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        if other.minor > self.minor:
            raise InvalidAmountError(f"{other} is more than {self}")
        return Money(self.minor - other.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor


def format_money(amount: Money, locale: str = "en") -> str:
    """Format for a person in a locale: `HK$38.00` (en), `Rp30.000` (id), `HK$38.00` (zh_Hant_HK).

    IDR is shown in whole rupiah since its hundredths are always zero.
    """
    from babel.numbers import format_currency

    if amount.currency in _WHOLE_UNITS_ONLY:
        return str(
            format_currency(
                amount.decimal, amount.currency, format="¤#,##0", locale=locale,
                currency_digits=False,
            )
        )
    return str(format_currency(amount.decimal, amount.currency, locale=locale))


# ---------------------------------------------------------------------------- wallets
class Wallet(StrEnum):
    """Wallets that support Scan to Bind in tvclient; values are Antom's `customerBelongsTo`."""

    ALIPAY_HK = "ALIPAY_HK"
    DANA = "DANA"


@dataclass(frozen=True, slots=True)
class WalletRules:
    """One wallet's rules from Antom's Scan to Link table (limits are per binding/buyer).

    Day and year boundaries are taken in the wallet's home time zone (`timezone`); Antom does
    not say which clock its caps use, and the buyer's own calendar is the natural reading.
    """

    wallet: Wallet
    display_name: str
    region: str
    currency: str
    timezone: ZoneInfo
    min_per_transaction: Money
    max_per_transaction: Money
    max_per_day: Money | None
    max_per_year: Money | None
    refund: bool
    partial_refund: bool
    chargeback: bool
    refund_period: dt.timedelta

    def check_amount(self, amount: Money) -> None:
        """Raise `InvalidAmountError` unless one payment of `amount` is allowed by itself."""
        if amount.currency != self.currency:
            raise CurrencyMismatchError(
                f"{self.display_name} pays in {self.currency}, not {amount.currency}"
            )
        if amount < self.min_per_transaction:
            raise InvalidAmountError(f"{amount} is below the minimum {self.min_per_transaction}")
        if amount > self.max_per_transaction:
            raise InvalidAmountError(
                f"{amount} is above the per-payment limit {self.max_per_transaction}"
            )

    def day_of(self, moment: dt.datetime) -> dt.date:
        """The calendar day a moment falls on in the wallet's home time zone."""
        return moment.astimezone(self.timezone).date()


WALLET_RULES: dict[Wallet, WalletRules] = {
    Wallet.ALIPAY_HK: WalletRules(
        wallet=Wallet.ALIPAY_HK,
        display_name="AlipayHK",
        region="HK",
        currency="HKD",
        timezone=ZoneInfo("Asia/Hong_Kong"),
        min_per_transaction=Money(1, "HKD"),
        max_per_transaction=Money(5_000_000, "HKD"),
        max_per_day=None,
        max_per_year=Money(20_000_000, "HKD"),
        refund=True,
        partial_refund=True,
        chargeback=False,
        refund_period=dt.timedelta(days=365),
    ),
    Wallet.DANA: WalletRules(
        wallet=Wallet.DANA,
        display_name="DANA",
        region="ID",
        currency="IDR",
        timezone=ZoneInfo("Asia/Jakarta"),
        min_per_transaction=Money(30_000, "IDR"),
        max_per_transaction=Money(1_000_000_000, "IDR"),
        max_per_day=Money(2_000_000_000, "IDR"),
        max_per_year=None,
        refund=True,
        partial_refund=True,
        chargeback=False,
        refund_period=dt.timedelta(days=365),
    ),
}


def rules_for(wallet: str) -> WalletRules:
    """The rules of a wallet by its Antom identifier.

    Raises:
        ValueError: the wallet does not support Scan to Bind in tvclient.
    """
    try:
        return WALLET_RULES[Wallet(wallet)]
    except ValueError:
        raise ValueError(f"{wallet!r} is not a supported wallet") from None
