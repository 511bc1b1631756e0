"""A start after the first: the store as it was, at once; acting on it waits for the backend."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.app.conftest import BACKEND_URL, MemoryLanguageStore, build_services
from tests.app.fake_backend import FakeBackend
from tests.app.ui import BACK, OK, send, settle, steer, wait_focus
from tests.helpers.clock import FakeClock
from tvclient.app.services import AppOptions
from tvclient.app.shell import AppShell
from tvclient.device.home_snapshot import HomeSnapshot, MemorySnapshotStore
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore
from tvclient.device.vault import BindingVault

Build = Callable[..., AppShell]


@pytest.fixture
def snapshots() -> MemorySnapshotStore:
    """The device's snapshot store (empty: a first start)."""
    return MemorySnapshotStore()


@pytest.fixture
def build(
    options: AppOptions, backend: FakeBackend, clock: FakeClock, state: MemoryStateStore,
    *, vault: BindingVault, safety_settings: SafetySettings, languages: MemoryLanguageStore,
    snapshots: MemorySnapshotStore,
) -> Iterator[Build]:
    """Build the app (not shown) on a fresh core each time, as each start of the device does."""
    shells: list[AppShell] = []

    def make() -> AppShell:
        services = build_services(
            backend, clock, state, vault, safety_settings=safety_settings,
            languages=languages, home_snapshot=snapshots,
        )
        shells.append(AppShell(options, services))
        return shells[-1]

    yield make
    for shell in shells:
        shell.close()


def first_start(qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore) -> list[str]:
    """Run the app once until its store is kept; the titles it showed."""
    shell = build()
    shell.show()
    qtbot.waitUntil(lambda: snapshots.snapshot is not None, timeout=3000)
    titles = [str(row["title"]) for row in shell.model.store_model.rows.rows]
    shell.close()
    return titles


def later_start_waiting(
    qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore, backend: FakeBackend
) -> AppShell:
    """A start after the first, shown, with the backend holding its catalog answer."""
    first_start(qtbot, build, snapshots)
    backend.hold_catalog = True
    shell = build()
    shell.show()
    wait_focus(qtbot, shell, "tile_movie-night")
    return shell


def titles(shell: AppShell) -> list[str]:
    """The tiles' titles, in order."""
    return [str(row["title"]) for row in shell.model.store_model.rows.rows]


def test_a_later_start_shows_the_last_store_before_the_backend_answers(
    qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore, backend: FakeBackend
) -> None:
    """The tiles are there when the scene is built; the first tile has the focus at once."""
    shown_before = first_start(qtbot, build, snapshots)
    assert len(shown_before) == 5
    backend.hold_catalog = True
    shell = build()
    assert titles(shell) == shown_before  # before show(): nothing asked of the backend yet
    shell.show()
    wait_focus(qtbot, shell, "tile_movie-night")
    qtbot.waitUntil(lambda: "GET /v1/catalog" in backend.requests, timeout=3000)
    assert not shell.model.store_model.fresh
    steer(shell, backend.release_catalog)
    qtbot.waitUntil(lambda: shell.model.store_model.fresh, timeout=3000)
    assert titles(shell) == shown_before


def test_ok_before_the_catalog_opens_that_product_once_it_is_in(
    qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore, backend: FakeBackend
) -> None:
    """OK on a snapshot tile is kept, not lost: the product opens when the backend answers."""
    shell = later_start_waiting(qtbot, build, snapshots, backend)
    send(shell, Qt.Key.Key_Right)
    focus_name = "tile_" + str(shell.model.store_model.rows.rows[1]["productId"])
    wait_focus(qtbot, shell, focus_name)
    send(shell, OK)
    qtbot.wait(50)
    assert shell.model.navigator.top.value == "home"
    steer(shell, backend.release_catalog)
    settle(qtbot, shell, "product")
    selected = shell.model.selected
    assert selected is not None
    assert "tile_" + selected.id == focus_name


def test_a_snapshot_of_another_backend_language_or_picture_source_is_not_shown(
    qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore, backend: FakeBackend
) -> None:
    """Tiles of another shop, in a language the buyer no longer reads, or tampered: not shown."""
    row = {"productId": "old", "title": "Old thing", "priceText": "HK$1.00", "imageSource": ""}
    backend.hold_catalog = True
    snapshots.snapshot = HomeSnapshot("http://other-shop.test", "en", (row,))
    assert titles(build()) == []
    snapshots.snapshot = HomeSnapshot(BACKEND_URL, "id", (row,))
    assert titles(build()) == []
    snapshots.snapshot = HomeSnapshot(BACKEND_URL, "en", (row,))
    assert titles(build()) == ["Old thing"]
    # A picture from anywhere but the core's provider (a tampered cache file) is not shown.
    for source in ("file:///etc/hosts", "https://tracker.example/pixel.png"):
        snapshots.snapshot = HomeSnapshot(BACKEND_URL, "en", ({**row, "imageSource": source},))
        assert titles(build()) == []


def test_a_language_change_before_the_catalog_drops_the_snapshot(
    qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore, backend: FakeBackend
) -> None:
    """English tiles are not left on screen once the buyer chose Indonesian."""
    shell = later_start_waiting(qtbot, build, snapshots, backend)
    shell.model.chooseLanguage("id")
    assert titles(shell) == []
    steer(shell, backend.release_catalog)
    qtbot.waitUntil(lambda: len(titles(shell)) == 5, timeout=3000)
    qtbot.waitUntil(
        lambda: snapshots.snapshot is not None and snapshots.snapshot.language == "id",
        timeout=3000,
    )


def test_the_snapshot_follows_what_is_on_screen_and_is_written_only_on_change(
    qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore, backend: FakeBackend,
    vault: BindingVault,
) -> None:
    """Linked to AlipayHK, the kept tiles show HKD only; an unchanged store is not rewritten."""
    first_start(qtbot, build, snapshots)
    saves = snapshots.saves
    assert snapshots.snapshot is not None
    assert "\n" in snapshots.snapshot.rows[0]["priceText"]  # not linked: every currency
    shell = build()
    shell.show()
    qtbot.waitUntil(lambda: shell.model.store_model.fresh, timeout=3000)
    qtbot.wait(50)
    assert snapshots.saves == saves  # the same tiles: nothing to write
    shell.close()
    backend.link(vault)
    shell = build()
    shell.show()
    qtbot.waitUntil(
        lambda: snapshots.snapshot is not None
        and snapshots.snapshot.rows[0]["priceText"] == "HK$38.00",
        timeout=3000,
    )


def test_the_snapshot_holds_nothing_secret_or_personal(
    qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore, backend: FakeBackend,
    vault: BindingVault,
) -> None:
    """Linked and enrolled: neither secret nor the wallet account ends up in the cache file."""
    backend.link(vault)
    shell = build()
    shell.show()
    qtbot.waitUntil(lambda: shell.model.binding is not None, timeout=3000)
    qtbot.waitUntil(
        lambda: snapshots.snapshot is not None
        and snapshots.snapshot.rows[0]["priceText"] == "HK$38.00",
        timeout=3000,
    )
    binding, snapshot = shell.model.binding, snapshots.snapshot
    assert binding is not None
    assert snapshot is not None
    kept = json.dumps([dict(row) for row in snapshot.rows], ensure_ascii=False)
    for secret in (vault.credential(), vault.binding_ref(), binding.account):
        assert secret
        assert secret not in kept


def test_a_kept_ok_is_dropped_when_the_buyer_has_moved_on(
    qtbot: QtBot, build: Build, snapshots: MemorySnapshotStore, backend: FakeBackend
) -> None:
    """OK, then Back (the leave-the-app question): the catalog's arrival opens nothing."""
    shell = later_start_waiting(qtbot, build, snapshots, backend)
    send(shell, OK)
    send(shell, BACK)
    qtbot.waitUntil(lambda: bool(shell.model.dialog_model.view("open")), timeout=3000)
    steer(shell, backend.release_catalog)
    qtbot.waitUntil(lambda: shell.model.store_model.fresh, timeout=3000)
    qtbot.wait(50)
    assert shell.model.navigator.top.value == "home"
    assert shell.model.dialog_model.view("open")
