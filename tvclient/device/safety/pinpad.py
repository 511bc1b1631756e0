"""Entering a PIN on a TV: digit keys, or arrows + OK on a 3x4 on-screen pad.

The pad is laid out as::

    1 2 3
    4 5 6
    7 8 9
    ⌫ 0 ✓

Arrows move the focus (no wrap-around, so a held arrow stops at the edge), OK presses the
focused key, digit keys type directly, Back deletes the last digit or, with nothing typed,
cancels. The entry completes by itself when the last digit is typed. This is pure logic; the
Qt view-model (`tvclient/app/input/pinpad.py`) forwards keys and exposes the state to QML.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PAD_KEYS", "PadResult", "PinPad"]

PAD_KEYS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "delete", "0", "enter")
_COLUMNS = 3
_ROWS = 4


class PadResult(StrEnum):
    """What a key did to the entry."""

    NOTHING = "nothing"
    CHANGED = "changed"
    COMPLETE = "complete"
    CANCEL = "cancel"


class PinPad:
    """The digits typed so far and the focused pad key. The digits never leave except by `take`."""

    def __init__(self, length: int = 4) -> None:
        if not 4 <= length <= 8:
            raise ValueError(f"PIN length must be 4 to 8, not {length}")
        self._length = length
        self._digits: list[str] = []
        self._focus = 0

    @property
    def length(self) -> int:
        """How many digits a PIN has."""
        return self._length

    @property
    def count(self) -> int:
        """How many digits are typed (the screen shows this many dots)."""
        return len(self._digits)

    @property
    def focus(self) -> int:
        """Index into `PAD_KEYS` of the focused pad key."""
        return self._focus

    def move(self, d_row: int, d_col: int) -> PadResult:
        """Move the focus by one row or column; stays put at the edges."""
        row, col = divmod(self._focus, _COLUMNS)
        row = min(_ROWS - 1, max(0, row + d_row))
        col = min(_COLUMNS - 1, max(0, col + d_col))
        focus = row * _COLUMNS + col
        if focus == self._focus:
            return PadResult.NOTHING
        self._focus = focus
        return PadResult.CHANGED

    def digit(self, digit: str) -> PadResult:
        """Type one digit."""
        if len(digit) != 1 or digit not in "0123456789":
            raise ValueError(f"not a digit: {digit!r}")
        if len(self._digits) >= self._length:
            return PadResult.NOTHING
        self._digits.append(digit)
        return PadResult.COMPLETE if len(self._digits) == self._length else PadResult.CHANGED

    def activate(self, index: int | None = None) -> PadResult:
        """Press a pad key: the focused one, or `index` (a pointer tap, which also focuses it)."""
        if index is not None:
            if not 0 <= index < len(PAD_KEYS):
                return PadResult.NOTHING
            self._focus = index
        key = PAD_KEYS[self._focus]
        if key == "delete":
            return self.delete()
        if key == "enter":
            return PadResult.COMPLETE if len(self._digits) == self._length else PadResult.NOTHING
        return self.digit(key)

    def delete(self) -> PadResult:
        """Remove the last digit."""
        if not self._digits:
            return PadResult.NOTHING
        self._digits.pop()
        return PadResult.CHANGED

    def back(self) -> PadResult:
        """Back: delete a digit, or cancel the entry when nothing is typed."""
        if self._digits:
            return self.delete()
        return PadResult.CANCEL

    def take(self) -> str:
        """The typed PIN, clearing the entry (focus stays where it was)."""
        pin = "".join(self._digits)
        self._digits.clear()
        return pin

    def clear(self) -> None:
        """Forget the typed digits."""
        self._digits.clear()
