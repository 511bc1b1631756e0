"""The device app's entry point: `run(options, services=...)`, called by `tvclient/cli.py`."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication

from tvclient.app.qtlog import install_qt_logging
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell, AppStartError

__all__ = ["AppOptions", "AppServices", "run"]

_log = logging.getLogger(__name__)


def run(options: AppOptions, *, services: AppServices, argv: Sequence[str] | None = None) -> int:
    """Show the app and run it until the buyer leaves (or SIGINT/SIGTERM); the exit code.

    The caller wires `services` (device core, clock, PIN, cap, settings); nothing device-side is
    built here. Returns 0 on a normal exit, 1 when the scene cannot start.
    """
    install_qt_logging()
    existing = QCoreApplication.instance()
    app = existing if isinstance(existing, QGuiApplication) else None
    if app is None:
        QGuiApplication.setApplicationName("tvclient")
        QGuiApplication.setOrganizationName("tvclient")
        app = QGuiApplication(list(argv) if argv is not None else sys.argv[:1])
    try:
        shell = AppShell(options, services)
    except AppStartError as exc:
        _log.critical("%s", exc)
        return 1
    shell.model.quitRequested.connect(app.quit)
    app.aboutToQuit.connect(shell.close)
    _quit_on_signals(app)
    shell.show()
    code = app.exec()
    shell.close()
    return int(code)


def _quit_on_signals(app: QGuiApplication) -> None:
    """SIGINT/SIGTERM end the event loop cleanly (Python handlers need the loop to wake up)."""

    def _quit(signum: int, _frame: object) -> None:
        _log.info("signal %d: closing", signum)
        app.quit()

    signal.signal(signal.SIGINT, _quit)
    signal.signal(signal.SIGTERM, _quit)
    waker = QTimer(app)
    waker.setInterval(250)
    waker.timeout.connect(lambda: None)
    waker.start()
