"""Qt keys ↔ UI actions: how keyboard and remote keys are read, and how actions are delivered.

Reading: `action_for_key` maps what a keyboard or IR/USB remote sends (Qt key code, or for keys
the display server has no name for, the X11 keysym or the evdev scan code) to an `Action`.
Delivering: every action reaches QML as the key in `DELIVERED_KEYS`, whatever device sent it.

Qt names the four colour keys (`Key_Red`…), but most remotes and keyboards cannot send them,
so F1-F4 also mean red, green, yellow, blue (the order used by TV remotes and HbbTV).
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from tvclient.app.input.actions import Action, digit_action
from tvclient.app.input.linux_keys import EVDEV_ACTIONS

__all__ = [
    "DELIVERED_KEYS",
    "IGNORED_KEYS",
    "KEY_ACTIONS",
    "REMOTE_ONLY_KEYS",
    "action_for_key",
    "delivered_text",
    "key_name",
]

K = Qt.Key

KEY_ACTIONS: dict[int, Action] = {
    K.Key_Up.value: Action.UP,
    K.Key_Down.value: Action.DOWN,
    K.Key_Left.value: Action.LEFT,
    K.Key_Right.value: Action.RIGHT,
    K.Key_Return.value: Action.OK,
    K.Key_Enter.value: Action.OK,
    K.Key_Select.value: Action.OK,
    K.Key_Space.value: Action.OK,
    K.Key_Escape.value: Action.BACK,
    K.Key_Backspace.value: Action.BACK,
    K.Key_Back.value: Action.BACK,
    K.Key_Exit.value: Action.BACK,
    K.Key_Cancel.value: Action.BACK,
    K.Key_Menu.value: Action.MENU,
    K.Key_MenuKB.value: Action.MENU,
    K.Key_Settings.value: Action.MENU,
    K.Key_Home.value: Action.HOME,
    K.Key_HomePage.value: Action.HOME,
    K.Key_TopMenu.value: Action.HOME,
    K.Key_Red.value: Action.RED,
    K.Key_Green.value: Action.GREEN,
    K.Key_Yellow.value: Action.YELLOW,
    K.Key_Blue.value: Action.BLUE,
    K.Key_F1.value: Action.RED,
    K.Key_F2.value: Action.GREEN,
    K.Key_F3.value: Action.YELLOW,
    K.Key_F4.value: Action.BLUE,
    **{K.Key_0.value + d: digit_action(d) for d in range(10)},
}

# What each action is delivered as. Return (not Select) because Navigable controls handle
# Keys.onReturnPressed; Escape because Controls popups close on it.
DELIVERED_KEYS: dict[Action, int] = {
    Action.UP: K.Key_Up.value,
    Action.DOWN: K.Key_Down.value,
    Action.LEFT: K.Key_Left.value,
    Action.RIGHT: K.Key_Right.value,
    Action.OK: K.Key_Return.value,
    Action.BACK: K.Key_Escape.value,
    Action.MENU: K.Key_Menu.value,
    Action.HOME: K.Key_HomePage.value,
    Action.RED: K.Key_Red.value,
    Action.GREEN: K.Key_Green.value,
    Action.YELLOW: K.Key_Yellow.value,
    Action.BLUE: K.Key_Blue.value,
    **{digit_action(d): K.Key_0.value + d for d in range(10)},
}

# Keys only a remote has: a device sending them is treated as a remote even when its name
# does not say so (double-press filtering then applies).
REMOTE_ONLY_KEYS: frozenset[int] = frozenset(
    k.value for k in (K.Key_Select, K.Key_Exit, K.Key_Red, K.Key_Green, K.Key_Yellow,
                      K.Key_Blue, K.Key_TopMenu, K.Key_ChannelUp, K.Key_ChannelDown)
)

# Media and TV keys the app has no use for: swallowed so they never act on a focused control.
IGNORED_KEYS: frozenset[int] = frozenset(
    k.value for k in (
        K.Key_MediaPlay, K.Key_MediaPause, K.Key_MediaStop, K.Key_MediaNext,
        K.Key_MediaPrevious, K.Key_MediaTogglePlayPause, K.Key_MediaRecord, K.Key_MediaLast,
        K.Key_Play, K.Key_Pause, K.Key_Stop, K.Key_AudioRandomPlay, K.Key_AudioRepeat,
        K.Key_AudioForward, K.Key_AudioRewind, K.Key_AudioCycleTrack, K.Key_Subtitle,
        K.Key_VolumeUp, K.Key_VolumeDown, K.Key_VolumeMute, K.Key_ChannelUp,
        K.Key_ChannelDown, K.Key_Guide, K.Key_Info, K.Key_Favorites, K.Key_Zoom,
        K.Key_Forward, K.Key_Reload, K.Key_Search, K.Key_LaunchMedia,
    )
)

# X11 keysyms of the colour keys (XF86Red…), for Qt builds that do not name them.
_XF86_COLOURS: dict[int, Action] = {
    0x1008FFA3: Action.RED,
    0x1008FFA4: Action.GREEN,
    0x1008FFA5: Action.YELLOW,
    0x1008FFA6: Action.BLUE,
}
_UNKNOWN = (0, K.Key_unknown.value)
# xcb and wayland report evdev code + 8 (the X keycode) as the native scan code.
_SCAN_OFFSET = {"xcb": 8, "wayland": 8}


def action_for_key(
    key: int, *, native_scan_code: int = 0, native_virtual_key: int = 0, platform: str = "",
) -> Action | None:
    """The action a keyboard or remote key means, or None for keys that are not actions."""
    action = KEY_ACTIONS.get(key)
    if action is not None or key not in _UNKNOWN:
        return action
    colour = _XF86_COLOURS.get(native_virtual_key)
    if colour is not None:
        return colour
    if native_scan_code:
        return EVDEV_ACTIONS.get(native_scan_code - _SCAN_OFFSET.get(platform, 0))
    return None


def delivered_text(action: Action) -> str:
    """The text a delivered key event carries (digits and OK), so text-aware items still work."""
    if action is Action.OK:
        return "\r"
    if action.value.isdigit():
        return action.value
    return ""


def key_name(key: int) -> str:
    """A readable name of a Qt key code, for doctor output ("Return", "F1")."""
    try:
        return K(key).name.removeprefix("Key_")
    except ValueError:
        return hex(key)
