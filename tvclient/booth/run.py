"""`tvclient --booth`: the composition root of demo booth mode.

Order: check the command line (a real backend is refused unless allowed), read the staff PIN,
start the embedded sandbox + merchant backend (the sandbox on the booth's LAN address, for
phones), wire the device core as `cli.build_device` does, then run the booth until staff leave
or the service manager stops it. Exit codes: 0 staff exit, 75 staff restart, 1 could not start,
2 bad configuration, 70 an unexpected error (the service restarts the booth).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import sys
from collections.abc import Callable
from types import TracebackType

from tvclient.booth.config import BoothConfig
from tvclient.booth.errors import BoothConfigError, BoothError
from tvclient.booth.paths import BoothPaths
from tvclient.logs import configure_logging

__all__ = ["EXIT_BAD_CONFIG", "EXIT_CRASHED", "EXIT_NOT_STARTED", "run_booth"]

_log = logging.getLogger(__name__)

EXIT_NOT_STARTED = 1
EXIT_BAD_CONFIG = 2
EXIT_CRASHED = 70  # EX_SOFTWARE


def run_booth(options: argparse.Namespace) -> int:
    """Run the booth; returns the process exit code."""
    configure_logging()
    try:
        config = BoothConfig.from_options(options)
    except BoothConfigError as exc:
        print(f"tvclient --booth: {exc}", file=sys.stderr)  # noqa: T201 - the operator's terminal
        return EXIT_BAD_CONFIG
    return _run(config, BoothPaths.for_user(config.data_dir))


def _run(config: BoothConfig, paths: BoothPaths) -> int:  # noqa: PLR0915 - the wiring, in order
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    from tvclient.app.qtlog import install_qt_logging
    from tvclient.app.shell import AppStartError
    from tvclient.booth.kiosk import Booth
    from tvclient.booth.sandbox import SandboxAccess
    from tvclient.booth.stack import EmbeddedStack, StackError
    from tvclient.booth.staff import staff_guard
    from tvclient.booth.stats import VisitLog
    from tvclient.cli import build_device
    from tvclient.clock import SystemClock
    from tvclient.device.settings import SettingsStore

    clock = SystemClock()
    booth_store = SettingsStore(paths.state_file)
    try:
        staff = staff_guard(booth_store, clock, config.staff_pin_file)
    except BoothConfigError as exc:
        print(f"tvclient --booth: {exc}", file=sys.stderr)  # noqa: T201
        return EXIT_BAD_CONFIG
    if config.embedded and not config.phones_can_reach:
        _log.warning(
            "phones cannot reach the wallet page at %s (this machine only): connect the booth "
            "to the visitors' network or pass --public-url", config.public_url,
        )
    stack: EmbeddedStack | None = None
    sandbox: SandboxAccess | None = None
    if config.embedded:
        stack = EmbeddedStack(
            paths.stack_dir, sandbox_host=config.bind_host, sandbox_port=config.wallet_port,
            public_url=config.public_url, backend_port=config.backend_port,
        )
        try:
            urls = stack.start()
        except StackError as exc:
            print(f"tvclient --booth: {exc}", file=sys.stderr)  # noqa: T201
            return EXIT_NOT_STARTED
        backend_url = urls.backend_url
        sandbox = SandboxAccess(urls.sandbox_url, urls.operator_token)
    else:
        backend_url = str(config.backend)
        _log.warning("booth on the real backend %s (--allow-real-backend): purchases may charge "
                     "real money", backend_url)

    existing = QCoreApplication.instance()
    app = existing if isinstance(existing, QGuiApplication) else None
    if app is None:
        QGuiApplication.setApplicationName("tvclient")
        QGuiApplication.setOrganizationName("tvclient")
        app = QGuiApplication(sys.argv[:1])
    restore_logging = install_qt_logging()
    device_store = SettingsStore(paths.device_settings)
    services = build_device(backend_url, demo=config.embedded, store=device_store)
    booth = Booth(
        config, services, device_store=device_store, booth_store=booth_store, staff=staff,
        visits=VisitLog(booth_store, paths.visit_log, clock), clock=clock, sandbox=sandbox,
        timezone=dt.datetime.now().astimezone().tzinfo, environ=os.environ,
    )
    booth.finished.connect(app.exit)
    crashed: list[bool] = []

    def _on_unexpected(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        # An error nobody expected leaves the booth in a state nobody designed: end with a
        # failure code, so the service recipe starts a clean booth.
        _log.critical("unexpected error; the booth stops so it can be restarted clean",
                      exc_info=(kind, error, trace))
        crashed.append(True)
        app.exit(EXIT_CRASHED)

    previous_hook = sys.excepthook
    sys.excepthook = _on_unexpected
    restore_signals = _quit_on_signals(app)
    code = EXIT_NOT_STARTED
    try:
        booth.start()
        code = app.exec()
    except (AppStartError, BoothError) as exc:
        _log.critical("%s", exc)
    finally:
        booth.close()
        restore_signals()
        sys.excepthook = previous_hook
        restore_logging()
        if stack is not None:
            stack.stop()
    return EXIT_CRASHED if crashed else int(code)


def _quit_on_signals(app: object) -> Callable[[], None]:
    """SIGINT/SIGTERM end the event loop (the booth then forgets its visitor and stops)."""
    from PySide6.QtCore import QCoreApplication, QTimer

    def _quit(signum: int, _frame: object) -> None:
        _log.info("signal %d: closing the booth", signum)
        # exit(), not quit(): Qt 6's quit() first asks the windows to close, which the kiosk
        # window refuses. Queued, because the handler runs inside whatever Python code the
        # signal interrupted, which must not see the booth close under it.
        QTimer.singleShot(0, lambda: QCoreApplication.exit(0))

    previous = {sig: signal.signal(sig, _quit) for sig in (signal.SIGINT, signal.SIGTERM)}
    # Python runs signal handlers between bytecodes only; a timer wakes it while Qt waits.
    waker = QTimer(app if isinstance(app, QCoreApplication) else None)
    waker.setInterval(250)
    waker.timeout.connect(lambda: None)
    waker.start()

    def restore() -> None:
        waker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


