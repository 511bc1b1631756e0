"""Driving a running booth like a visitor or staff would: keys into the window, time on its clock.

Every key goes to the window as the platform would send it, so it passes the input layer's
router and the booth's filter in the real order.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from pytestqt.qtbot import QtBot

from tests.app.ui import focused, settle, wait_focus
from tests.booth.rig import BoothRig
from tvclient.booth.idle import Mode

OK = Qt.Key.Key_Return
BACK = Qt.Key.Key_Escape
UP, DOWN = Qt.Key.Key_Up, Qt.Key.Key_Down
MENU = Qt.Key.Key_Menu
# A keyboard's F1-F4 are the remote's colour keys (the input layer maps them).
RED, GREEN, YELLOW, BLUE = Qt.Key.Key_F1, Qt.Key.Key_F2, Qt.Key.Key_F3, Qt.Key.Key_F4
STAFF_KEYS = (RED, GREEN, YELLOW, RED, GREEN, YELLOW)
DIGITS = {str(n): getattr(Qt.Key, f"Key_{n}") for n in range(10)}


def press(
    rig: BoothRig, key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """One press and release of `key`."""
    window = rig.booth.shell.window
    for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
        QGuiApplication.sendEvent(window, QKeyEvent(kind, key, modifiers))


def mode(rig: BoothRig) -> Mode:
    """Where the booth's visit cycle is now."""
    return rig.booth.mode


def type_pin(rig: BoothRig, pin: str) -> None:
    """Digits on the number keys."""
    for digit in pin:
        press(rig, DIGITS[digit])


def enter_staff_sequence(rig: BoothRig) -> None:
    """Red, Green, Yellow, Red, Green, Yellow."""
    for key in STAFF_KEYS:
        press(rig, key)


def idle(rig: BoothRig, seconds: float, step: float = 1.0) -> None:
    """Let `seconds` pass on the booth's clock, ticking the booth as its timer would."""
    remaining = seconds
    while remaining > 0:
        delta = min(step, remaining)
        rig.clock.advance(delta)
        remaining -= delta
        rig.booth.tick()


def wait_ready(qtbot: QtBot, rig: BoothRig) -> None:
    """Until the reset is over and the attract loop takes the next visitor."""
    qtbot.waitUntil(lambda: rig.booth.ready, timeout=15_000)


def start_visit(qtbot: QtBot, rig: BoothRig) -> None:
    """OK on the attract loop: the app's store, with the first tile focused."""
    press(rig, OK)
    assert mode(rig) is Mode.VISIT
    shell = rig.booth.shell
    settle(qtbot, shell, "home")
    first = shell.model.store_model.rows.row(0)
    assert first is not None
    wait_focus(qtbot, shell, f"tile_{first['productId']}")


def open_scan(qtbot: QtBot, rig: BoothRig) -> None:
    """Store → first product → link a wallet → AlipayHK → a QR on screen."""
    shell = rig.booth.shell
    press(rig, OK)
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "linkButton")
    press(rig, OK)
    settle(qtbot, shell, "wallets")
    wait_focus(qtbot, shell, "wallet_ALIPAY_HK")
    press(rig, OK)
    settle(qtbot, shell, "scan", timeout=10_000)
    qtbot.waitUntil(lambda: shell.model.bind_model.view("phase") == "waiting", timeout=10_000)


def staff_approve_and_continue(qtbot: QtBot, rig: BoothRig) -> None:
    """The staff key (Blue) approves the QR; OK on Bound goes back to the product."""
    shell = rig.booth.shell
    press(rig, BLUE)
    settle(qtbot, shell, "bound", timeout=15_000)
    wait_focus(qtbot, shell, "continueButton")
    press(rig, OK)
    settle(qtbot, shell, "product")


def pay(qtbot: QtBot, rig: BoothRig) -> None:
    """One deliberate press of Pay, then the receipt."""
    shell = rig.booth.shell
    wait_focus(qtbot, shell, "payButton")
    qtbot.wait(350)  # a deliberate press starts after the screen settled (purchase.settle_ms)
    press(rig, OK)
    settle(qtbot, shell, "receipt", timeout=20_000)


def countdown_then_reset(qtbot: QtBot, rig: BoothRig) -> None:
    """90 s without input, the 10 s countdown, the reset, the attract loop again."""
    idle(rig, rig.booth.cycle.reset_after)
    assert mode(rig) is Mode.COUNTDOWN
    idle(rig, rig.booth.cycle.countdown)
    wait_ready(qtbot, rig)


__all__ = [
    "BACK", "BLUE", "DIGITS", "DOWN", "GREEN", "MENU", "OK", "RED", "STAFF_KEYS", "UP", "YELLOW",
    "countdown_then_reset", "enter_staff_sequence", "focused", "idle", "mode", "open_scan", "pay",
    "press", "staff_approve_and_continue", "start_visit", "type_pin", "wait_ready",
]
