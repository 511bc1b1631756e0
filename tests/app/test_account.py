"""The Account screen: unlink, link from here, language, PIN, daily limit, purchase history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tests.app.ui import (
    DOWN,
    OK,
    RIGHT,
    UP,
    find_item,
    screen,
    send,
    settle,
    steer,
    tick,
    wait_focus,
)
from tests.helpers.clock import FakeClock
from tvclient.app.services import AppServices
from tvclient.app.shell import AppShell
from tvclient.money import Money


def open_account(qtbot: QtBot, shell: AppShell) -> None:
    """Menu key → Account."""
    send(shell, Qt.Key.Key_Menu)
    settle(qtbot, shell, "account")


def test_unlink_asks_then_forgets_the_wallet(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend
) -> None:
    """Unlink asks first ("Keep linked" is the default); confirming revokes it, the badge goes."""
    shell = linked_shell
    qtbot.waitUntil(lambda: shell.model.view("badgeVisible"))
    open_account(qtbot, shell)
    assert shell.model.account_model.view("walletText") == "AlipayHK · 852****5678"
    wait_focus(qtbot, shell, "unlinkButton")
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.dialog_model.open_)
    wait_focus(qtbot, shell, "dialogButton0")
    send(shell, RIGHT)
    send(shell, OK)
    qtbot.waitUntil(lambda: not shell.model.view("badgeVisible"))
    assert all(b.state == "REVOKED" and b.revoked_by == "DEVICE" for b in backend.bindings.values())
    assert shell.model.account_model.view("walletText") == "No wallet linked"
    wait_focus(qtbot, shell, "linkWalletButton")


def test_link_from_the_account_comes_back_to_it(
    qtbot: QtBot, shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """Linking started in Account returns to Account with the wallet shown."""
    open_account(qtbot, shell)
    wait_focus(qtbot, shell, "linkWalletButton")
    send(shell, OK)
    settle(qtbot, shell, "wallets")
    send(shell, RIGHT)
    send(shell, OK)
    settle(qtbot, shell, "scan")
    qtbot.waitUntil(lambda: shell.model.bind_model.view("phase") == "waiting")
    steer(shell, backend.approve)
    settle(qtbot, shell, "bound")
    assert shell.model.bind_model.view("boundAccount") == "Account 62-812****3456"
    send(shell, OK)
    settle(qtbot, shell, "account")
    assert shell.model.account_model.view("walletText") == "DANA · 62-812****3456"


def test_language_changes_every_text_and_amount(qtbot: QtBot, linked_shell: AppShell) -> None:
    """Cycling the language re-renders the screens, prices included (HK$38.00 → 中文 → Rp…)."""
    shell = linked_shell
    open_account(qtbot, shell)
    send(shell, DOWN)
    wait_focus(qtbot, shell, "languageButton")
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.view("language") == "zh-HK")
    assert shell.model.account_model.view("languageText") == "語言：中文（香港）"  # noqa: RUF001
    title = find_item(shell, "screen_account")
    assert title is not None
    assert title.property("title") == "帳戶"
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.view("language") == "id")
    first = shell.model.store_model.rows.row(0)
    assert first is not None
    assert first["title"] == "Malam film"
    assert first["priceText"] == "HK$38,00"  # Indonesian digits on the linked HKD wallet


def test_pin_can_be_set_and_removed(qtbot: QtBot, shell: AppShell, services: AppServices) -> None:
    """Set a PIN (twice the same digits), then remove it with that PIN."""
    open_account(qtbot, shell)
    send(shell, DOWN)
    send(shell, DOWN)
    wait_focus(qtbot, shell, "pinButton")
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.pin_model.open_)
    assert shell.model.pin_model.view("stepText") == "Choose 4 digits."
    for key in (Qt.Key.Key_1, Qt.Key.Key_9, Qt.Key.Key_8, Qt.Key.Key_4) * 2:
        send(shell, key)
    qtbot.waitUntil(lambda: not shell.model.pin_model.open_)
    assert services.pins.has_pin()
    assert shell.model.account_model.view("pinText") == "Purchase PIN: On"
    wait_focus(qtbot, shell, "pinButton")
    send(shell, OK)
    qtbot.waitUntil(lambda: shell.model.pin_model.open_)
    for key in (Qt.Key.Key_1, Qt.Key.Key_9, Qt.Key.Key_8, Qt.Key.Key_4):
        send(shell, key)
    qtbot.waitUntil(lambda: not shell.model.pin_model.open_)
    assert not services.pins.has_pin()


def test_daily_limit_cycles_in_the_wallet_currency(
    qtbot: QtBot, linked_shell: AppShell, services: AppServices
) -> None:
    """OK on the limit steps through HK$100, 200, 500, 1,000 and off again."""
    shell = linked_shell
    open_account(qtbot, shell)
    for _ in range(3):
        send(shell, DOWN)
    wait_focus(qtbot, shell, "capButton")
    seen = []
    for _ in range(5):
        send(shell, OK)
        seen.append(shell.model.account_model.view("capText"))
    assert seen == [
        "Daily limit: HK$100.00", "Daily limit: HK$200.00", "Daily limit: HK$500.00",
        "Daily limit: HK$1,000.00", "Daily limit: Off",
    ]
    assert services.cap.limit("HKD") is None
    send(shell, OK)
    assert services.cap.limit("HKD") == Money(10_000, "HKD")


def test_history_lists_purchases(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """After a purchase the Account shows it, and Right reaches the list to scroll it."""
    shell = linked_shell
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, OK)
    settle(qtbot, shell, "product")
    tick(shell, clock, 1.0)
    send(shell, OK)
    settle(qtbot, shell, "receipt")
    send(shell, Qt.Key.Key_Menu)
    settle(qtbot, shell, "account")
    history = shell.model.account_model.history_rows
    qtbot.waitUntil(lambda: history.rowCount() == 1)
    row = history.row(0)
    assert row is not None
    assert (row["item"], row["amount"], row["status"]) == ("Movie night", "HK$38.00", "Paid")
    send(shell, RIGHT)
    wait_focus(qtbot, shell, "historyList")
    send(shell, UP)  # nothing above: stays
    assert screen(shell) == "account"
