"""The booth's visit cycle (no Qt): attract loop → visit → countdown → reset → attract loop.

Time comes from an injected clock and moves on only when `tick()` is called (a Qt timer does
it in the booth, tests call it after advancing a fake clock), so the 90-second rule is tested
without waiting 90 seconds.
"""

from __future__ import annotations

import math
from enum import StrEnum

from tvclient.booth.config import COUNTDOWN_SECONDS, check_reset_after
from tvclient.clock import Clock

__all__ = ["Change", "Mode", "VisitCycle"]


class Mode(StrEnum):
    """Where the cycle is."""

    ATTRACT = "attract"
    """The attract loop; the next input starts a visit (once the last reset is done)."""
    VISIT = "visit"
    """A visitor is using the app."""
    COUNTDOWN = "countdown"
    """No input for a while: a countdown is on screen; any input cancels it."""
    RESETTING = "resetting"
    """The previous visitor is being forgotten (binding revoked, keyring cleared)."""


class Change(StrEnum):
    """What an input or a tick caused (the booth acts on it)."""

    NONE = "none"
    VISIT_STARTED = "visit-started"
    COUNTDOWN_STARTED = "countdown-started"
    COUNTDOWN_CANCELLED = "countdown-cancelled"
    RESET_DUE = "reset-due"


class VisitCycle:
    """The state of the visit cycle.

    Args:
        clock: The booth's clock (monotonic time is used).
        reset_after: Seconds without input before the countdown starts (10 s or more).
        countdown: Seconds the countdown lasts before the reset.
    """

    def __init__(
        self, clock: Clock, reset_after: float, countdown: int = COUNTDOWN_SECONDS
    ) -> None:
        self._clock = clock
        self._reset_after = check_reset_after(reset_after)
        self._countdown = countdown
        self._mode = Mode.RESETTING  # until the start-up clean-up is done
        self._last_input = clock.monotonic()
        self._countdown_started = 0.0

    @property
    def mode(self) -> Mode:
        """The current mode."""
        return self._mode

    @property
    def reset_after(self) -> float:
        """Seconds without input before the countdown."""
        return self._reset_after

    @reset_after.setter
    def reset_after(self, seconds: float) -> None:
        self._reset_after = check_reset_after(seconds)

    @property
    def countdown(self) -> int:
        """Length of the countdown in seconds."""
        return self._countdown

    def idle_seconds(self) -> float:
        """Seconds since the last input."""
        return self._clock.monotonic() - self._last_input

    def seconds_left(self) -> int:
        """Whole seconds left on the countdown (shown on screen); 0 outside a countdown."""
        if self._mode is not Mode.COUNTDOWN:
            return 0
        elapsed = self._clock.monotonic() - self._countdown_started
        return max(0, math.ceil(self._countdown - elapsed - 1e-9))

    def input(self) -> Change:
        """A visitor pressed something (key, button, touch)."""
        self._last_input = self._clock.monotonic()
        if self._mode is Mode.ATTRACT:
            self._mode = Mode.VISIT
            return Change.VISIT_STARTED
        if self._mode is Mode.COUNTDOWN:
            self._mode = Mode.VISIT
            return Change.COUNTDOWN_CANCELLED
        return Change.NONE

    def touch(self) -> Change:
        """Activity that must not start a visit (staff screens, the visitor's phone binding...).

        It keeps a visit (and the staff screens) from timing out and cancels a countdown.
        """
        self._last_input = self._clock.monotonic()
        if self._mode is Mode.COUNTDOWN:
            self._mode = Mode.VISIT
            return Change.COUNTDOWN_CANCELLED
        return Change.NONE

    def tick(self) -> Change:
        """Let time act: start the countdown, or call for the reset when it ran out."""
        now = self._clock.monotonic()
        if self._mode is Mode.VISIT and now - self._last_input >= self._reset_after:
            self._mode = Mode.COUNTDOWN
            self._countdown_started = now
            return Change.COUNTDOWN_STARTED
        if self._mode is Mode.COUNTDOWN and now - self._countdown_started >= self._countdown:
            self._mode = Mode.RESETTING
            return Change.RESET_DUE
        return Change.NONE

    def reset_now(self) -> None:
        """Reset without waiting (staff exit, restart, shutdown)."""
        self._mode = Mode.RESETTING

    def reset_done(self) -> None:
        """The previous visitor is forgotten: back to the attract loop."""
        self._mode = Mode.ATTRACT
        self._last_input = self._clock.monotonic()
