"""The offline notice: the backend cannot be reached; count down, try again, recover alone."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["ConnectionModel", "retry_delay"]

_FIRST_DELAY = 2.0
_MAX_DELAY = 30.0


def retry_delay(attempt: int) -> float:
    """Seconds before try number `attempt` (0-based): 2, 4, 8, 16, then every 30 s."""
    return min(_MAX_DELAY, _FIRST_DELAY * float(2**min(attempt, 16)))


@QmlElement
@uncreatable("Created by the app model.")
class ConnectionModel(ViewModel):
    """Whether the backend is reachable, and the countdown to the next try when it is not.

    Whoever fails to reach the backend calls `report(retry)`; when the countdown ends every
    pending retry runs; the first one that gets through calls `ok()` and the notice goes.
    """

    viewChanged = Signal()

    offline = shown(bool, "offline", viewChanged)
    title = shown(str, "title", viewChanged)
    message = shown(str, "message", viewChanged)
    countdownText = shown(str, "countdownText", viewChanged)
    retryLabel = shown(str, "retryLabel", viewChanged)

    def __init__(self, app: AppModel, *, tick_ms: int = 250) -> None:
        super().__init__(
            {"offline": False, "title": "", "message": "", "countdownText": "", "retryLabel": ""},
            app,
        )
        self._app = app
        self._retries: list[Callable[[], None]] = []
        self._problem: tuple[str, str] | None = None
        self._attempt = 0
        self._due: float | None = None
        self._trying = False
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        app.languageChanged.connect(self._render)

    @property
    def offline_(self) -> bool:
        """The notice is showing."""
        return bool(self._view["offline"])

    def report(self, retry: Callable[[], None]) -> None:
        """The backend could not be reached; `retry` will be called on the next try."""
        if retry not in self._retries:
            self._retries.append(retry)
        if self._trying:
            # A retry failed again: wait longer before the next round.
            self._trying = False
            self._attempt += 1
            self._schedule()
        elif self._due is None:
            self._schedule()
        self._render()

    def report_problem(self, title: str, message: str, retry: Callable[[], None]) -> None:
        """Something on this device (not the network) stops the app: say what and how to fix.

        It is retried rarely (someone may fix it meanwhile) and with "Try now".
        """
        self._problem = (title, message)
        self._attempt = max(self._attempt, 8)
        self.report(retry)

    def ok(self) -> None:
        """A call got through: the backend is back."""
        if not self.offline_ and not self._retries:
            return
        self._problem = None
        self._retries.clear()
        self._attempt = 0
        self._due = None
        self._trying = False
        self._timer.stop()
        self._show(offline=False)

    def stop(self) -> None:
        """Stop counting (shutdown)."""
        self._timer.stop()
        self._retries.clear()

    @Slot()
    def retryNow(self) -> None:
        """The buyer pressed "Try now"."""
        self._due = self._app.services.clock.monotonic()
        self.tick()

    @Slot()
    def tick(self) -> None:
        """Update the countdown; at zero, run the pending retries."""
        if self._due is None:
            return
        if self._app.services.clock.monotonic() >= self._due:
            retries, self._retries = self._retries, []
            self._due = None
            self._trying = True
            self._timer.stop()
            self._render()
            for retry in retries:
                retry()
            return
        self._render()

    def _schedule(self) -> None:
        self._due = self._app.services.clock.monotonic() + retry_delay(self._attempt)
        self._timer.start()

    def _render(self) -> None:
        tr = self._app.t
        if self._due is not None:
            left = max(0, math.ceil(self._due - self._app.services.clock.monotonic()))
            countdown = tr("offline_countdown", seconds=left)
        else:
            countdown = tr("offline_trying")
        title, message = self._problem or (tr("offline_title"), tr("offline_message"))
        self._show(
            offline=bool(self._retries) or self._trying or self.offline_,
            title=title,
            message=message,
            countdownText=countdown,
            retryLabel=tr("offline_retry"),
        )
