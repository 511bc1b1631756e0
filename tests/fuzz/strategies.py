"""Hypothesis strategies shared by the fuzz tests: JSON values and mutations of valid input."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

__all__ = ["json_values", "mutate_bytes", "mutate_json", "nasty_text"]

nasty_text = st.sampled_from([
    "", " ", "\x00", "\u202e", "\ufeff", "💸" * 50, "../../etc/passwd", "%00", "%2e%2e%2f",
    "' OR 1=1 --", "<script>alert(1)</script>", "${jndi:x}", "\r\nX-Injected: 1", "null",
    "NaN", "-0", "1e999", "A" * 5000, "\ud800", "x\udfffy",
    "\uff19",  # a full-width digit nine
]) | st.text(max_size=40)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=12,
)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutate_json(draw: st.DrawFn, document: Any, max_changes: int = 3) -> Any:
    """`document` (a decoded JSON value) with up to `max_changes` corruptions anywhere in it."""
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        paths = _paths(doc)
        if not paths:
            return draw(json_values)
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        how = draw(st.sampled_from(
            ["replace", "delete", "rename", "wrap", "huge", "number", "nest", "case"]
        ))
        value = parent[last]
        if how == "replace":
            parent[last] = draw(json_values)
        elif how == "delete":
            del parent[last]
        elif how == "rename" and isinstance(parent, dict):
            parent[draw(nasty_text)] = parent.pop(last)
        elif how == "case" and isinstance(parent, dict) and isinstance(last, str):
            parent[last.upper()] = parent.pop(last)
        elif how == "wrap":
            parent[last] = [value]
        elif how == "huge":
            parent[last] = draw(st.sampled_from(["9" * 400, "x" * 70_000, 10**40, -(10**40)]))
        elif how == "number":
            parent[last] = draw(st.integers() | st.floats(allow_nan=False) | st.booleans())
        elif how == "nest":
            parent[last] = {"v": {"v": {"v": value}}}
    return doc


@st.composite
def mutate_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    """`body` with byte-level damage: flips, cuts, insertions, invalid UTF-8, NUL bytes."""
    data = bytearray(body)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        how = draw(st.sampled_from(["flip", "cut", "insert", "delete", "invalid", "dup"]))
        if how == "flip" and at < len(data):
            data[at] ^= draw(st.integers(min_value=1, max_value=255))
        elif how == "cut":
            del data[at:]
        elif how == "insert":
            data[at:at] = draw(st.binary(max_size=16)) or b"\x00"
        elif how == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=8))]
        elif how == "invalid":
            data[at:at] = b"\xff\xfe\xc3"
        elif how == "dup":
            data[at:at] = bytes(data[max(0, at - 10) : at])
    return bytes(data)


def json_bytes(value: Any) -> bytes:
    """Compact JSON bytes of a value (non-standard floats allowed, as a hostile peer might)."""
    return json.dumps(value, allow_nan=True, separators=(",", ":")).encode()
