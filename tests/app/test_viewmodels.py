"""View-models alone: the signals QML binds to fire, with ready-to-show values."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tests.app.ui import steer, tick
from tests.helpers.clock import FakeClock
from tvclient.app.shell import AppShell
from tvclient.app.viewmodels.connection import retry_delay
from tvclient.app.viewmodels.dialogs import DialogModel
from tvclient.app.viewmodels.navigation import Navigator, Screen
from tvclient.app.viewmodels.rows import RowsModel
from tvclient.money import Wallet


def test_navigator_announces_each_change(qtbot: QtBot) -> None:
    """QML's StackView replays push, pop, replace and reset from the navigator's signal."""
    nav = Navigator(Screen.HOME)
    with qtbot.waitSignal(nav.changed) as push:
        nav.push(Screen.PRODUCT)
    assert push.args == ["push", ["product"]]
    with qtbot.waitSignal(nav.changed) as replace:
        nav.replace(Screen.PAYING)
    assert replace.args == ["replace", ["paying"]]
    with qtbot.waitSignal(nav.changed) as reset:
        nav.reset(Screen.HOME, Screen.ACCOUNT)
    assert reset.args == ["reset", ["home", "account"]]
    with qtbot.waitSignal(nav.changed) as pop:
        assert nav.pop()
    assert pop.args == ["pop", []]
    assert not nav.pop()  # the root stays
    assert nav.stack == (Screen.HOME,)


def test_dialog_choice_runs_once_and_back_is_the_safe_choice(qtbot: QtBot) -> None:
    """The chosen button's callback runs once; Back picks the default (harmless) button."""
    dialog = DialogModel()
    chosen: list[int] = []
    with qtbot.waitSignal(dialog.viewChanged):
        dialog.ask("Leave?", "", ["Stay", "Leave"], chosen.append)
    assert dialog.view("open")
    dialog.cancel()
    dialog.choose(1)  # a late second activation does nothing
    assert chosen == [0]
    assert not dialog.view("open")


def test_rows_model_is_a_proper_list_model(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    """The catalog's list model passes Qt's model checks and updates in place."""
    rows = RowsModel(["productId", "title"], key="productId")
    rows.update([{"productId": "a", "title": "A"}, {"productId": "b", "title": "B"}])
    qtmodeltester.check(rows)  # type: ignore[no-untyped-call]
    with qtbot.waitSignal(rows.dataChanged):
        rows.update([{"productId": "a", "title": "A"}, {"productId": "b", "title": "Bee"}])
    with qtbot.waitSignal(rows.modelReset):
        rows.update([{"productId": "c", "title": "C"}])
    assert rows.rowCount() == 1


def test_retry_delay_backs_off_to_thirty_seconds() -> None:
    """Offline retries wait 2, 4, 8, 16, then 30 s each."""
    assert [retry_delay(n) for n in range(7)] == [2, 4, 8, 16, 30, 30, 30]


def test_bind_model_speaks_in_ready_texts(
    qtbot: QtBot, shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """The bind model publishes the QR source, steps, countdown and the bound account."""
    bind = shell.model.bind_model
    with qtbot.waitSignal(bind.viewChanged):
        shell.model.start_bind(Wallet.DANA)
    qtbot.waitUntil(lambda: bind.view("phase") == "waiting")
    assert bind.view("title") == "Scan with DANA"
    assert bind.view("steps")[0] == "Open DANA on your phone."
    assert bind.view("qrSource").startswith("image://qr/")
    with qtbot.waitSignal(bind.viewChanged, timeout=2000):
        tick(shell, clock, 1.0)
    assert bind.view("countdownText") == "Code expires in 14:59"
    with qtbot.waitSignal(shell.model.bindingChanged, timeout=2000):
        steer(shell, backend.approve)
    # The app model and the bind model hear of the binding separately; wait for the second.
    qtbot.waitUntil(lambda: bind.view("boundAccount") == "Account 62-812****3456", timeout=2000)
    assert shell.model.view("badgeText") == "DANA · 62-812****3456"


def test_failures_are_signalled_with_code_and_next_step(
    qtbot: QtBot, linked_shell: AppShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """A declined payment emits purchaseFailed(code, next step) besides the Failure screen."""
    shell = linked_shell
    backend.purchase_outcome = "INSUFFICIENT_BALANCE"
    product = shell.model.products[0]
    price = product.price_in("HKD")
    assert price is not None
    with qtbot.waitSignal(shell.model.purchase_model.purchaseFailed, timeout=3000) as failed:
        shell.model.pay(product, price)
    assert failed.args == ["INSUFFICIENT_BALANCE", "top_up"]
