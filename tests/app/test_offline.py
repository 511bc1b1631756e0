"""Backend unreachable: the app says so, counts down to the next try, and recovers by itself."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.app.conftest import MakeShell
from tests.app.fake_backend import FakeBackend
from tests.app.ui import OK, find_item, send, settle, tick, wait_focus
from tests.helpers.clock import FakeClock


def test_offline_at_start_counts_down_and_recovers(
    qtbot: QtBot, make_shell: MakeShell, backend: FakeBackend, clock: FakeClock
) -> None:
    """No backend: the notice with a countdown; it comes back: the store appears by itself."""
    backend.offline = True
    shell = make_shell()
    connection = shell.model.connection_model
    qtbot.waitUntil(lambda: connection.offline_)
    wait_focus(qtbot, shell, "retryButton")
    assert connection.view("title") == "Can't reach the store"
    assert connection.view("countdownText") == "Trying again in 2 s"
    countdown = find_item(shell, "offlineCountdown")
    assert countdown is not None
    assert countdown.property("text") == "Trying again in 2 s"
    tick(shell, clock, 2.5)
    qtbot.waitUntil(lambda: connection.view("countdownText") == "Trying again in 4 s")
    backend.offline = False
    tick(shell, clock, 4.5)
    qtbot.waitUntil(lambda: not connection.offline_)
    qtbot.waitUntil(lambda: shell.model.store_model.rows.rowCount() == 5)
    wait_focus(qtbot, shell, "tile_movie-night")


def test_try_now_retries_at_once(
    qtbot: QtBot, make_shell: MakeShell, backend: FakeBackend
) -> None:
    """OK on "Try now" does not wait for the countdown."""
    backend.offline = True
    shell = make_shell()
    qtbot.waitUntil(lambda: shell.model.connection_model.offline_)
    backend.offline = False
    wait_focus(qtbot, shell, "retryButton")
    send(shell, OK)
    qtbot.waitUntil(lambda: not shell.model.connection_model.offline_)
    settle(qtbot, shell, "home")
