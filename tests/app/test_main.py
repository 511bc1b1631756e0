"""`run()`: shows the app, runs until asked to quit, closes cleanly and restores what it changed."""

from __future__ import annotations

import signal

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tvclient.app.main import run
from tvclient.app.services import AppOptions, AppServices


def test_run_shows_the_store_and_returns_zero_on_quit(
    qtbot: QtBot, services: AppServices, backend: FakeBackend
) -> None:
    """The store loads inside run(); quitting ends it with 0 and the old SIGINT handler back."""
    before = signal.getsignal(signal.SIGINT)
    app = QGuiApplication.instance()
    assert app is not None

    def quit_when_loaded() -> None:
        if any(request == "GET /v1/catalog" for request in backend.requests):
            app.quit()
        else:
            QTimer.singleShot(20, quit_when_loaded)

    QTimer.singleShot(20, quit_when_loaded)
    code = run(AppOptions(fullscreen=False), services=services)
    assert code == 0
    assert "GET /v1/catalog" in backend.requests
    assert signal.getsignal(signal.SIGINT) is before
