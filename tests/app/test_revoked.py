"""Unlinked in the wallet app (TOKEN_CANCELED): the badge goes and the next purchase binds again."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tests.app.ui import BACK, OK, find_item, send, settle, steer, tick, wait_focus
from tests.helpers.clock import FakeClock
from tvclient.app.shell import AppShell

WHY = (
    "You unlinked this TV in your AlipayHK app, so it can no longer pay. "
    "Link a wallet again to buy."
)


def test_revoked_binding_is_noticed_when_the_product_opens(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend
) -> None:
    """The next product asks to link again, with the sentence saying why; the badge is gone."""
    shell = linked_shell
    qtbot.waitUntil(lambda: shell.model.view("badgeVisible"))
    steer(shell, backend.revoke_in_wallet)
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, OK)
    settle(qtbot, shell, "product")
    qtbot.waitUntil(lambda: not shell.model.view("badgeVisible"))
    product = shell.model.product_model
    qtbot.waitUntil(lambda: not product.view("bound"))
    assert product.view("walletLine") == WHY
    wait_focus(qtbot, shell, "linkButton")
    line = find_item(shell, "walletLine")
    assert line is not None
    assert line.property("text") == WHY
    send(shell, BACK)
    settle(qtbot, shell, "home")
    notice = find_item(shell, "storeNotice")
    assert notice is not None
    assert notice.property("text") == WHY


def test_revoked_binding_found_by_a_payment(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """Pay on a binding revoked meanwhile: nothing charged, why, and "Link a wallet" next."""
    shell = linked_shell
    wait_focus(qtbot, shell, "tile_movie-night")
    send(shell, OK)
    settle(qtbot, shell, "product")
    qtbot.waitUntil(lambda: shell.model.product_model.view("canPay"))
    steer(shell, backend.revoke_in_wallet)
    tick(shell, clock, 1.0)
    send(shell, OK)
    settle(qtbot, shell, "failure")
    purchase = shell.model.purchase_model
    assert purchase.view("failureTitle") == "AlipayHK is no longer linked"
    assert "Nothing was charged" in purchase.view("failureReason")
    assert purchase.view("failureActionLabel") == "Link a wallet"
    assert backend.created == 0
    qtbot.waitUntil(lambda: not shell.model.view("badgeVisible"))
    send(shell, OK)
    settle(qtbot, shell, "wallets")
    assert shell.model.navigator.stack == ("home", "product", "wallets")
