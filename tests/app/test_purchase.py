"""One press of Pay buys; repeats, held keys, carried-over and double presses never pay twice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tests.app.ui import (
    DOWN,
    OK,
    UP,
    find_item,
    release,
    screen,
    send,
    settle,
    steer,
    tick,
    wait_focus,
)
from tests.helpers.clock import FakeClock
from tvclient.app.shell import AppShell


def open_product(qtbot: QtBot, shell: AppShell, clock: FakeClock) -> None:
    """OK on the focused tile, then let the press-freshness window pass."""
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, OK)
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "payButton")
    tick(shell, clock, 1.0)


def test_one_press_of_pay_shows_the_receipt(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """Later purchases: choose, one press of Pay, receipt (item, amount, wallet, order, time)."""
    shell = linked_shell
    open_product(qtbot, shell, clock)
    assert shell.model.product_model.view("payLabel") == "Pay HK$38.00 with AlipayHK"
    send(shell, OK)
    settle(qtbot, shell, "receipt")
    assert backend.created == 1
    rows = {row["key"]: row["value"] for row in shell.model.purchase_model.view("receiptRows")}
    assert rows["item"] == "Movie night"
    assert rows["amount"] == "HK$38.00"
    assert rows["wallet"] == "AlipayHK · 852****5678"
    assert rows["order"] == next(iter(backend.purchases.values())).order_ref
    assert rows["time"] == "Mar 2, 2026, 12:00:01\u202fPM"  # FakeClock start + 1 s, in Hong Kong
    wait_focus(qtbot, shell, "doneButton")
    send(shell, OK)
    settle(qtbot, shell, "home")


def test_a_press_that_began_on_the_store_never_pays(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """OK held from the tile into the Product screen: its repeats and its release do nothing."""
    shell = linked_shell
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, OK, release=False)  # opens the product on the press
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "payButton")
    tick(shell, clock, 1.0)
    for _ in range(5):
        send(shell, OK, release=False, repeat=True)
    release(shell, OK)
    qtbot.wait(100)
    assert backend.created == 0
    assert screen(shell) == "product"


def test_auto_repeat_never_pays(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """Auto-repeated OK events on Pay are not presses."""
    shell = linked_shell
    open_product(qtbot, shell, clock)
    for _ in range(10):
        send(shell, OK, repeat=True)
    qtbot.wait(100)
    assert backend.created == 0


def test_a_held_key_never_pays(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """OK pressed on Pay and held for seconds (someone sitting on the remote) does not pay."""
    shell = linked_shell
    open_product(qtbot, shell, clock)
    send(shell, OK, release=False)
    tick(shell, clock, 3.0)
    release(shell, OK)
    qtbot.wait(100)
    assert backend.created == 0
    assert "too long" in shell.model.product_model.view("payHint")


def test_a_press_right_as_the_screen_appears_never_pays(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """A second OK landing within the settle time of the Product screen is not aimed at Pay."""
    shell = linked_shell
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, OK)
    settle(qtbot, shell, "product")
    send(shell, OK)  # the clock has not moved: 0 s after the screen appeared
    qtbot.wait(100)
    assert backend.created == 0
    tick(shell, clock, 1.0)
    send(shell, OK)  # now a deliberate press
    settle(qtbot, shell, "receipt")
    assert backend.created == 1


def test_a_double_press_pays_once(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """Two quick presses of OK on Pay create one purchase."""
    shell = linked_shell
    backend.hold_purchases = True
    open_product(qtbot, shell, clock)
    send(shell, OK)
    tick(shell, clock, 0.1)
    send(shell, OK)
    settle(qtbot, shell, "paying")
    send(shell, OK)
    steer(shell, backend.release_purchases)
    settle(qtbot, shell, "receipt")
    assert backend.created == 1


def test_focus_leaving_pay_mid_press_does_not_pay(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """Down moves off Pay while OK is down; the release elsewhere pays nothing."""
    shell = linked_shell
    open_product(qtbot, shell, clock)
    send(shell, OK, release=False)
    send(shell, DOWN)
    wait_focus(qtbot, shell, "backButton")
    send(shell, UP)
    wait_focus(qtbot, shell, "payButton")
    release(shell, OK)
    qtbot.wait(100)
    assert backend.created == 0


def test_checking_with_the_wallet_is_never_shown_as_failure(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """A payment whose outcome takes a while says "checking with your wallet", then the receipt."""
    shell = linked_shell
    backend.hold_purchases = True
    open_product(qtbot, shell, clock)
    send(shell, OK)
    settle(qtbot, shell, "paying")
    tick(shell, clock, 3.0)
    qtbot.waitUntil(lambda: shell.model.purchase_model.view("phase") == "checking")
    assert shell.model.purchase_model.view("statusText") == "Checking with AlipayHK…"
    status = find_item(shell, "payingStatus")
    assert status is not None
    assert status.property("text") == "Checking with AlipayHK…"
    send(shell, Qt.Key.Key_Escape)  # Back cannot abandon a payment in flight
    qtbot.waitUntil(lambda: shell.model.dialog_model.open_)
    assert screen(shell) == "paying"
    send(shell, OK)
    steer(shell, backend.release_purchases)
    settle(qtbot, shell, "receipt")
