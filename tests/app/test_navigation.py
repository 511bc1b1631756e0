"""Every screen reached with the keyboard alone, focus order, and Back on every screen."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tests.app.ui import (
    BACK,
    DOWN,
    LEFT,
    OK,
    RIGHT,
    UP,
    focused,
    send,
    settle,
    steer,
    tick,
    wait_focus,
)
from tests.helpers.clock import FakeClock
from tvclient.app.shell import AppShell


def test_home_focuses_the_first_tile_and_arrows_walk_the_grid(
    qtbot: QtBot, shell: AppShell
) -> None:
    """The store opens on the first product; arrows move tile by tile, and up to Account."""
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, RIGHT)
    wait_focus(qtbot, shell, "tile_football-pass")
    send(shell, DOWN)
    wait_focus(qtbot, shell, "tile_game-coins")  # the shorter second row: its last tile
    send(shell, UP)
    send(shell, UP)
    wait_focus(qtbot, shell, "accountButton")
    send(shell, DOWN)
    assert focused(shell).startswith("tile_")


def test_first_purchase_path_by_keyboard(
    qtbot: QtBot, shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """Product → link → wallet → scan → bound → back on the product with Pay focused."""
    send(shell, OK)
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "linkButton")
    send(shell, OK)
    settle(qtbot, shell, "wallets")
    wait_focus(qtbot, shell, "wallet_ALIPAY_HK")
    send(shell, RIGHT)
    wait_focus(qtbot, shell, "wallet_DANA")
    send(shell, LEFT)
    send(shell, OK)
    settle(qtbot, shell, "scan")
    wait_focus(qtbot, shell, "cancelButton")
    qtbot.waitUntil(lambda: shell.model.bind_model.view("phase") == "waiting")
    steer(shell, backend.approve)
    settle(qtbot, shell, "bound")
    wait_focus(qtbot, shell, "continueButton")
    send(shell, OK)
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "payButton")
    assert shell.model.navigator.stack == ("home", "product")


def test_bound_screen_moves_on_by_itself(
    qtbot: QtBot, shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """Without a press, the Bound confirmation goes on to the wanted product after a moment."""
    shell.model.store_model.open(0)
    settle(qtbot, shell, "product")
    send(shell, OK)
    settle(qtbot, shell, "wallets")
    send(shell, OK)
    settle(qtbot, shell, "scan")
    qtbot.waitUntil(lambda: shell.model.bind_model.view("phase") == "waiting")
    steer(shell, backend.approve)
    settle(qtbot, shell, "bound")
    assert "Movie night" in shell.model.bind_model.view("continueText")
    tick(shell, clock, 5)
    settle(qtbot, shell, "product")


def test_back_on_every_screen(qtbot: QtBot, shell: AppShell, backend: FakeBackend) -> None:
    """Back pops Product, Wallets and Account, cancels Scan (and its session), asks at Home."""
    send(shell, OK)
    settle(qtbot, shell, "product")
    send(shell, OK)
    settle(qtbot, shell, "wallets")
    send(shell, OK)
    settle(qtbot, shell, "scan")
    qtbot.waitUntil(lambda: backend.bind_sessions == 1)
    send(shell, BACK)
    settle(qtbot, shell, "wallets")
    qtbot.waitUntil(lambda: backend.cancelled_sessions == 1)
    wait_focus(qtbot, shell, "wallet_ALIPAY_HK")
    send(shell, BACK)
    settle(qtbot, shell, "product")
    wait_focus(qtbot, shell, "linkButton")
    send(shell, BACK)
    settle(qtbot, shell, "home")
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, UP)
    send(shell, OK)
    settle(qtbot, shell, "account")
    send(shell, BACK)
    settle(qtbot, shell, "home")
    wait_focus(qtbot, shell, "accountButton")  # focus comes back where it was
    send(shell, BACK)
    qtbot.waitUntil(lambda: shell.model.dialog_model.open_)
    wait_focus(qtbot, shell, "dialogButton0")  # "Stay" is the safe default
    send(shell, BACK)  # Back closes the question, it never leaves the app
    qtbot.waitUntil(lambda: not shell.model.dialog_model.open_)
    wait_focus(qtbot, shell, "accountButton")


def test_leaving_needs_a_confirmation(qtbot: QtBot, shell: AppShell) -> None:
    """Back at the root, then Right + OK on "Leave", asks the app to quit."""
    with qtbot.waitSignal(shell.model.quitRequested, timeout=2000):
        send(shell, BACK)
        wait_focus(qtbot, shell, "dialogButton0")
        send(shell, RIGHT)
        wait_focus(qtbot, shell, "dialogButton1")
        send(shell, OK)


def test_menu_key_opens_the_account(qtbot: QtBot, shell: AppShell) -> None:
    """The remote's Menu key goes to the Account screen from the store."""
    from PySide6.QtCore import Qt

    send(shell, Qt.Key.Key_Menu)
    settle(qtbot, shell, "account")
    wait_focus(qtbot, shell, "linkWalletButton")
    send(shell, DOWN)
    wait_focus(qtbot, shell, "languageButton")
    send(shell, DOWN)
    wait_focus(qtbot, shell, "pinButton")
    send(shell, DOWN)
    wait_focus(qtbot, shell, "capButton")
