"""Where purchase-safety state lives: a tiny key → JSON value protocol.

The device's settings store (tvclient/device/) implements it in the app; tests use
`MemoryStateStore`. Values are plain JSON (dicts, lists, strings, numbers, booleans, None) so any
settings file format can hold them. Nothing stored here is secret in plain text: the PIN is kept
only as a salted scrypt hash.
"""

from __future__ import annotations

import copy
from typing import Protocol, TypeAlias

__all__ = ["JsonValue", "MemoryStateStore", "StateStore"]

JsonValue: TypeAlias = (
    dict[str, "JsonValue"] | list["JsonValue"] | str | int | float | bool | None
)


class StateStore(Protocol):
    """Persistent key → JSON value storage for safety state."""

    def load(self, key: str) -> JsonValue:
        """The stored value, or None when the key was never saved (or was cleared)."""
        ...

    def save(self, key: str, value: JsonValue) -> None:
        """Store `value` durably under `key`; None clears the key."""
        ...


class MemoryStateStore:
    """A `StateStore` in memory (tests, and devices that choose not to persist)."""

    def __init__(self) -> None:
        self._values: dict[str, JsonValue] = {}

    def load(self, key: str) -> JsonValue:
        """A deep copy of the stored value, so callers cannot change the store by accident."""
        return copy.deepcopy(self._values.get(key))

    def save(self, key: str, value: JsonValue) -> None:
        """Store a deep copy; None removes the key."""
        if value is None:
            self._values.pop(key, None)
        else:
            self._values[key] = copy.deepcopy(value)

    def keys(self) -> list[str]:
        """Keys currently stored (tests inspect what was written)."""
        return sorted(self._values)
