"""Keyboards and IR/USB remotes drive a real QML scene through the router."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QInputDevice, QKeyEvent

from tvclient.app.input.settings import InputSettings

K = Qt.Key


def test_arrows_move_and_ok_keys_activate(make_harness):
    """Arrows move focus; Return, Enter, Select and Space all activate the focused item."""
    h = make_harness(controllers=False)
    assert h.focused() == "tile0"
    for ok in (K.Key_Return, K.Key_Enter, K.Key_Select, K.Key_Space):
        h.tap(K.Key_Right)
        h.clock.advance(0.5)
        focused = h.focused()
        h.tap(ok)
        assert h.probe.activations[-1] == focused
        assert h.focused() == "pay"
        h.clock.advance(0.5)
        h.tap(K.Key_Escape)
        h.clock.advance(0.5)
    assert h.probe.activations == ["tile1", "tile2", "tile3", "tile3"]
    h.tap(K.Key_Down)
    assert h.focused() == "more"


def test_back_keys_go_back(make_harness):
    """Escape, Backspace, Back and Exit all go back, delivered to QML as Escape."""
    h = make_harness(controllers=False)
    for back in (K.Key_Escape, K.Key_Backspace, K.Key_Back, K.Key_Exit):
        h.tap(K.Key_Return)
        h.clock.advance(0.5)
        assert h.focused() == "pay"
        h.tap(back)
        h.clock.advance(0.5)
        assert h.focused() == "tile0"
    assert h.probe.backs == ["pop"] * 4
    assert K.Key_Backspace.value not in h.spy.delivered_keys()


def test_menu_home_digits_and_colour_keys_arrive_normalised(make_harness):
    """Menu, Home, digits, F1 (red) and remote colour keys reach QML as their fixed keys."""
    h = make_harness(controllers=False)
    for key in (K.Key_Menu, K.Key_Home, K.Key_5, K.Key_F1, K.Key_Blue):
        h.tap(key)
        h.clock.advance(0.5)
    assert [k for k, _ in h.probe.keys] == [
        K.Key_Menu.value, K.Key_HomePage.value, K.Key_5.value, K.Key_Red.value,
        K.Key_Blue.value,
    ]


def test_media_keys_are_swallowed(make_harness):
    """Play, volume and friends never reach a control."""
    h = make_harness(controllers=False)
    for key in (K.Key_MediaPlay, K.Key_VolumeUp, K.Key_MediaTogglePlayPause):
        h.tap(key)
    assert h.spy.presses == []
    assert h.focused() == "tile0"


def test_ctrl_and_alt_combinations_pass_through(make_harness):
    """Alt+F4 and Ctrl+arrows are not remote actions: the router leaves them alone."""
    h = make_harness(controllers=False)
    QGuiApplication.sendEvent(
        h.view, QKeyEvent(QEvent.Type.KeyPress, K.Key_F4, Qt.KeyboardModifier.AltModifier)
    )
    assert h.probe.keys == []
    assert h.spy.presses == []


def test_held_arrow_repeats_at_the_steady_rate(make_harness):
    """OS auto-repeat every 33 ms moves focus only every 150 ms."""
    h = make_harness(InputSettings(repeat_seconds=0.15), controllers=False)
    h.key_press(K.Key_Right)
    h.clock.advance(0.5)
    for _ in range(15):
        h.key_press(K.Key_Right, repeat=True)
        h.clock.advance(0.033)
    repeats = [at for key, rep, at in h.spy.presses if rep]
    assert len(repeats) == 3
    assert all(0.149 <= b - a < 0.2 for a, b in itertools.pairwise(repeats))


def test_held_ok_does_not_repeat(make_harness):
    """Auto-repeat of OK never activates anything again."""
    h = make_harness(controllers=False)
    h.tap(K.Key_Down)
    h.key_press(K.Key_Return)
    for _ in range(10):
        h.clock.advance(0.05)
        h.key_press(K.Key_Return, repeat=True)
    h.key_release(K.Key_Return)
    assert h.probe.activations == ["more"]


def test_remote_double_press_is_dropped_keyboard_is_not(make_harness):
    """A remote's doubled press moves once; the same two presses on a keyboard move twice."""
    h = make_harness(controllers=False)
    remote = QInputDevice("gpio_ir_recv", 4242, QInputDevice.DeviceType.Keyboard)
    for _ in range(2):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QGuiApplication.sendEvent(
                h.view, QKeyEvent(kind, K.Key_Right, Qt.KeyboardModifier.NoModifier, 0, 0, 0,
                                  "", False, 1, remote)
            )
        h.clock.advance(0.1)
    assert h.focused() == "tile1"
    h.clock.advance(1.0)
    h.tap(K.Key_Right, hold=0.02)
    h.clock.advance(0.08)
    h.tap(K.Key_Right, hold=0.02)
    assert h.focused() == "tile3"
    assert h.layer.router.deviceKind == "keyboard"


def test_key_held_while_focus_changes_does_not_act(make_harness, qtbot):
    """A key pressed before the window lost focus is ignored after it comes back."""
    h = make_harness(controllers=False)
    h.key_press(K.Key_Right)
    assert h.focused() == "tile1"
    h.deactivate(qtbot)
    h.activate(qtbot)
    h.key_press(K.Key_Right, repeat=True)
    h.key_release(K.Key_Right)
    assert h.focused() == "tile1"
    assert K.Key_Right.value not in h.spy.releases
