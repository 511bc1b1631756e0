"""The whole input layer for one window (Qt): router, game controllers and HDMI-CEC.

`InputLayer` builds the parts from the settings and owns their lifetime. A backend that cannot
run here (no PySDL2, no SDL library, controller navigation switched off, no CEC adapter or
library) is left out with one INFO line; the keyboard path always works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import QObject
from PySide6.QtGui import QWindow

from tvclient.app.input.cec.kernel import KernelCecSource
from tvclient.app.input.cec.libcec import LibCecSource
from tvclient.app.input.cec.link import CecLink
from tvclient.app.input.cec.poller import CecPoller
from tvclient.app.input.cec.sources import CecSource
from tvclient.app.input.gamepad.mappings import BUNDLED_DB, USER_DB_NAME
from tvclient.app.input.gamepad.navigator import GamepadNavigator, PadTiming
from tvclient.app.input.gamepad.poller import ControllerPoller
from tvclient.app.input.gamepad.sdl import SdlGamepads, SdlUnavailableError, load_sdl
from tvclient.app.input.router import InputRouter
from tvclient.app.input.settings import InputSettings
from tvclient.clock import Clock

__all__ = ["InputLayer", "cec_sources_for", "mapping_files"]

_log = logging.getLogger(__name__)


def mapping_files(config_dir: Path | None) -> list[Path]:
    """The controller mapping databases, in load order (the user's last, so theirs win)."""
    files = [BUNDLED_DB]
    if config_dir is not None:
        files.append(config_dir / USER_DB_NAME)
    return files


def cec_sources_for(mode: str) -> list[CecSource]:
    """The CEC sources the `input.cec` setting allows, in the order they are tried."""
    if mode == "kernel":
        return [KernelCecSource()]
    if mode == "libcec":
        return [LibCecSource()]
    if mode == "auto":
        return [KernelCecSource(), LibCecSource()]
    return []


class InputLayer:
    """Every input device of the app, for one window."""

    def __init__(
        self, window: QWindow, settings: InputSettings, *, clock: Clock,
        config_dir: Path | None = None,
        sdl_loader: Callable[[], ModuleType] = load_sdl,
        cec_sources: Sequence[CecSource] | None = None,
        parent: QObject | None = None,
    ) -> None:
        self._settings = settings
        self._config_dir = config_dir
        self._sdl_loader = sdl_loader
        self._cec_sources = (
            list(cec_sources) if cec_sources is not None else cec_sources_for(settings.cec)
        )
        self.router = InputRouter(window, settings, clock, parent)
        self.controllers: ControllerPoller | None = None
        self.cec: CecPoller | None = None

    @property
    def settings(self) -> InputSettings:
        """The settings the layer was built with."""
        return self._settings

    def start(self) -> None:
        """Install the router and start whichever backends can run."""
        self.router.install()
        self._start_controllers()
        if self._cec_sources:
            link = CecLink(self._cec_sources)
            self.cec = CecPoller(
                self.router, link, self._settings.poll_seconds, parent=self.router,
            )
            self.cec.start()
        else:
            _log.info("HDMI-CEC remote off (input.cec = %s)", self._settings.cec)

    def close(self) -> None:
        """Stop the backends and remove the router."""
        if self.controllers is not None:
            self.controllers.stop()
            self.controllers.gamepads.close()
            self.controllers = None
        if self.cec is not None:
            self.cec.stop()
            self.cec = None
        self.router.uninstall()

    def _start_controllers(self) -> None:
        settings = self._settings
        if not settings.controller_navigation:
            _log.info("game controller navigation is off (input.controller_navigation)")
            return
        try:
            sdl2 = self._sdl_loader()
            navigator = GamepadNavigator(
                PadTiming(
                    dpad_delay=settings.repeat_delay_seconds,
                    repeat=settings.repeat_seconds,
                    stick_threshold=settings.stick_threshold,
                ),
                swap_ab=settings.swap_ab,
            )
            gamepads = SdlGamepads(sdl2, navigator, mapping_files(self._config_dir))
            gamepads.open()
        except SdlUnavailableError as exc:
            _log.info("game controllers unavailable: %s", exc)
            return
        self.controllers = ControllerPoller(
            self.router, gamepads, settings.poll_seconds, parent=self.router,
        )
        self.controllers.start()
