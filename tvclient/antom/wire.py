"""Typed wire messages: declared fields, validation, and the JSON form Antom sends.

A message is a frozen dataclass made with `@message`. Each field's Python type says how it
travels (`str`, `int`, `bool`, `Decimal`, `Money`, `datetime`, a `StrEnum`, another message,
`tuple[X, ...]` for arrays), and an optional `Rule` in `Annotated[...]` adds the reference's
limits (`String(64)`, positive amounts, 1 to 10 items...). The Python name in snake_case becomes
the camelCase wire name unless the rule names it.

Reading follows reference §2.4: scalars arrive as JSON strings, but booleans and integers are
also accepted as JSON booleans and numbers, because some SDKs send them that way. Writing always
sends scalars as strings. Unknown fields are ignored, absent optional fields are omitted, and a
JSON `null` counts as absent. Every problem raises `MessageError` naming the field path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self, TypeVar, dataclass_transform

from tvclient.antom.errors import MessageError
from tvclient.antom.fields import (
    AmountCodec,
    BoolCodec,
    Codec,
    DecimalCodec,
    EnumCodec,
    IntCodec,
    ListCodec,
    MessageCodec,
    Rule,
    TextCodec,
    TimeCodec,
)
from tvclient.money import Money

__all__ = [
    "Id32",
    "Id64",
    "JsonObject",
    "Message",
    "Rule",
    "message",
]

JsonObject = dict[str, Any]

Id64 = Annotated[str, Rule(min_len=1, max_len=64)]
Id32 = Annotated[str, Rule(min_len=1, max_len=32)]


# ---------------------------------------------------------------------------- schema
@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    wire: str
    aliases: tuple[str, ...]
    required: bool
    secret: bool
    codec: Codec


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _unwrap(hint: Any) -> tuple[Any, Rule]:
    """Strip `| None` and `Annotated`, returning the bare type and its rule."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {hint!r}")
        hint = args[0]
    rule = Rule()
    if typing.get_origin(hint) is Annotated:
        rules = [meta for meta in hint.__metadata__ if isinstance(meta, Rule)]
        rule = rules[0] if rules else rule
        hint = hint.__origin__
    return hint, rule


def _codec_for(hint: Any, rule: Rule) -> Codec:
    simple: dict[Any, Callable[[], Codec]] = {
        str: lambda: TextCodec(rule),
        bool: BoolCodec,
        int: lambda: IntCodec(rule),
        Decimal: DecimalCodec,
        Money: lambda: AmountCodec(rule),
        dt.datetime: TimeCodec,
    }
    if hint in simple:
        return simple[hint]()
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return EnumCodec(hint)
    if isinstance(hint, type) and issubclass(hint, Message):
        return MessageCodec(hint)
    if typing.get_origin(hint) is tuple:
        item_hint, item_rule = _unwrap(typing.get_args(hint)[0])
        return ListCodec(_codec_for(item_hint, item_rule), rule)
    raise TypeError(f"unsupported message field type {hint!r}")


def _build_schema(cls: type[Message]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    result = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        hint, rule = _unwrap(hints[field.name])
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        result.append(
            _Field(
                name=field.name,
                wire=rule.wire or _camel(field.name),
                aliases=rule.aliases,
                required=required,
                secret=rule.secret,
                codec=_codec_for(hint, rule),
            )
        )
    return tuple(result)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# ---------------------------------------------------------------------------- base class
_M = TypeVar("_M", bound="Message")


@dataclass_transform(frozen_default=True, kw_only_default=True)
def message(cls: type[_M]) -> type[_M]:
    """Make `cls` a message: a frozen, keyword-only, slotted dataclass with a secret-safe repr.

    The field types are resolved here, so every type a field names must already be defined.
    """
    made = dataclass(frozen=True, slots=True, kw_only=True, repr=False)(cls)
    made._schema = _build_schema(made)
    return made


class Message:
    """Base of every Antom message; subclasses are made with `@message`."""

    __slots__ = ()
    _schema: ClassVar[tuple[_Field, ...]] = ()

    def __post_init__(self) -> None:
        for field in self._schema:
            value = getattr(self, field.name)
            if value is None:
                if field.required:
                    raise MessageError(field.wire, "missing")
            else:
                field.codec.check(value, field.wire)
        self._validate()

    def _validate(self) -> None:
        """Rules across fields (conditional requirements); raise `MessageError`."""

    @classmethod
    def from_json(cls, obj: object) -> Self:
        """Validate a decoded JSON object and build the message.

        Raises:
            MessageError: the object breaks the reference; the error names the field path.
        """
        return cls.parse_at(obj, "")

    @classmethod
    def from_bytes(cls, body: bytes) -> Self:
        """Decode a UTF-8 JSON body and build the message.

        Raises:
            MessageError: the body is not JSON or breaks the reference.
        """
        try:
            obj = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            raise MessageError("", "body is not valid UTF-8 JSON") from None
        return cls.from_json(obj)

    @classmethod
    def parse_at(cls, obj: object, prefix: str) -> Self:
        """Like `from_json`, for a message nested at `prefix` (error paths start with it)."""
        if not isinstance(obj, dict):
            raise MessageError(prefix, "must be a JSON object")
        values: dict[str, Any] = {}
        for field in cls._schema:
            raw = obj.get(field.wire)
            for alias in field.aliases:
                if raw is None:
                    raw = obj.get(alias)
            path = _join(prefix, field.wire)
            if raw is None:
                if field.required:
                    raise MessageError(path, "missing")
                continue
            values[field.name] = field.codec.parse(raw, path)
        try:
            return cls(**values)
        except MessageError as exc:
            raise MessageError(_join(prefix, exc.path), exc.problem) from None

    def to_json(self) -> JsonObject:
        """The wire form: a JSON-ready dict without absent optional fields."""
        out: JsonObject = {}
        for field in self._schema:
            value = getattr(self, field.name)
            if value is not None:
                out[field.wire] = field.codec.dump(value)
        return out

    def to_bytes(self) -> bytes:
        """Compact UTF-8 JSON of `to_json()`, the form tvclient sends and signs."""
        return json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False).encode()

    def __repr__(self) -> str:
        shown = []
        for field in self._schema:
            value = getattr(self, field.name)
            if value is not None:
                shown.append(f"{field.name}={'<redacted>' if field.secret else repr(value)}")
        return f"{type(self).__name__}({', '.join(shown)})"
