"""The purchase PIN and the daily spending cap, as the buyer meets them on the Product screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.app.conftest import MakeShell
from tests.app.fake_backend import FakeBackend
from tests.app.ui import BACK, OK, find_item, screen, send, settle, tick, wait_focus
from tests.helpers.clock import FakeClock
from tvclient.app.services import AppServices
from tvclient.app.shell import AppShell
from tvclient.device.vault import BindingVault
from tvclient.money import Money

DIGITS = [Qt.Key.Key_0, Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4,
          Qt.Key.Key_5, Qt.Key.Key_6, Qt.Key.Key_7, Qt.Key.Key_8, Qt.Key.Key_9]


def type_pin(shell: AppShell, pin: str) -> None:
    """The digits on the remote's number keys."""
    for digit in pin:
        send(shell, DIGITS[int(digit)])


def open_product(qtbot: QtBot, shell: AppShell, clock: FakeClock) -> None:
    """The first product, with the press window passed."""
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, OK)
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "payButton")
    tick(shell, clock, 1.0)


def test_pin_is_announced_then_asked_then_pays(
    qtbot: QtBot, make_shell: MakeShell, backend: FakeBackend, *, vault: BindingVault,
    clock: FakeClock, services: AppServices,
) -> None:
    """With a PIN set the Product screen says so; Pay asks for it; the right PIN pays once."""
    pins = services.pins
    pins.set_pin("2468")
    backend.link(vault)
    shell = make_shell()
    open_product(qtbot, shell, clock)
    assert shell.model.product_model.view("pinLine") == "Your purchase PIN will be asked for."
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.pin_model.open_)
    wait_focus(qtbot, shell, "pinDialog")
    type_pin(shell, "1111")
    qtbot.waitUntil(lambda: "Wrong PIN" in shell.model.pin_model.view("errorText"))
    assert backend.created == 0
    type_pin(shell, "2468")
    settle(qtbot, shell, "receipt")
    assert backend.created == 1


def test_back_in_the_pin_pad_deletes_then_cancels(
    qtbot: QtBot, make_shell: MakeShell, backend: FakeBackend, *, vault: BindingVault,
    clock: FakeClock, services: AppServices,
) -> None:
    """Back removes a typed digit, then closes the PIN pad; Pay needs a fresh press again."""
    services.pins.set_pin("2468")
    backend.link(vault)
    shell = make_shell()
    open_product(qtbot, shell, clock)
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.pin_model.open_)
    type_pin(shell, "2")
    send(shell, BACK)
    assert shell.model.pin_model.open_
    send(shell, BACK)
    qtbot.waitUntil(lambda: not shell.model.pin_model.open_)
    wait_focus(qtbot, shell, "payButton")
    assert screen(shell) == "product"
    assert backend.created == 0


def test_pin_pad_works_with_arrows_and_ok(
    qtbot: QtBot, make_shell: MakeShell, backend: FakeBackend, *, vault: BindingVault,
    clock: FakeClock, services: AppServices,
) -> None:
    """Without number keys: arrows over the on-screen pad and OK enter the PIN."""
    services.pins.set_pin("5555")
    backend.link(vault)
    shell = make_shell()
    open_product(qtbot, shell, clock)
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.pin_model.open_)
    send(shell, Qt.Key.Key_Down)   # "1" → "4"
    send(shell, Qt.Key.Key_Right)  # "4" → "5"
    for _ in range(4):
        send(shell, OK)
    settle(qtbot, shell, "receipt")


def test_cap_shows_what_is_left_and_blocks_over_it(
    qtbot: QtBot, make_shell: MakeShell, backend: FakeBackend, *, vault: BindingVault,
    clock: FakeClock, services: AppServices,
) -> None:
    """The daily cap is shown before Pay; an item above what is left cannot be paid."""
    cap = services.cap
    cap.set_limit("HKD", Money(5000, "HKD"))
    backend.link(vault)
    shell = make_shell()
    open_product(qtbot, shell, clock)
    product = shell.model.product_model
    assert product.view("capLine") == "Daily limit HK$50.00: HK$50.00 left today"
    assert product.view("canPay")
    send(shell, OK)
    settle(qtbot, shell, "receipt")
    send(shell, OK)  # Done
    settle(qtbot, shell, "home")
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, OK)
    settle(qtbot, shell, "product")
    assert product.view("capLine") == "Daily limit HK$50.00: HK$12.00 left today"
    assert not product.view("canPay")
    assert "HK$12.00" in product.view("blockedReason")
    reason = find_item(shell, "blockedReason")
    assert reason is not None
    assert reason.property("text") == product.view("blockedReason")
    tick(shell, clock, 1.0)
    send(shell, OK)
    qtbot.wait(100)
    assert backend.created == 1
