"""The input router (Qt): every device's actions reach the focused item as plain key events.

`InputRouter` is installed as an event filter on the app's window. Keyboard and IR/USB remote
key events are normalised there (Enter, Select, Space → Return; Backspace, Back → Escape; F1 →
Red; …) and re-sent to the window; controller and CEC backends call `inject()`. Everything
passes one `InputFilter`, so repeat throttling, double-press dropping and press ids are the
same for every device. While an event is being delivered, `current` tells the receiver (the
Pay guard) which press it belongs to, which device kind sent it and whether it is a repeat.

Input only counts while the window is active: injected events are dropped otherwise, and when
the window loses focus every key held is forgotten, so its later repeats and release do nothing.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import Property, QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QInputDevice, QKeyEvent, QWindow

from tvclient.app.input.actions import DeviceKind, InputEvent, Phase
from tvclient.app.input.filters import Accepted, InputFilter
from tvclient.app.input.keymap import (
    DELIVERED_KEYS,
    IGNORED_KEYS,
    REMOTE_ONLY_KEYS,
    action_for_key,
    delivered_text,
)
from tvclient.app.input.settings import InputSettings
from tvclient.clock import Clock

__all__ = ["InputRouter"]

_log = logging.getLogger(__name__)
_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease)
# Shortcuts like Alt+F4 or Ctrl+Q belong to the window system and the developer, not to us.
_PASS_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


class InputRouter(QObject):
    """Normalises key events and delivers backend actions to the window's focused item."""

    deviceKindChanged = Signal()

    def __init__(
        self, window: QWindow, settings: InputSettings, clock: Clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._clock = clock
        self._filter = InputFilter(settings.policies())
        self._remote_names = re.compile(settings.remote_device_pattern)
        self._delivering: list[Accepted] = []
        self._device_kind = DeviceKind.KEYBOARD
        self._installed = False
        self._platform = QGuiApplication.platformName()

    # ------------------------------------------------------------------ lifecycle
    def install(self) -> None:
        """Start filtering the window's key events."""
        if self._installed:
            return
        self._window.installEventFilter(self)
        self._window.activeChanged.connect(self._on_active_changed)
        self._installed = True

    def uninstall(self) -> None:
        """Stop filtering."""
        if not self._installed:
            return
        self._window.removeEventFilter(self)
        self._window.activeChanged.disconnect(self._on_active_changed)
        self._installed = False

    @property
    def window(self) -> QWindow:
        """The window events are delivered to."""
        return self._window

    @property
    def clock(self) -> Clock:
        """The clock events are stamped with."""
        return self._clock

    @property
    def current(self) -> Accepted | None:
        """The event being delivered right now (valid inside a key handler), else None."""
        return self._delivering[-1] if self._delivering else None

    def new_press_id(self) -> int:
        """A press id for a press that is not a key (a pointer tap on the Pay control)."""
        return self._filter.new_press_id()

    def _get_device_kind(self) -> str:
        return self._device_kind.value

    #: The kind of device that made the last press: "keyboard", "remote", "controller", "cec".
    deviceKind = Property(str, _get_device_kind, notify=deviceKindChanged)

    # ------------------------------------------------------------------ delivery
    def inject(self, event: InputEvent) -> bool:
        """Deliver a backend's action event; False when it was filtered out or not delivered."""
        if not self._window.isActive():
            return False
        accepted = self._filter.accept(event)
        if accepted is None:
            return False
        self._deliver(accepted)
        return True

    def _deliver(self, accepted: Accepted) -> None:
        kind = QEvent.Type.KeyRelease if accepted.phase is Phase.RELEASE else QEvent.Type.KeyPress
        key_event = QKeyEvent(
            kind, DELIVERED_KEYS[accepted.action], Qt.KeyboardModifier.NoModifier,
            delivered_text(accepted.action), accepted.phase is Phase.REPEAT, 1,
        )
        if accepted.phase is Phase.PRESS and accepted.kind is not self._device_kind:
            self._device_kind = accepted.kind
            self.deviceKindChanged.emit()
        self._delivering.append(accepted)
        try:
            QCoreApplication.sendEvent(self._window, key_event)
        finally:
            self._delivering.pop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Normalise the window's own key events; every other event passes untouched."""
        if watched is not self._window or event.type() not in _KEY_EVENTS or self._delivering:
            return False
        if not isinstance(event, QKeyEvent) or event.modifiers() & _PASS_MODIFIERS:
            return False
        key = event.key()
        action = action_for_key(
            key, native_scan_code=event.nativeScanCode(),
            native_virtual_key=event.nativeVirtualKey(), platform=self._platform,
        )
        if action is None:
            # Media keys are swallowed; anything else (letters, Tab) is not ours to judge.
            return key in IGNORED_KEYS
        if event.isAutoRepeat():
            if event.type() == QEvent.Type.KeyRelease:
                return True  # X11 pairs every auto-repeat press with a release; one is enough
            phase = Phase.REPEAT
        else:
            phase = Phase.PRESS if event.type() == QEvent.Type.KeyPress else Phase.RELEASE
        # Declared optional: synthetic events from some platform plugins carry no device.
        device: QInputDevice | None = event.device()
        source = (device.name() if device is not None else "") or "keyboard"
        kind = (
            DeviceKind.REMOTE
            if key in REMOTE_ONLY_KEYS or self._remote_names.search(source)
            else DeviceKind.KEYBOARD
        )
        accepted = self._filter.accept(
            InputEvent(action, phase, kind, source, self._clock.monotonic())
        )
        if accepted is not None:
            self._deliver(accepted)
        return True

    def _on_active_changed(self) -> None:
        if not self._window.isActive():
            # Whatever is held now was pressed here but will be released elsewhere (or the
            # other way round): none of it may act after focus comes back.
            self._filter.forget_held()
            _log.debug("window inactive: held keys forgotten")
