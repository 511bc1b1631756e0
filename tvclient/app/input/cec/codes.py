"""HDMI-CEC user control codes (CEC 1.4 "UI Command" operands) and the actions they mean (no Qt).

A TV passes its remote's keys to the active source as <User Control Pressed> messages carrying
one of these codes, then <User Control Released>. Media and channel keys are listed by name (for
logs and doctor) but mean nothing to tvclient and are ignored.
"""

from __future__ import annotations

from tvclient.app.input.actions import Action, digit_action

__all__ = ["CEC_ACTIONS", "CEC_NAMES", "cec_name"]

CEC_NAMES: dict[int, str] = {
    0x00: "SELECT",
    0x01: "UP",
    0x02: "DOWN",
    0x03: "LEFT",
    0x04: "RIGHT",
    0x05: "RIGHT_UP",
    0x06: "RIGHT_DOWN",
    0x07: "LEFT_UP",
    0x08: "LEFT_DOWN",
    0x09: "ROOT_MENU",
    0x0A: "SETUP_MENU",
    0x0B: "CONTENTS_MENU",
    0x0C: "FAVORITE_MENU",
    0x0D: "EXIT",
    0x10: "TOP_MENU",
    0x11: "DVD_MENU",
    **{0x20 + d: f"NUMBER{d}" for d in range(10)},
    0x2A: "DOT",
    0x2B: "ENTER",
    0x2C: "CLEAR",
    0x30: "CHANNEL_UP",
    0x31: "CHANNEL_DOWN",
    0x35: "DISPLAY_INFORMATION",
    0x40: "POWER",
    0x41: "VOLUME_UP",
    0x42: "VOLUME_DOWN",
    0x43: "MUTE",
    0x44: "PLAY",
    0x45: "STOP",
    0x46: "PAUSE",
    0x47: "RECORD",
    0x48: "REWIND",
    0x49: "FAST_FORWARD",
    0x4A: "EJECT",
    0x4B: "FORWARD",
    0x4C: "BACKWARD",
    0x53: "EPG",
    0x71: "F1_BLUE",
    0x72: "F2_RED",
    0x73: "F3_GREEN",
    0x74: "F4_YELLOW",
    0x75: "F5",
    0x76: "DATA",
    0x91: "AN_RETURN",
    0x96: "AN_CHANNELS_LIST",
}

CEC_ACTIONS: dict[int, Action] = {
    0x00: Action.OK,
    0x01: Action.UP,
    0x02: Action.DOWN,
    0x03: Action.LEFT,
    0x04: Action.RIGHT,
    0x09: Action.HOME,
    0x0A: Action.MENU,
    0x0B: Action.MENU,
    0x0D: Action.BACK,
    0x10: Action.HOME,
    0x11: Action.MENU,
    **{0x20 + d: digit_action(d) for d in range(10)},
    0x2B: Action.OK,
    0x2C: Action.BACK,
    # CEC numbers the colour keys F1..F4 in the order blue, red, green, yellow.
    0x71: Action.BLUE,
    0x72: Action.RED,
    0x73: Action.GREEN,
    0x74: Action.YELLOW,
    0x91: Action.BACK,  # Samsung's "Return" key
}


def cec_name(code: int) -> str:
    """The code's name, or its hex value for codes outside the table."""
    return CEC_NAMES.get(code, f"0x{code:02X}")
