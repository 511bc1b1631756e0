"""Every screen of the real app walked with each device kind alone.

Keyboard, IR remote, game controller and HDMI-CEC remote in turn: store, bind, buy with the
PIN, receipt, account, Menu and the leave-question.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QInputDevice, QKeyEvent
from pytestqt.qtbot import QtBot

from tests.app.ui import focused, settle, wait_focus
from tests.input.app.conftest import DrivenApp
from tests.input.conftest import VirtualPad
from tvclient.app.input.actions import Action, digit_action
from tvclient.app.input.gamepad.navigator import PadButton
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell

K = Qt.Key
# Between two presses: outside the double-press window and the Pay gate's settle time, like a
# person reading the screen. The fake clock moves; nothing sleeps.
PACE = 0.4

KEYBOARD_KEYS = {
    Action.UP: K.Key_Up, Action.DOWN: K.Key_Down, Action.LEFT: K.Key_Left,
    Action.RIGHT: K.Key_Right, Action.OK: K.Key_Return, Action.BACK: K.Key_Escape,
    Action.MENU: K.Key_Menu, **{digit_action(d): K(K.Key_0.value + d) for d in range(10)},
}
# What an IR remote (through a kernel IR receiver) sends: Select, Back, its own Menu key.
REMOTE_KEYS = {
    **KEYBOARD_KEYS, Action.OK: K.Key_Select, Action.BACK: K.Key_Back,
}
PAD_BUTTONS = {
    Action.UP: PadButton.DPAD_UP, Action.DOWN: PadButton.DPAD_DOWN,
    Action.LEFT: PadButton.DPAD_LEFT, Action.RIGHT: PadButton.DPAD_RIGHT,
    Action.OK: PadButton.A, Action.BACK: PadButton.B, Action.MENU: PadButton.START,
}
CEC_CODES = {
    Action.UP: 0x01, Action.DOWN: 0x02, Action.LEFT: 0x03, Action.RIGHT: 0x04,
    Action.OK: 0x00, Action.BACK: 0x0D, Action.MENU: 0x0A,
    **{digit_action(d): 0x20 + d for d in range(10)},
}


class Device(Protocol):
    """One device kind, pressing one action at a time."""

    has_digits: bool

    def press(self, action: Action) -> None:
        """Press and release the device's control for `action`."""


class KeyDevice:
    """A keyboard, or an IR remote whose receiver is a kernel input device."""

    def __init__(self, app: DrivenApp, keys: dict[Action, K], device: QInputDevice | None):
        self._app = app
        self._keys = keys
        self._device = device
        self.has_digits = True

    def press(self, action: Action) -> None:
        self._app.advance(PACE)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            if self._device is None:
                event = QKeyEvent(kind, self._keys[action], Qt.KeyboardModifier.NoModifier)
            else:
                event = QKeyEvent(kind, self._keys[action], Qt.KeyboardModifier.NoModifier,
                                  0, 0, 0, "", False, 1, self._device)
            QGuiApplication.sendEvent(self._app.shell.window, event)
            self._app.advance(0.05)


class PadDevice:
    """A game controller (virtual SDL pad): no digits, so PINs go through the on-screen pad."""

    def __init__(self, app: DrivenApp, pad: VirtualPad):
        self._app = app
        self._pad = pad
        self.has_digits = False

    def press(self, action: Action) -> None:
        controllers = self._app.layer.controllers
        assert controllers is not None
        self._app.advance(PACE)
        self._pad.press(PAD_BUTTONS[action])
        controllers.poll_once()
        self._app.advance(0.05)
        self._pad.release(PAD_BUTTONS[action])
        controllers.poll_once()


class CecDevice:
    """The TV's own remote over HDMI-CEC (a scripted adapter)."""

    def __init__(self, app: DrivenApp):
        self._app = app
        self.has_digits = True

    def press(self, action: Action) -> None:
        cec = self._app.layer.cec
        assert cec is not None
        self._app.advance(PACE)
        self._app.cec.press(CEC_CODES[action])
        cec.poll_once()
        self._app.advance(0.05)
        self._app.cec.release(CEC_CODES[action])
        cec.poll_once()


def keyboard(app: DrivenApp, plug_pad: Callable[[], VirtualPad]) -> Device:
    """Only a keyboard."""
    return KeyDevice(app, KEYBOARD_KEYS, None)


def ir_remote(app: DrivenApp, plug_pad: Callable[[], VirtualPad]) -> Device:
    """Only an IR remote."""
    receiver = QInputDevice("gpio_ir_recv", 7001, QInputDevice.DeviceType.Keyboard)
    return KeyDevice(app, REMOTE_KEYS, receiver)


def controller(app: DrivenApp, plug_pad: Callable[[], VirtualPad]) -> Device:
    """Only a game controller."""
    pad = plug_pad()
    assert app.layer.controllers is not None
    app.layer.controllers.poll_once()
    return PadDevice(app, pad)


def cec_remote(app: DrivenApp, plug_pad: Callable[[], VirtualPad]) -> Device:
    """Only the TV's remote over HDMI-CEC."""
    assert app.layer.cec is not None
    app.layer.cec.poll_once()
    return CecDevice(app)


def go(qtbot: QtBot, app: DrivenApp, device: Device, action: Action, focus: str) -> None:
    """Press `action` and wait until `focus` has the focus."""
    device.press(action)
    wait_focus(qtbot, app.shell, focus)


def enter_pin(qtbot: QtBot, app: DrivenApp, device: Device, pin: str) -> None:
    """Type a PIN: with digit keys when the device has them, else arrows + OK on the pad."""
    shell = app.shell
    qtbot.waitUntil(lambda: shell.model.pin_model.open_, timeout=3000)
    request = shell.model.pin_model.request
    assert request is not None
    pad = request.pad
    for digit in pin:
        if device.has_digits:
            device.press(digit_action(int(digit)))
            continue
        keys: list[str] = pad.property("keys")
        target = keys.index(digit)
        while pad.property("focusIndex") != target:
            row, col = divmod(pad.property("focusIndex"), 3)
            want_row, want_col = divmod(target, 3)
            if row != want_row:
                device.press(Action.DOWN if want_row > row else Action.UP)
            else:
                device.press(Action.RIGHT if want_col > col else Action.LEFT)
        device.press(Action.OK)


@pytest.mark.parametrize("make_device", [keyboard, ir_remote, controller, cec_remote])
def test_whole_app_with_one_device_kind(
    qtbot: QtBot, make_app: Callable[[], DrivenApp], plug_pad: Callable[[], VirtualPad],
    make_device: Callable[[DrivenApp, Callable[[], VirtualPad]], Device],
) -> None:
    """Store, bind, pay with the PIN, receipt, account, Menu and the leave-question, one device."""
    app = make_app()
    shell = app.shell
    shell.services.pins.set_pin("2580")
    device = make_device(app, plug_pad)

    # Store: arrows walk the grid and reach the Account button.
    wait_focus(qtbot, shell, "tile_movie-night")
    go(qtbot, app, device, Action.RIGHT, "tile_football-pass")
    go(qtbot, app, device, Action.LEFT, "tile_movie-night")
    # Product (not linked yet) → choose wallet → scan; Back cancels the scan.
    device.press(Action.OK)
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "linkButton")
    device.press(Action.OK)
    settle(qtbot, shell, "wallets")
    go(qtbot, app, device, Action.RIGHT, "wallet_DANA")
    go(qtbot, app, device, Action.LEFT, "wallet_ALIPAY_HK")
    device.press(Action.OK)
    settle(qtbot, shell, "scan")
    wait_focus(qtbot, shell, "cancelButton")
    device.press(Action.BACK)
    settle(qtbot, shell, "wallets")
    device.press(Action.OK)
    settle(qtbot, shell, "scan")
    qtbot.waitUntil(lambda: shell.model.bind_model.view("phase") == "waiting")
    shell.worker.call_sync(app.backend.approve)
    settle(qtbot, shell, "bound")
    wait_focus(qtbot, shell, "continueButton")
    device.press(Action.OK)
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "payButton")
    # Pay once, confirm with the PIN, see the receipt.
    device.press(Action.OK)
    enter_pin(qtbot, app, device, "2580")
    settle(qtbot, shell, "receipt")
    assert app.backend.created == 1
    wait_focus(qtbot, shell, "doneButton")
    device.press(Action.OK)
    settle(qtbot, shell, "home")
    # Account through its button, and through Menu; Back returns.
    wait_focus(qtbot, shell, "tile_movie-night")
    go(qtbot, app, device, Action.UP, "accountButton")
    device.press(Action.OK)
    settle(qtbot, shell, "account")
    for name in ("languageButton", "pinButton", "capButton"):
        go(qtbot, app, device, Action.DOWN, name)
    device.press(Action.BACK)
    settle(qtbot, shell, "home")
    device.press(Action.MENU)
    settle(qtbot, shell, "account")
    device.press(Action.BACK)
    settle(qtbot, shell, "home")
    # Back at the root asks before leaving; Back again stays.
    device.press(Action.BACK)
    qtbot.waitUntil(lambda: shell.model.dialog_model.open_)
    wait_focus(qtbot, shell, "dialogButton0")
    device.press(Action.BACK)
    qtbot.waitUntil(lambda: not shell.model.dialog_model.open_)
    assert focused(shell) != ""
    assert app.backend.created == 1


def test_the_apps_own_wiring_takes_controller_input(
    qtbot: QtBot, options: AppOptions, services: AppServices,
    plug_pad: Callable[[], VirtualPad],
) -> None:
    """AppShell's own input hookup (as `tvclient` runs it) polls a plugged-in controller."""
    wired = dataclasses.replace(
        services, input_settings={"input.controller_navigation": True, "input.cec": "off"}
    )
    shell = AppShell(options, wired)
    try:
        shell.show()
        qtbot.waitUntil(shell.window.isActive, timeout=3000)
        settle(qtbot, shell, "home")
        wait_focus(qtbot, shell, "tile_movie-night")
        pad = plug_pad()
        qtbot.wait(100)  # the hookup's poll timer opens the pad
        pad.press(PadButton.DPAD_RIGHT)
        wait_focus(qtbot, shell, "tile_football-pass")
        pad.release(PadButton.DPAD_RIGHT)
        pad.press(PadButton.A)
        settle(qtbot, shell, "product")
    finally:
        shell.close()
