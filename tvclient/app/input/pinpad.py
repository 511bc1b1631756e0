"""The PIN pad view-model (Qt): digits or arrows + OK on a 3x4 pad, checked by `PinGuard`.

The QML pad (the app's) shows `length` boxes with `entered` of them filled, a 3x4 grid of
`keys` with `focusIndex` highlighted, and a line for `error`. It forwards key presses to
`handleKey` and pointer taps to `activate`. Purposes:

- "verify": one entry, checked for a purchase → `accepted` or an error ("wrong", "locked").
- "set": (the current PIN first, if one is set), then the new PIN twice → `accepted`.
- "clear": the current PIN → the PIN is removed → `accepted`.

Back with nothing typed emits `cancelled`. Typed digits live only in the pad logic and are
dropped as soon as they have been checked.
"""

from __future__ import annotations

import contextlib
import logging

from PySide6.QtCore import Property, QObject, Qt, Signal, Slot

from tvclient.device.safety.errors import (
    NoPinSetError,
    PurchasesLockedError,
    SafetyError,
    SafetySettingsError,
    WrongPinError,
)
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.pinpad import PAD_KEYS, PadResult, PinPad

__all__ = ["PURPOSES", "PinPadModel"]

_log = logging.getLogger(__name__)
PURPOSES = ("verify", "set", "clear")
K = Qt.Key
_MOVES = {
    K.Key_Up.value: (-1, 0),
    K.Key_Down.value: (1, 0),
    K.Key_Left.value: (0, -1),
    K.Key_Right.value: (0, 1),
}


class PinPadModel(QObject):
    """Entering, checking and setting the purchase PIN."""

    changed = Signal()
    accepted = Signal()
    cancelled = Signal()

    def __init__(
        self, guard: PinGuard, purpose: str = "verify", length: int = 4,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if purpose not in PURPOSES:
            raise ValueError(f"PIN pad purpose must be one of {PURPOSES}, not {purpose!r}")
        self._guard = guard
        self._purpose = purpose
        self._pad = PinPad(length)
        self._error = ""
        self._current: str | None = None
        self._new: str | None = None
        self._step = self._first_step()

    # ------------------------------------------------------------------ QML properties
    def _get_length(self) -> int:
        return self._pad.length

    def _get_entered(self) -> int:
        return self._pad.count

    def _get_focus(self) -> int:
        return self._pad.focus

    def _get_keys(self) -> list[str]:
        return list(PAD_KEYS)

    def _get_step(self) -> str:
        return self._step

    def _get_error(self) -> str:
        return self._error

    def _get_attempts(self) -> int:
        return self._guard.attempts_left()

    def _get_locked(self) -> bool:
        return self._guard.locked_until() is not None

    def _get_locked_until(self) -> str:
        until = self._guard.locked_until()
        return until.isoformat() if until is not None else ""

    #: Digits in a PIN.
    length = Property(int, _get_length, constant=True)
    #: Digits typed so far (show this many filled boxes).
    entered = Property(int, _get_entered, notify=changed)
    #: Index into `keys` of the focused pad key.
    focusIndex = Property(int, _get_focus, notify=changed)
    #: Pad keys in grid order: "1".."9", "delete", "0", "enter".
    keys = Property(list, _get_keys, constant=True)
    #: What is being typed: "verify", "current", "new" or "confirm".
    step = Property(str, _get_step, notify=changed)
    #: "" or "wrong", "locked", "mismatch", "unreadable".
    error = Property(str, _get_error, notify=changed)
    #: Wrong PINs left before purchases lock.
    attemptsLeft = Property(int, _get_attempts, notify=changed)
    #: Purchases are locked after too many wrong PINs.
    locked = Property(bool, _get_locked, notify=changed)
    #: When the lock ends (ISO 8601, UTC), or "".
    lockedUntil = Property(str, _get_locked_until, notify=changed)

    # ------------------------------------------------------------------ input
    @Slot(int, result=bool)
    def handleKey(self, key: int) -> bool:
        """A key delivered to the pad; True when the pad used it."""
        move = _MOVES.get(key)
        if move is not None:
            self._apply(self._pad.move(*move))
            return True
        if key == K.Key_Return.value:
            self._apply(self._pad.activate())
            return True
        if key == K.Key_Escape.value:
            self._apply(self._pad.back())
            return True
        if K.Key_0.value <= key <= K.Key_9.value:
            self._apply(self._pad.digit(str(key - K.Key_0.value)))
            return True
        return False

    @Slot(int)
    def activate(self, index: int) -> None:
        """A pointer tap on pad key `index`."""
        self._apply(self._pad.activate(index))

    @Slot()
    def reset(self) -> None:
        """Start over (the screen was shown again)."""
        self._pad.clear()
        self._current = self._new = None
        self._error = ""
        self._step = self._first_step()
        self.changed.emit()

    # ------------------------------------------------------------------ internals
    def _first_step(self) -> str:
        if self._purpose == "verify":
            return "verify"
        if self._purpose == "clear" or self._guard.has_pin():
            return "current"
        return "new"

    def _apply(self, result: PadResult) -> None:
        if result is PadResult.CANCEL:
            self.reset()
            self.cancelled.emit()
            return
        if result is PadResult.COMPLETE:
            self._complete(self._pad.take())
        elif result is PadResult.CHANGED and self._error:
            self._error = ""
        self.changed.emit()

    def _complete(self, pin: str) -> None:
        self._error = ""
        try:
            done = self._advance(pin)
        except WrongPinError:
            self._error = "wrong"
            self._step = self._first_step()
            self._current = self._new = None
            return
        except PurchasesLockedError:
            self._error = "locked"
            self._step = self._first_step()
            self._current = self._new = None
            return
        except SafetySettingsError as exc:
            _log.warning("purchase PIN unusable: %s", exc)
            self._error = "unreadable"
            return
        except SafetyError as exc:
            _log.info("PIN entry refused: %s", exc)
            self._error = "wrong"
            return
        if done:
            self._current = self._new = None
            self._step = self._first_step()
            self.accepted.emit()

    def _advance(self, pin: str) -> bool:
        """Use one completed entry; True when the purpose is fulfilled."""
        if self._step == "verify":
            with contextlib.suppress(NoPinSetError):  # no PIN configured: nothing to check
                self._guard.verify(pin)
            return True
        if self._step == "current":
            if self._purpose == "clear":
                self._guard.clear_pin(pin)
                return True
            self._guard.verify(pin)  # check now, so a wrong PIN is not found out two steps later
            self._current = pin
            self._step = "new"
            return False
        if self._step == "new":
            self._new = pin
            self._step = "confirm"
            return False
        if pin != self._new:
            self._error = "mismatch"
            self._new = None
            self._step = "new"
            return False
        self._guard.set_pin(pin, self._current)
        return True
