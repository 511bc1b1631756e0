"""An app closed while a payment is unconfirmed finds out how it ended at the next start."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.app.conftest import MemoryLanguageStore, build_services
from tests.app.fake_backend import FakeBackend
from tests.app.ui import OK, send, settle, tick, wait_focus
from tests.helpers.clock import FakeClock
from tvclient.app.services import AppOptions
from tvclient.app.shell import AppShell
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore
from tvclient.device.vault import BindingVault


def test_restart_mid_purchase_shows_the_outcome(
    qtbot: QtBot, backend: FakeBackend, clock: FakeClock, *, state: MemoryStateStore,
    vault: BindingVault, options: AppOptions,
) -> None:
    """Pay, close before the answer; the next run checks that purchase and shows its receipt."""
    backend.link(vault)
    backend.hold_purchases = True
    languages = MemoryLanguageStore("en")

    def start() -> AppShell:
        services = build_services(
            backend, clock, state, vault, safety_settings=SafetySettings(), languages=languages
        )
        shell = AppShell(options, services)
        shell.show()
        qtbot.waitUntil(shell.window.isActive)
        return shell

    first = start()
    try:
        qtbot.waitUntil(lambda: first.model.store_model.rows.rowCount() == 5)
        wait_focus(qtbot, first, "tile_movie-night")
        send(first, OK)
        settle(qtbot, first, "product")
        tick(first, clock, 1.0)
        send(first, OK)
        settle(qtbot, first, "paying")
        qtbot.waitUntil(lambda: backend.created == 1)
    finally:
        first.close()  # the TV is switched off while the wallet has not answered
    assert backend.created == 1
    backend.release_purchases()
    second = start()
    try:
        settle(qtbot, second, "receipt", timeout=5000)
        rows = {r["key"]: r["value"] for r in second.model.purchase_model.view("receiptRows")}
        assert rows["item"] == "Movie night"
        assert backend.created == 1  # found out, never bought twice
        send(second, OK)
        settle(qtbot, second, "home")
    finally:
        second.close()

