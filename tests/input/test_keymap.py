"""Keyboard and remote keys map to actions; actions are delivered as fixed Qt keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tvclient.app.input.actions import Action
from tvclient.app.input.keymap import DELIVERED_KEYS, IGNORED_KEYS, action_for_key

K = Qt.Key


@pytest.mark.parametrize(
    ("key", "action"),
    [
        (K.Key_Return, Action.OK), (K.Key_Enter, Action.OK), (K.Key_Select, Action.OK),
        (K.Key_Space, Action.OK), (K.Key_Escape, Action.BACK), (K.Key_Backspace, Action.BACK),
        (K.Key_Back, Action.BACK), (K.Key_Menu, Action.MENU), (K.Key_HomePage, Action.HOME),
        (K.Key_Home, Action.HOME), (K.Key_F1, Action.RED), (K.Key_F2, Action.GREEN),
        (K.Key_F3, Action.YELLOW), (K.Key_F4, Action.BLUE), (K.Key_Red, Action.RED),
        (K.Key_7, Action.DIGIT_7), (K.Key_Up, Action.UP),
    ],
)
def test_issue_key_table(key, action):
    """The keys the issue lists mean the actions it lists."""
    assert action_for_key(key.value) is action


def test_every_action_is_delivered_as_a_key_that_maps_back():
    """What QML receives for an action reads back as the same action."""
    assert set(DELIVERED_KEYS) == set(Action)
    for action, key in DELIVERED_KEYS.items():
        assert action_for_key(key) is action


def test_media_keys_are_ignored_not_actions():
    """Media keys mean nothing (and the router swallows them)."""
    for key in (K.Key_MediaPlay, K.Key_VolumeUp, K.Key_MediaTogglePlayPause):
        assert action_for_key(key.value) is None
        assert key.value in IGNORED_KEYS


def test_unnamed_remote_keys_fall_back_to_keysym_and_scan_code():
    """Colour keysyms and evdev codes (KEY_OK, KEY_NUMERIC_3) work when Qt has no key name."""
    assert action_for_key(K.Key_unknown.value, native_virtual_key=0x1008FFA4) is Action.GREEN
    assert action_for_key(0, native_scan_code=352 + 8, platform="xcb") is Action.OK
    assert action_for_key(0, native_scan_code=515, platform="eglfs") is Action.DIGIT_3
    assert action_for_key(0, native_scan_code=9999, platform="xcb") is None
    assert action_for_key(K.Key_A.value, native_scan_code=352 + 8, platform="xcb") is None
