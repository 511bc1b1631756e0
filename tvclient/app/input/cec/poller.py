"""Polling the CEC link from a QTimer (Qt).

The link is ticked all the time, so the adapter is found, kept and re-found whether or not the
app has focus; keys that arrive while the window is inactive are read and dropped (the router
refuses them), so nothing stale waits for focus to return. Inactive, it ticks four times a
second only.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from tvclient.app.input.cec.link import CecLink
from tvclient.app.input.router import InputRouter

__all__ = ["CecPoller"]

_IDLE_MS = 250


class CecPoller(QObject):
    """Feeds CEC remote keys to the router."""

    def __init__(
        self, router: InputRouter, link: CecLink, interval_seconds: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._router = router
        self._link = link
        self._active_ms = max(1, round(interval_seconds * 1000))
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll_once)
        self._started = False

    @property
    def link(self) -> CecLink:
        """The CEC connection."""
        return self._link

    def start(self) -> None:
        """Start ticking."""
        if self._started:
            return
        self._started = True
        self._router.window.activeChanged.connect(self._on_active_changed)
        self._on_active_changed()
        self.poll_once()

    def stop(self) -> None:
        """Stop ticking and let go of the adapter."""
        if self._started:
            self._router.window.activeChanged.disconnect(self._on_active_changed)
            self._started = False
        self._timer.stop()
        self._link.close()

    def poll_once(self) -> int:
        """One tick; returns how many events were delivered."""
        delivered = 0
        for event in self._link.tick(self._router.clock.monotonic()):
            delivered += self._router.inject(event)
        return delivered

    def _on_active_changed(self) -> None:
        self._timer.start(self._active_ms if self._router.window.isActive() else _IDLE_MS)
