"""Linux input key codes (linux/input-event-codes.h) that mean a UI action (no Qt).

Used by the kernel CEC input device (its `rc-cec` keymap produces these codes) and as a fallback
for remote keys that the display server has no keysym for (Qt then reports `Key_unknown` with
the evdev code in the native scan code).
"""

from __future__ import annotations

from tvclient.app.input.actions import Action, digit_action

__all__ = ["EVDEV_ACTIONS", "EVDEV_NAMES"]

# Code → (name, action). Names follow the kernel's KEY_* constants for doctor output.
_TABLE: dict[int, tuple[str, Action]] = {
    1: ("KEY_ESC", Action.BACK),
    14: ("KEY_BACKSPACE", Action.BACK),
    28: ("KEY_ENTER", Action.OK),
    57: ("KEY_SPACE", Action.OK),
    59: ("KEY_F1", Action.RED),
    60: ("KEY_F2", Action.GREEN),
    61: ("KEY_F3", Action.YELLOW),
    62: ("KEY_F4", Action.BLUE),
    96: ("KEY_KPENTER", Action.OK),
    102: ("KEY_HOME", Action.HOME),
    103: ("KEY_UP", Action.UP),
    105: ("KEY_LEFT", Action.LEFT),
    106: ("KEY_RIGHT", Action.RIGHT),
    108: ("KEY_DOWN", Action.DOWN),
    127: ("KEY_COMPOSE", Action.MENU),  # the PC "context menu" key
    139: ("KEY_MENU", Action.MENU),
    141: ("KEY_SETUP", Action.MENU),
    158: ("KEY_BACK", Action.BACK),
    172: ("KEY_HOMEPAGE", Action.HOME),
    174: ("KEY_EXIT", Action.BACK),
    352: ("KEY_OK", Action.OK),
    353: ("KEY_SELECT", Action.OK),
    355: ("KEY_CLEAR", Action.BACK),
    398: ("KEY_RED", Action.RED),
    399: ("KEY_GREEN", Action.GREEN),
    400: ("KEY_YELLOW", Action.YELLOW),
    401: ("KEY_BLUE", Action.BLUE),
    438: ("KEY_CONTEXT_MENU", Action.MENU),
    618: ("KEY_ROOT_MENU", Action.HOME),
    619: ("KEY_MEDIA_TOP_MENU", Action.MENU),
}
for _digit in range(10):
    # Top-row digits: KEY_1..KEY_9 are 2..10, KEY_0 is 11; remotes send KEY_NUMERIC_n (512+n).
    _TABLE[11 if _digit == 0 else _digit + 1] = (f"KEY_{_digit}", digit_action(_digit))
    _TABLE[512 + _digit] = (f"KEY_NUMERIC_{_digit}", digit_action(_digit))
for _code, _digit in ((82, 0), (79, 1), (80, 2), (81, 3), (75, 4), (76, 5), (77, 6), (71, 7),
                      (72, 8), (73, 9)):
    _TABLE[_code] = (f"KEY_KP{_digit}", digit_action(_digit))

EVDEV_ACTIONS: dict[int, Action] = {code: action for code, (_, action) in _TABLE.items()}
EVDEV_NAMES: dict[int, str] = {code: name for code, (name, _) in _TABLE.items()}
