"""How each kind of message field is read from JSON, checked, and written back.

A field's Python type picks its codec; its `Rule` (given in `Annotated[type, Rule(...)]`) adds
the reference's limits. Reading follows reference §2.4: scalars arrive as JSON strings, but
booleans and integers are also accepted as JSON booleans and numbers, because some SDKs send
them so. Writing always sends scalars as strings.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tvclient.antom.errors import MessageError
from tvclient.money import InvalidAmountError, Money, UnknownCurrencyError

if TYPE_CHECKING:
    from tvclient.antom.wire import Message

__all__ = [
    "AmountCodec",
    "BoolCodec",
    "Codec",
    "DecimalCodec",
    "EnumCodec",
    "IntCodec",
    "ListCodec",
    "MessageCodec",
    "Rule",
    "TextCodec",
    "TimeCodec",
]

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_INT_RE = re.compile(r"^-?\d{1,18}$")


@dataclass(frozen=True, slots=True)
class Rule:
    """Limits and wire details of one field, given in `Annotated[type, Rule(...)]`."""

    max_len: int | None = None
    """Most characters a string may have (the reference's `String(n)`)."""
    min_len: int = 0
    """Fewest characters; identifiers use 1 so that empty strings are refused."""
    max_items: int | None = None
    """Most items an array may have."""
    min_items: int = 0
    """Fewest items an array may have."""
    lo: int | None = None
    """Smallest integer allowed."""
    hi: int | None = None
    """Largest integer allowed."""
    positive: bool = False
    """An amount must be more than zero."""
    url: bool = False
    """A string must be an absolute http(s) URL."""
    secret: bool = False
    """Kept out of `repr` (tokens, auth codes)."""
    wire: str | None = None
    """The wire name when it is not the camelCase of the Python name."""
    aliases: tuple[str, ...] = ()
    """Other wire names accepted when reading (never written)."""


# ---------------------------------------------------------------------------- codecs
class Codec(ABC):
    """Reads one JSON value into Python, checks a Python value, writes it back."""

    @abstractmethod
    def parse(self, value: object, path: str) -> Any:
        """The Python value for a JSON value, or `MessageError` at `path`."""

    def check(self, value: Any, path: str) -> None:  # noqa: B027 - most kinds have no limits
        """Check limits of a Python value (also when a message is built in Python)."""

    @abstractmethod
    def dump(self, value: Any) -> Any:
        """The JSON value."""


@dataclass(frozen=True, slots=True)
class TextCodec(Codec):
    """A string with optional length limits and URL form."""

    rule: Rule

    def parse(self, value: object, path: str) -> str:
        """Accept only JSON strings."""
        if not isinstance(value, str):
            raise MessageError(path, "must be a string")
        self.check(value, path)
        return value

    def check(self, value: Any, path: str) -> None:
        """Length in characters, valid Unicode, and URL form when the rule asks."""
        rule = self.rule
        if rule.max_len is not None and len(value) > rule.max_len:
            raise MessageError(
                path, f"must be at most {rule.max_len} characters (got {len(value)})"
            )
        if len(value) < rule.min_len:
            raise MessageError(
                path,
                "must not be empty" if rule.min_len == 1
                else f"must be at least {rule.min_len} characters",
            )
        if _SURROGATE_RE.search(value):
            raise MessageError(path, "must be valid Unicode text")
        if "\x00" in value:
            # No Antom value holds a NUL, and PostgreSQL text cannot store one: a signed
            # notification carrying it made the merchant backend answer 500 (found by
            # tests/fuzz/test_notify_endpoint.py on PostgreSQL).
            raise MessageError(path, "must not contain NUL characters")
        if rule.url:
            parts = urlsplit(value)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                raise MessageError(path, "must be an absolute http(s) URL")

    def dump(self, value: Any) -> Any:
        """The string itself."""
        return value


class BoolCodec(Codec):
    """A Boolean: `"true"` / `"false"` on the wire, JSON booleans accepted too."""

    def parse(self, value: object, path: str) -> bool:
        """Accept JSON booleans and the strings true / false in any case."""
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            return value.lower() == "true"
        raise MessageError(path, 'must be "true" or "false"')

    def dump(self, value: Any) -> Any:
        """`"true"` or `"false"`."""
        return "true" if value else "false"


@dataclass(frozen=True, slots=True)
class IntCodec(Codec):
    """A whole number: a digit string on the wire, JSON integers accepted too."""

    rule: Rule

    def parse(self, value: object, path: str) -> int:
        """Accept JSON integers (not booleans) and strings of up to 18 digits."""
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _INT_RE.match(value):
            number = int(value)
        else:
            raise MessageError(path, "must be a whole number")
        self.check(number, path)
        return number

    def check(self, value: Any, path: str) -> None:
        """The rule's range."""
        if self.rule.lo is not None and value < self.rule.lo:
            raise MessageError(path, f"must be at least {self.rule.lo}")
        if self.rule.hi is not None and value > self.rule.hi:
            raise MessageError(path, f"must be at most {self.rule.hi}")

    def dump(self, value: Any) -> Any:
        """The number as a string."""
        return str(value)


class DecimalCodec(Codec):
    """A decimal number (e.g. an FX quote price), exact."""

    def parse(self, value: object, path: str) -> Decimal:
        """Accept decimal strings and JSON numbers; refuse NaN and infinities."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise MessageError(path, "must be a decimal number")
        text = str(value)
        if len(text) > 40:
            raise MessageError(path, "must be a decimal number of at most 40 characters")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise MessageError(path, "must be a decimal number") from None
        if not number.is_finite():
            raise MessageError(path, "must be a finite decimal number")
        return number

    def dump(self, value: Any) -> Any:
        """The number as a string."""
        return str(value)


@dataclass(frozen=True, slots=True)
class EnumCodec(Codec):
    """One of the values of a `StrEnum`."""

    enum: type[StrEnum]

    def parse(self, value: object, path: str) -> StrEnum:
        """Accept exactly one of the enum's values."""
        if not isinstance(value, str):
            raise MessageError(path, "must be a string")
        try:
            return self.enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in self.enum)
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise MessageError(path, f"must be one of {allowed} (got {shown!r})") from None

    def dump(self, value: Any) -> Any:
        """The value's string."""
        return str(value.value)


class TimeCodec(Codec):
    """An ISO 8601 time with a UTC offset, e.g. `2019-11-27T12:01:01+08:00`."""

    def parse(self, value: object, path: str) -> dt.datetime:
        """Accept ISO 8601 strings with an offset (`+08:00`, `+0800`, `Z`)."""
        if not isinstance(value, str) or len(value) > 40:
            raise MessageError(path, "must be an ISO 8601 time string")
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise MessageError(path, "must be an ISO 8601 time string") from None
        self.check(moment, path)
        return moment

    def check(self, value: Any, path: str) -> None:
        """Naive times cannot be placed and are refused."""
        if value.tzinfo is None or value.utcoffset() is None:
            raise MessageError(path, "must have a UTC offset, e.g. +08:00")

    def dump(self, value: Any) -> Any:
        """`isoformat()`, offset included."""
        return str(value.isoformat())


@dataclass(frozen=True, slots=True)
class AmountCodec(Codec):
    """Antom's Amount object `{"currency": "HKD", "value": "1000"}` as `Money`."""

    rule: Rule

    def parse(self, value: object, path: str) -> Money:
        """Accept an object with a known 3-letter currency and a digit-string value."""
        if not isinstance(value, dict):
            raise MessageError(path, "must be an object with currency and value")
        currency, amount = value.get("currency"), value.get("value")
        if currency is None:
            raise MessageError(f"{path}.currency", "missing")
        if amount is None:
            raise MessageError(f"{path}.value", "missing")
        if not isinstance(currency, str) or len(currency) != 3:
            raise MessageError(f"{path}.currency", "must be a 3-letter ISO 4217 code")
        if not isinstance(amount, str) or not amount.isascii() or not amount.isdigit():
            raise MessageError(f"{path}.value", "must be a string of digits")
        try:
            money = Money.from_wire(amount, currency)
        except UnknownCurrencyError:
            raise MessageError(f"{path}.currency", f"unknown currency {currency!r}") from None
        except InvalidAmountError as exc:
            raise MessageError(f"{path}.value", str(exc)) from None
        self.check(money, path)
        return money

    def check(self, value: Any, path: str) -> None:
        """More than zero when the rule says `positive`."""
        if self.rule.positive and value.minor <= 0:
            raise MessageError(f"{path}.value", "must be more than zero")

    def dump(self, value: Any) -> Any:
        """`Money.to_wire()`."""
        return value.to_wire()


@dataclass(frozen=True, slots=True)
class MessageCodec(Codec):
    """A nested message object."""

    cls: type[Message]

    def parse(self, value: object, path: str) -> Message:
        """Parse with the nested type, error paths prefixed."""
        return self.cls.parse_at(value, path)

    def dump(self, value: Any) -> Any:
        """The nested message's `to_json()`."""
        return value.to_json()


@dataclass(frozen=True, slots=True)
class ListCodec(Codec):
    """A JSON array of one kind of item, held as a tuple."""

    item: Codec
    rule: Rule

    def parse(self, value: object, path: str) -> tuple[Any, ...]:
        """Accept a list within the rule's item counts; items are parsed as `path[i]`."""
        if not isinstance(value, list):
            raise MessageError(path, "must be a list")
        self._check_count(len(value), path)
        return tuple(self.item.parse(item, f"{path}[{i}]") for i, item in enumerate(value))

    def _check_count(self, count: int, path: str) -> None:
        if self.rule.max_items is not None and count > self.rule.max_items:
            raise MessageError(path, f"must have at most {self.rule.max_items} items (got {count})")
        if count < self.rule.min_items:
            raise MessageError(
                path,
                "must not be empty" if self.rule.min_items == 1
                else f"must have at least {self.rule.min_items} items",
            )

    def check(self, value: Any, path: str) -> None:
        """Item count and each item's limits."""
        self._check_count(len(value), path)
        for i, item in enumerate(value):
            self.item.check(item, f"{path}[{i}]")

    def dump(self, value: Any) -> Any:
        """A list of the items' JSON."""
        return [self.item.dump(item) for item in value]
