"""The running app: QML engine, window, view-models, the core's worker thread, the input layer.

`run()` uses it with a real event loop; tests and benchmarks build it the same way and drive it
with key events, so what they measure is what ships.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QLocale, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickItem, QQuickWindow

from tvclient.app.catalog_images import CatalogImageProvider
from tvclient.app.qr import QrImageProvider
from tvclient.app.qtcompat import emit_drops_true
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.viewmodels.app_model import AppModel
from tvclient.app.worker import AsyncWorker

if TYPE_CHECKING:
    from tvclient.app.input.hookup import InputHookup
    from tvclient.coldstart import CollectorPause

__all__ = ["QML_DIR", "AppShell", "AppStartError"]

_log = logging.getLogger(__name__)

QML_DIR = Path(__file__).resolve().parent / "qml"
_IMAGE_TIMEOUT = 15.0
# The core starts at the first frame; this is for a window that is never exposed (no frame).
_START_AT_LATEST_MS = 1000


class AppStartError(RuntimeError):
    """The QML scene could not be created (a broken install); the message says what failed."""


class AppShell:
    """Builds and owns everything the app runs on; `close()` takes it down in a safe order.

    Args:
        options: How to show the app.
        services: The device core and settings (wired by the caller).
        install_input: Install the input layer (remote, controller, CEC, pay guard). Tests of
            the bare scene may leave it out.
        startup: The collector pause the entry point began with; ended once the window is up.
    """

    def __init__(
        self,
        options: AppOptions,
        services: AppServices,
        *,
        install_input: bool = True,
        startup: CollectorPause | None = None,
    ) -> None:
        if QGuiApplication.instance() is None:
            raise AppStartError("a QGuiApplication must exist before the app is built")
        self.options = options
        self.services = services
        self._startup = startup
        self._begun = False
        self._armed = False
        self._core_may_run = threading.Event()
        emit_drops_true()  # measure PySide's emit defect now, before any other thread emits
        self.worker = AsyncWorker()
        self.worker.start()
        self.engine = QQmlApplicationEngine()
        self.engine.addImportPath(str(QML_DIR))
        self.engine.addImageProvider("qr", QrImageProvider())
        self.engine.addImageProvider("catalog", CatalogImageProvider(self._fetch_image))
        self.model = AppModel(
            services,
            self.worker,
            language=options.language,
            system_locale=options.system_locale or QLocale.system().name(),
            timezone=options.timezone,
            parent=self.engine,
        )
        self.engine.setInitialProperties({"app": self.model})
        self.engine.loadFromModule("TvClient.Screens", "Main")
        roots = self.engine.rootObjects()
        if not roots or not isinstance(roots[0], QQuickWindow):
            self.worker.stop()
            raise AppStartError("the QML scene did not load (see the log for QML errors)")
        self.window: QQuickWindow = roots[0]
        self._input: InputHookup | None = None
        if install_input:
            from tvclient.app.input.hookup import InputHookup

            self._input = InputHookup(self)
        self._closed = False

    def _fetch_image(self, url: str) -> bytes:
        # Pictures asked for by the first frame wait for the core, which starts right after it.
        self._core_may_run.wait(_IMAGE_TIMEOUT)
        account = self.services.account
        data: bytes = self.worker.run_sync(lambda: account.image(url), timeout=_IMAGE_TIMEOUT)
        return data

    # ------------------------------------------------------------------ showing
    def show(self) -> None:
        """Show the window (fullscreen unless windowed); the core starts at its first frame."""
        # The first frame (the store, from the snapshot on a start after the first) goes out
        # before the core loads its HTTP and keyring stacks and talks to the backend: with one
        # Python thread running at a time, starting both together would only delay the frame.
        self.window.frameSwapped.connect(self.start_core, Qt.ConnectionType.QueuedConnection)
        self._armed = True
        QTimer.singleShot(_START_AT_LATEST_MS, self.start_core)
        if self.options.fullscreen:
            self.window.showFullScreen()
        else:
            self.window.resize(QSize(*self.options.size))
            self.window.show()

    def start_core(self) -> None:
        """Start the view-models' work with the core and let pictures load (once).

        `show()` calls it at the first frame; the booth, which shows the window itself, calls
        it when its reset is done.
        """
        if self._begun or self._closed:
            return
        self._begun = True
        if self._armed:  # not when the booth showed the window itself
            self.window.frameSwapped.disconnect(self.start_core)
        self.model.start()
        self._core_may_run.set()
        if self._startup is not None:
            # What gets made from now on is the running app's own garbage.
            self._startup.end()

    def find(self, name: str) -> QQuickItem | None:
        """The QML item with `objectName` `name` (tests, benchmarks, the booth)."""
        item = self.window.findChild(QObject, name)
        return item if isinstance(item, QQuickItem) else None

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        """Stop timers and background work, then the scene; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._core_may_run.set()  # an image request still waiting ends now (worker stopping)
        self.model.shutdown()
        if self._input is not None:
            self._input.close()
        self.worker.stop(last=self.services.aclose)
        self.window.close()
        # Deleting the engine deletes the QML objects first, then the view-models it parents;
        # done now rather than with deleteLater(), which needs an event loop that may be over.
        shiboken6.delete(self.engine)
