"""The device app's entry point: `run(options, services=...)`, called by `tvclient/cli.py`."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication

from tvclient.app.qtlog import install_qt_logging
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell, AppStartError

if TYPE_CHECKING:
    from tvclient.coldstart import CollectorPause

__all__ = ["AppOptions", "AppServices", "run"]

_log = logging.getLogger(__name__)


def run(
    options: AppOptions,
    *,
    services: AppServices,
    argv: Sequence[str] | None = None,
    startup: CollectorPause | None = None,
) -> int:
    """Show the app and run it until the buyer leaves (or SIGINT/SIGTERM); the exit code.

    The caller wires `services` (device core, clock, PIN, cap, settings); nothing device-side is
    built here. `startup` is the entry point's collector pause, ended once the window is up.
    Returns 0 on a normal exit, 1 when the scene cannot start.
    """
    restore_logging = install_qt_logging()
    try:
        return _run(options, services, argv, startup)
    finally:
        restore_logging()


def _run(
    options: AppOptions,
    services: AppServices,
    argv: Sequence[str] | None,
    startup: CollectorPause | None,
) -> int:
    existing = QCoreApplication.instance()
    app = existing if isinstance(existing, QGuiApplication) else None
    if app is None:
        QGuiApplication.setApplicationName("tvclient")
        QGuiApplication.setOrganizationName("tvclient")
        app = QGuiApplication(list(argv) if argv is not None else sys.argv[:1])
    try:
        shell = AppShell(options, services, startup=startup)
    except AppStartError as exc:
        _log.critical("%s", exc)
        return 1
    shell.model.quitRequested.connect(app.quit)
    app.aboutToQuit.connect(shell.close)
    restore_signals = _quit_on_signals(app)
    try:
        shell.show()
        code = app.exec()
    finally:
        shell.close()
        restore_signals()
    return int(code)


def _quit_on_signals(app: QGuiApplication) -> Callable[[], None]:
    """SIGINT/SIGTERM end the event loop cleanly; returns a function restoring the old handlers.

    Python runs signal handlers only between bytecodes, so a timer wakes the interpreter up
    while Qt's loop waits.
    """

    def _quit(signum: int, _frame: object) -> None:
        _log.info("signal %d: closing", signum)
        # Later, not now: the handler runs inside whatever Python code the signal interrupted
        # (a timer's poll, say), and quitting here closes the window under that code's feet.
        QTimer.singleShot(0, app.quit)

    previous = {sig: signal.signal(sig, _quit) for sig in (signal.SIGINT, signal.SIGTERM)}
    waker = QTimer(app)
    waker.setInterval(250)
    waker.timeout.connect(lambda: None)
    waker.start()

    def restore() -> None:
        waker.stop()
        waker.deleteLater()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
