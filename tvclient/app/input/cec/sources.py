"""Where CEC keys come from: the source protocol and the key record (no Qt).

A source is polled from the UI thread and must never block it: `open()` returns at once (a
source whose adapter needs seconds to open does that work in its own thread and reports
`connecting`), and `read()` returns the keys received since the last call.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from tvclient.app.input.actions import Action
from tvclient.app.input.cec.codes import CEC_ACTIONS, cec_name

__all__ = ["CecKey", "CecLostError", "CecSource", "KeyState", "key_from_cec"]


class CecLostError(Exception):
    """The adapter went away (unplugged, TV off on some boxes, driver reset)."""


class KeyState(Enum):
    """What the adapter said about a key."""

    DOWN = "down"
    REPEAT = "repeat"
    UP = "up"


@dataclass(frozen=True, slots=True)
class CecKey:
    """One key report: the action it means (None for keys tvclient ignores) and its state."""

    action: Action | None
    name: str
    state: KeyState


def key_from_cec(code: int, state: KeyState) -> CecKey:
    """A key report from a CEC user control code."""
    return CecKey(CEC_ACTIONS.get(code), cec_name(code), state)


class CecSource(Protocol):
    """One way of reaching a CEC adapter."""

    @property
    def name(self) -> str:
        """Short name for logs and doctor ("kernel", "libcec")."""
        ...

    @property
    def connecting(self) -> bool:
        """An `open()` is in progress in the background; ask again soon."""
        ...

    def unavailable(self) -> str | None:
        """Why this source cannot work on this machine at all, or None when it might."""
        ...

    def open(self) -> str | None:
        """Connect to an adapter without blocking; its description, or None (none yet)."""
        ...

    def read(self) -> list[CecKey]:
        """Keys received since the last call.

        Raises:
            CecLostError: the adapter is gone; the source is closed and may be opened again.
        """
        ...

    def close(self) -> None:
        """Let go of the adapter."""
        ...
