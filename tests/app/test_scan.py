"""Scan to bind: the QR on screen decodes, the countdown runs, lapsed codes renew, Back cancels."""

from __future__ import annotations

import zxingcpp
from PIL import Image
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tests.app.ui import BACK, OK, find_item, grab, screen, send, settle, steer, tick, wait_focus
from tests.helpers.clock import FakeClock
from tvclient.app.shell import AppShell


def decode(image: QImage) -> list[str]:
    """Every QR code zxing-cpp finds in a window grab."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    data = bytes(gray.constBits())[: stride * height]
    pil = Image.frombytes("L", (width, height), data, "raw", "L", stride)
    found = zxingcpp.read_barcodes(pil)
    return [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]


def open_scan(qtbot: QtBot, shell: AppShell) -> None:
    """Store → product → link → AlipayHK → Scan, by keyboard."""
    send(shell, OK)
    settle(qtbot, shell, "product")
    send(shell, OK)
    settle(qtbot, shell, "wallets")
    send(shell, OK)
    settle(qtbot, shell, "scan")
    qtbot.waitUntil(lambda: shell.model.bind_model.view("phase") == "waiting")
    qr = find_item(shell, "qrImage")
    assert qr is not None
    qtbot.waitUntil(lambda: qr.property("progress") == 1.0)
    qtbot.wait(50)


def test_the_qr_on_screen_is_the_sessions_qr(
    qtbot: QtBot, shell: AppShell, backend: FakeBackend
) -> None:
    """A phone pointed at the TV reads exactly the backend's QR text (decoded from a grab)."""
    open_scan(qtbot, shell)
    expected = shell.model.bind_model.view("qrText")
    assert expected.startswith("https://wallet.sandbox.example/authorize?session=")
    assert decode(grab(shell)) == [expected]


def test_countdown_and_a_fresh_code_when_it_lapses(
    qtbot: QtBot, shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """The countdown follows the clock; a lapsed code offers a new one, which is a new session."""
    open_scan(qtbot, shell)
    assert shell.model.bind_model.view("countdownText") == "Code expires in 15:00"
    tick(shell, clock, 61)
    qtbot.waitUntil(
        lambda: shell.model.bind_model.view("countdownText") == "Code expires in 13:59"
    )
    first = shell.model.bind_model.view("qrText")
    steer(shell, backend.expire)
    qtbot.waitUntil(lambda: shell.model.bind_model.view("phase") == "expired")
    wait_focus(qtbot, shell, "renewButton")
    assert decode(grab(shell)) == []  # the lapsed code is covered, nobody scans it
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.bind_model.view("phase") == "waiting")
    assert backend.bind_sessions == 2
    assert shell.model.bind_model.view("qrText") != first


def test_back_cancels_the_session(qtbot: QtBot, shell: AppShell, backend: FakeBackend) -> None:
    """Back on Scan cancels the bind session at the backend; a later approval binds nothing."""
    open_scan(qtbot, shell)
    send(shell, BACK)
    settle(qtbot, shell, "wallets")
    qtbot.waitUntil(lambda: backend.cancelled_sessions == 1)
    assert not shell.model.badgeVisible


def test_declined_explains_and_offers_another_try(
    qtbot: QtBot, shell: AppShell, backend: FakeBackend
) -> None:
    """A declined link shows why and goes back to choosing a wallet."""
    open_scan(qtbot, shell)
    steer(shell, backend.decline)
    settle(qtbot, shell, "failure")
    purchase = shell.model.purchase_model
    assert purchase.view("failureTitle") == "AlipayHK did not link"
    assert purchase.view("failureActionLabel") == "Link a wallet"
    wait_focus(qtbot, shell, "failureAction")
    send(shell, OK)
    settle(qtbot, shell, "wallets")
    assert screen(shell) == "wallets"
