"""A scripted CEC adapter: the TV remote of tests, the latency benchmark and demos (no Qt).

It behaves like a libCEC adapter: keys are queued as CEC user control codes with DOWN/UP
states, `unplug()` makes the next `read()` report the adapter lost and `open()` find nothing
until `plug()`. `tap_twice` sends the doubled press some TVs send for one press.
"""

from __future__ import annotations

from tvclient.app.input.cec.sources import CecKey, CecLostError, KeyState, key_from_cec

__all__ = ["ScriptedCecSource"]


class ScriptedCecSource:
    """A fake CEC adapter driven by the caller."""

    def __init__(self, adapter: str = "scripted CEC adapter") -> None:
        self._adapter = adapter
        self._plugged = True
        self._open = False
        self._queue: list[CecKey] = []
        self.opens = 0

    @property
    def name(self) -> str:
        """Source name."""
        return "scripted"

    @property
    def connecting(self) -> bool:
        """Never opens in the background."""
        return False

    @property
    def is_open(self) -> bool:
        """Whether a link currently holds the adapter open."""
        return self._open

    def unavailable(self) -> str | None:
        """Always usable."""
        return None

    def open(self) -> str | None:
        """The adapter, when plugged in."""
        if not self._plugged:
            return None
        self._open = True
        self.opens += 1
        self._queue.clear()
        return self._adapter

    def read(self) -> list[CecKey]:
        """Queued keys; raises `CecLostError` once unplugged."""
        if not self._plugged:
            self._open = False
            raise CecLostError(f"{self._adapter} unplugged")
        keys, self._queue = self._queue, []
        return keys

    def close(self) -> None:
        """Forget the queue."""
        self._open = False
        self._queue.clear()

    # ------------------------------------------------------------------ scripting
    def press(self, code: int) -> None:
        """The TV reports a key going down (resend it to model a held key)."""
        self._queue.append(key_from_cec(code, KeyState.DOWN))

    def release(self, code: int) -> None:
        """The TV reports the key going up."""
        self._queue.append(key_from_cec(code, KeyState.UP))

    def tap(self, code: int) -> None:
        """One press and release."""
        self.press(code)
        self.release(code)

    def tap_twice(self, code: int) -> None:
        """The doubled press some TVs send for a single press."""
        self.tap(code)
        self.tap(code)

    def unplug(self) -> None:
        """Pull the adapter out."""
        self._plugged = False

    def plug(self) -> None:
        """Put it back."""
        self._plugged = True
