"""The UI actions every input device is reduced to, and the events that carry them (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

__all__ = ["NAVIGATION", "Action", "DeviceKind", "InputEvent", "Phase", "digit_action"]


class Action(StrEnum):
    """What the buyer asked for, whatever they pressed."""

    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"
    OK = "ok"
    BACK = "back"
    MENU = "menu"
    HOME = "home"
    DIGIT_0 = "0"
    DIGIT_1 = "1"
    DIGIT_2 = "2"
    DIGIT_3 = "3"
    DIGIT_4 = "4"
    DIGIT_5 = "5"
    DIGIT_6 = "6"
    DIGIT_7 = "7"
    DIGIT_8 = "8"
    DIGIT_9 = "9"
    RED = "red"
    GREEN = "green"
    YELLOW = "yellow"
    BLUE = "blue"


# Only moving the focus repeats while a key is held; OK, Back and the rest act once per press.
NAVIGATION: frozenset[Action] = frozenset({Action.UP, Action.DOWN, Action.LEFT, Action.RIGHT})


def digit_action(digit: int) -> Action:
    """The action for a digit 0-9."""
    if not 0 <= digit <= 9:
        raise ValueError(f"not a digit: {digit}")
    return Action(str(digit))


class DeviceKind(StrEnum):
    """Which family of device an event came from; repeat and double-press rules differ."""

    KEYBOARD = "keyboard"
    REMOTE = "remote"
    CONTROLLER = "controller"
    CEC = "cec"


class Phase(Enum):
    """Where in a press an event is."""

    PRESS = "press"
    REPEAT = "repeat"
    RELEASE = "release"


@dataclass(frozen=True, slots=True)
class InputEvent:
    """One action event from a device backend.

    Attributes:
        action: What was asked for.
        phase: Press, auto-repeat while held, or release.
        kind: The device family.
        source: Which device of that family (an SDL instance id, a CEC adapter name); a press
            and its release share it.
        at: `Clock.monotonic()` seconds when the backend saw the event.
    """

    action: Action
    phase: Phase
    kind: DeviceKind
    source: str
    at: float
