"""Polling SDL game controllers from a QTimer while the app's window has focus (Qt).

As moonlight-qt does: poll only while the window is active; when focus comes back, first drop
whatever SDL queued meanwhile and ignore buttons still held, so a press made elsewhere (a game's
quit combo, a button held while switching windows) never acts here.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from tvclient.app.input.gamepad.sdl import SdlGamepads
from tvclient.app.input.router import InputRouter

__all__ = ["ControllerPoller"]

_log = logging.getLogger(__name__)


class ControllerPoller(QObject):
    """Feeds SDL controller events to the router on a timer, only while the window is active."""

    def __init__(
        self, router: InputRouter, gamepads: SdlGamepads, interval_seconds: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._router = router
        self._gamepads = gamepads
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, round(interval_seconds * 1000)))
        self._timer.timeout.connect(self.poll_once)
        self._started = False

    @property
    def gamepads(self) -> SdlGamepads:
        """The SDL backend."""
        return self._gamepads

    @property
    def polling(self) -> bool:
        """Whether the poll timer runs (the window is active)."""
        return self._timer.isActive()

    def start(self) -> None:
        """Follow the window's focus; poll while it is active."""
        if self._started:
            return
        self._started = True
        self._router.window.activeChanged.connect(self._on_active_changed)
        self._on_active_changed()

    def stop(self) -> None:
        """Stop polling and following focus."""
        if not self._started:
            return
        self._started = False
        self._router.window.activeChanged.disconnect(self._on_active_changed)
        self._timer.stop()

    def poll_once(self) -> int:
        """One poll: deliver what the controllers did. Returns how many events were delivered."""
        if not self._router.window.isActive():
            return 0
        delivered = 0
        for event in self._gamepads.poll(self._router.clock.monotonic()):
            delivered += self._router.inject(event)
        return delivered

    def _on_active_changed(self) -> None:
        if self._router.window.isActive():
            self._gamepads.flush(self._router.clock.monotonic())
            self._timer.start()
        else:
            self._timer.stop()
            self._gamepads.suspend()
