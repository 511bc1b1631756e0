"""Game controller buttons and sticks → UI action events, with steady repeats (no Qt, no SDL).

Layout (SDL's positional names, so "A" is the bottom face button on every pad): D-pad and left
stick navigate, A is OK, B is Back, Start is Menu, Guide is Home; with `swap_ab` (Nintendo
style) B is OK and A is Back. A held D-pad direction repeats after `dpad_delay` and then every
`repeat`; a held stick repeats every `repeat` (moonlight-qt's 150 ms), both at a steady rate.

After a focus change the poller calls `suspend()` and, when focus returns, `resume()` with
what is still held: those buttons and stick directions are ignored until let go, so a press
made in another window never acts here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from tvclient.app.input.actions import NAVIGATION, Action, DeviceKind, InputEvent, Phase

__all__ = ["AXIS_MAX", "GamepadNavigator", "PadAxis", "PadButton", "PadTiming", "button_actions"]

AXIS_MAX = 32767
_STICK = -1  # control id of the left stick in the held table
_HYSTERESIS = 0.8  # a pushed stick counts as released only below 80 % of the push threshold
_EPSILON = 1e-6  # sums of float intervals land a hair late; a tick on time still counts


class PadButton(IntEnum):
    """SDL_GameControllerButton values (SDL 2)."""

    A = 0
    B = 1
    X = 2
    Y = 3
    BACK = 4
    GUIDE = 5
    START = 6
    LEFT_STICK = 7
    RIGHT_STICK = 8
    LEFT_SHOULDER = 9
    RIGHT_SHOULDER = 10
    DPAD_UP = 11
    DPAD_DOWN = 12
    DPAD_LEFT = 13
    DPAD_RIGHT = 14


class PadAxis(IntEnum):
    """SDL_GameControllerAxis values (SDL 2)."""

    LEFT_X = 0
    LEFT_Y = 1
    RIGHT_X = 2
    RIGHT_Y = 3
    TRIGGER_LEFT = 4
    TRIGGER_RIGHT = 5


def button_actions(*, swap_ab: bool) -> dict[PadButton, Action]:
    """Which button does what."""
    ok, back = (PadButton.B, PadButton.A) if swap_ab else (PadButton.A, PadButton.B)
    return {
        PadButton.DPAD_UP: Action.UP,
        PadButton.DPAD_DOWN: Action.DOWN,
        PadButton.DPAD_LEFT: Action.LEFT,
        PadButton.DPAD_RIGHT: Action.RIGHT,
        ok: Action.OK,
        back: Action.BACK,
        PadButton.START: Action.MENU,
        PadButton.GUIDE: Action.HOME,
    }


@dataclass(frozen=True, slots=True)
class PadTiming:
    """Repeat timing and stick sensitivity.

    Attributes:
        dpad_delay: Hold time before a D-pad direction starts repeating.
        repeat: Time between repeats (D-pad after the delay, stick from the first push).
        stick_threshold: Fraction of full deflection that counts as a push (the dead zone is
            everything below it).
    """

    dpad_delay: float = 0.4
    repeat: float = 0.15
    stick_threshold: float = 0.5


@dataclass(slots=True)
class _Held:
    action: Action
    next_repeat: float | None


class GamepadNavigator:
    """Turns one or more controllers' raw button and axis changes into action events."""

    def __init__(self, timing: PadTiming, *, swap_ab: bool = False) -> None:
        self._timing = timing
        self._actions = button_actions(swap_ab=swap_ab)
        self._held: dict[tuple[str, int], _Held] = {}
        self._stale: set[tuple[str, int]] = set()
        self._sticks: dict[str, tuple[int, int]] = {}

    @property
    def timing(self) -> PadTiming:
        """The repeat timing in use."""
        return self._timing

    def button(self, pad: str, button: int, down: bool, at: float) -> list[InputEvent]:
        """A button went down or up on controller `pad`."""
        key = (pad, button)
        if not down:
            self._stale.discard(key)
            held = self._held.pop(key, None)
            return [] if held is None else [self._event(held.action, Phase.RELEASE, pad, at)]
        if key in self._stale or key in self._held:
            return []
        try:
            action = self._actions.get(PadButton(button))
        except ValueError:
            action = None
        if action is None:
            return []
        first = at + self._timing.dpad_delay if action in NAVIGATION else None
        self._held[key] = _Held(action, first)
        return [self._event(action, Phase.PRESS, pad, at)]

    def axis(self, pad: str, axis: int, value: int, at: float) -> list[InputEvent]:
        """A stick axis moved; only the left stick navigates."""
        if axis not in (PadAxis.LEFT_X, PadAxis.LEFT_Y):
            return []
        x, y = self._sticks.get(pad, (0, 0))
        x, y = (value, y) if axis == PadAxis.LEFT_X else (x, value)
        self._sticks[pad] = (x, y)
        key = (pad, _STICK)
        held = self._held.get(key)
        direction = self._direction(x, y, held.action if held else None)
        if key in self._stale:
            if direction is None:
                self._stale.discard(key)
            return []
        if held is not None and held.action == direction:
            return []
        events: list[InputEvent] = []
        if held is not None:
            del self._held[key]
            events.append(self._event(held.action, Phase.RELEASE, pad, at))
        if direction is not None:
            self._held[key] = _Held(direction, at + self._timing.repeat)
            events.append(self._event(direction, Phase.PRESS, pad, at))
        return events

    def tick(self, at: float) -> list[InputEvent]:
        """Repeats due by `at` for held directions (call on every poll)."""
        events: list[InputEvent] = []
        interval = self._timing.repeat
        for (pad, _), held in self._held.items():
            if held.next_repeat is None or at < held.next_repeat - _EPSILON:
                continue
            events.append(self._event(held.action, Phase.REPEAT, pad, at))
            # Keep a steady cadence; after a stall resume from now rather than burst.
            scheduled = held.next_repeat + interval
            held.next_repeat = scheduled if scheduled > at else at + interval
        return events

    def forget(self, pad: str, at: float) -> list[InputEvent]:
        """Controller `pad` was unplugged: release whatever it held."""
        events = [
            self._event(held.action, Phase.RELEASE, p, at)
            for (p, _), held in self._held.items() if p == pad
        ]
        self._held = {k: v for k, v in self._held.items() if k[0] != pad}
        self._stale = {k for k in self._stale if k[0] != pad}
        self._sticks.pop(pad, None)
        return events

    def suspend(self) -> None:
        """The window lost focus: forget held controls without emitting releases."""
        self._held.clear()
        self._stale.clear()

    def resume(
        self, held_buttons: Iterable[tuple[str, int]], sticks: dict[str, tuple[int, int]],
    ) -> None:
        """Focus is back: controls held right now are stale until released."""
        self._stale = set(held_buttons)
        self._sticks = dict(sticks)
        for pad, (x, y) in sticks.items():
            if self._direction(x, y, None) is not None:
                self._stale.add((pad, _STICK))

    def _direction(self, x: int, y: int, current: Action | None) -> Action | None:
        threshold = self._timing.stick_threshold * AXIS_MAX
        if current is not None:
            threshold *= _HYSTERESIS
        if max(abs(x), abs(y)) < threshold:
            return None
        if abs(x) >= abs(y):
            return Action.RIGHT if x > 0 else Action.LEFT
        return Action.DOWN if y > 0 else Action.UP

    @staticmethod
    def _event(action: Action, phase: Phase, pad: str, at: float) -> InputEvent:
        return InputEvent(action, phase, DeviceKind.CONTROLLER, pad, at)
