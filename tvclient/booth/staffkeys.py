"""The hidden way in for staff (no Qt): a fixed sequence of remote colour keys.

Red, Green, Yellow, Red, Green, Yellow, each press within `max_gap` seconds of the previous one,
opens the staff PIN pad. No key repeats twice in a row, so TV remotes whose repeated presses
are dropped as duplicates (the input layer's double-press filter) still get through; any other
key in between starts the sequence over. Blue is not part of it: Blue is the staff's approve
key on the Scan screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from tvclient.clock import Clock

__all__ = ["STAFF_SEQUENCE", "KeySequence"]

STAFF_SEQUENCE = ("red", "green", "yellow", "red", "green", "yellow")


class KeySequence:
    """Matches key presses against one fixed sequence."""

    def __init__(
        self, clock: Clock, sequence: Sequence[str] = STAFF_SEQUENCE, max_gap: float = 3.0
    ) -> None:
        if not sequence:
            raise ValueError("the staff sequence cannot be empty")
        self._clock = clock
        self._sequence = tuple(sequence)
        self._max_gap = max_gap
        self._progress = 0
        self._last = 0.0
        self._run = 0

    @property
    def sequence(self) -> tuple[str, ...]:
        """The keys, in order."""
        return self._sequence

    @property
    def progress(self) -> int:
        """Keys of the sequence entered so far."""
        return self._progress

    @property
    def run(self) -> int:
        """Counts attempts: a new one begins with every first key of the sequence."""
        return self._run

    def press(self, key: str) -> bool:
        """One key press (`"red"`, `"green"`, ... or any other name); True when complete."""
        now = self._clock.monotonic()
        if self._progress and now - self._last > self._max_gap:
            self._progress = 0
        self._last = now
        if key == self._sequence[self._progress]:
            if self._progress == 0:
                self._run += 1
            self._progress += 1
        elif key == self._sequence[0]:
            self._run += 1
            self._progress = 1
        else:
            self._progress = 0
        if self._progress == len(self._sequence):
            self._progress = 0
            return True
        return False
