"""Fixtures for the input layer.

A QML test scene driven only through the input layer, a fake clock, a scripted CEC adapter, and
virtual SDL game controllers (no hardware).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeyEvent, QWindow
from PySide6.QtQuick import QQuickItem, QQuickView
from PySide6.QtTest import QTest

from tests.helpers.clock import FakeClock
from tvclient.app.input.cec.scripted import ScriptedCecSource
from tvclient.app.input.gamepad.sdl import load_sdl
from tvclient.app.input.layer import InputLayer
from tvclient.app.input.payguard import PayGuard
from tvclient.app.input.router import InputRouter
from tvclient.app.input.settings import InputSettings
from tvclient.device.safety.paygate import PayGate
from tvclient.device.safety.settings import SafetySettings

SCENE = Path(__file__).with_name("scene") / "Scene.qml"
# Keys QTest can type without warning; remote-only keys are sent as plain key events.
_QTEST_KEYS = frozenset({
    Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Return,
    Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Space, Qt.Key.Key_Backspace,
    Qt.Key.Key_F1, Qt.Key.Key_F2, Qt.Key.Key_F3, Qt.Key.Key_F4, Qt.Key.Key_Home,
    *(Qt.Key(Qt.Key.Key_0.value + d) for d in range(10)),
})


class Probe(QObject):
    """What the scene reports: activations, Back handling, other keys, payments."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.activations: list[str] = []
        self.backs: list[str] = []
        self.keys: list[tuple[int, bool]] = []
        self.payments = 0

    @Slot(str)
    def activated(self, name: str) -> None:
        self.activations.append(name)

    @Slot(str)
    def back(self, how: str) -> None:
        self.backs.append(how)

    @Slot(int, bool)
    def key(self, key: int, repeat: bool) -> None:
        self.keys.append((key, repeat))

    @Slot()
    def paid(self) -> None:
        self.payments += 1


class VirtualPad:
    """A virtual SDL game controller (SDL_JoystickAttachVirtual): no hardware needed."""

    def __init__(self, sdl2: Any) -> None:
        self._sdl = sdl2
        index = sdl2.SDL_JoystickAttachVirtual(
            sdl2.SDL_JOYSTICK_TYPE_GAMECONTROLLER, sdl2.SDL_CONTROLLER_AXIS_MAX,
            sdl2.SDL_CONTROLLER_BUTTON_MAX, 0,
        )
        assert index >= 0, sdl2.SDL_GetError()
        self._joystick = sdl2.SDL_JoystickOpen(index)
        assert self._joystick, sdl2.SDL_GetError()
        self.instance = int(sdl2.SDL_JoystickInstanceID(self._joystick))

    @property
    def source(self) -> str:
        return f"sdl:{self.instance}"

    def button(self, button: int, down: bool) -> None:
        assert self._sdl.SDL_JoystickSetVirtualButton(self._joystick, button, int(down)) == 0

    def press(self, button: int) -> None:
        self.button(button, True)

    def release(self, button: int) -> None:
        self.button(button, False)

    def axis(self, axis: int, value: int) -> None:
        assert self._sdl.SDL_JoystickSetVirtualAxis(self._joystick, axis, value) == 0

    def unplug(self) -> None:
        if self._joystick:
            index = self._index()
            self._sdl.SDL_JoystickClose(self._joystick)
            self._joystick = None
            if index is not None:
                self._sdl.SDL_JoystickDetachVirtual(index)

    def _index(self) -> int | None:
        for index in range(self._sdl.SDL_NumJoysticks()):
            if self._sdl.SDL_JoystickGetDeviceInstanceID(index) == self.instance:
                return index
        return None


@pytest.fixture
def sdl2() -> Iterator[ModuleType]:
    """SDL2 with the controller subsystem held open for the test's virtual pads."""
    module = load_sdl()
    module.SDL_SetHint(b"SDL_NO_SIGNAL_HANDLERS", b"1")
    assert module.SDL_InitSubSystem(module.SDL_INIT_GAMECONTROLLER) == 0
    yield module
    event = module.SDL_Event()
    while module.SDL_PollEvent(ctypes.byref(event)):
        pass
    module.SDL_QuitSubSystem(module.SDL_INIT_GAMECONTROLLER)


@pytest.fixture
def plug_pad(sdl2: Any) -> Iterator[Callable[[], VirtualPad]]:
    """Plug in a virtual controller (unplugged again at the end of the test)."""
    pads: list[VirtualPad] = []

    def plug() -> VirtualPad:
        pad = VirtualPad(sdl2)
        pads.append(pad)
        return pad

    yield plug
    for pad in pads:
        pad.unplug()


class KeySpy(QObject):
    """Records the key events the input layer delivers (not the raw ones it receives)."""

    def __init__(self, clock: FakeClock, router: InputRouter) -> None:
        super().__init__()
        self._clock = clock
        self._router = router
        self.presses: list[tuple[int, bool, float]] = []
        self.releases: list[int] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and self._router.current is not None:
            if event.type() == QEvent.Type.KeyPress:
                self.presses.append((event.key(), event.isAutoRepeat(), self._clock.monotonic()))
            elif event.type() == QEvent.Type.KeyRelease:
                self.releases.append(event.key())
        return False

    def delivered_keys(self) -> list[int]:
        return [key for key, _, _ in self.presses]

    def times(self, key: int) -> list[float]:
        return [at for k, _, at in self.presses if k == key]


@dataclass
class Harness:
    """The scene, the input layer on it, and handles to drive each device kind."""

    view: QQuickView
    layer: InputLayer
    guard: PayGuard
    probe: Probe
    clock: FakeClock
    cec: ScriptedCecSource
    spy: KeySpy
    _others: list[QWindow] = field(default_factory=list)

    def focused(self) -> str:
        item: QQuickItem | None = self.view.activeFocusItem()
        return item.objectName() if item is not None else ""

    # keyboard ------------------------------------------------------------------
    def key_press(self, key: Qt.Key, *, repeat: bool = False) -> None:
        if repeat or key not in _QTEST_KEYS:
            event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, "",
                              repeat, 1)
            QGuiApplication.sendEvent(self.view, event)
        else:
            QTest.keyPress(self.view, key)  # through the platform path, like a real key

    def key_release(self, key: Qt.Key) -> None:
        if key in _QTEST_KEYS:
            QTest.keyRelease(self.view, key)
        else:
            event = QKeyEvent(QEvent.Type.KeyRelease, key, Qt.KeyboardModifier.NoModifier)
            QGuiApplication.sendEvent(self.view, event)

    def tap(self, key: Qt.Key, hold: float = 0.05) -> None:
        self.key_press(key)
        self.clock.advance(hold)
        self.key_release(key)

    # controller ----------------------------------------------------------------
    def pad_poll(self, advance: float = 0.0) -> int:
        self.clock.advance(advance)
        assert self.layer.controllers is not None
        return self.layer.controllers.poll_once()

    def pad_run(self, seconds: float, step: float = 0.016) -> None:
        """Poll every `step` for `seconds` of fake time, as the QTimer would."""
        elapsed = 0.0
        while elapsed < seconds - 1e-9:
            self.pad_poll(step)
            elapsed += step

    # CEC -------------------------------------------------------------------------
    def cec_poll(self, advance: float = 0.0) -> int:
        self.clock.advance(advance)
        assert self.layer.cec is not None
        return self.layer.cec.poll_once()

    # focus ---------------------------------------------------------------------
    def deactivate(self, qtbot: Any) -> None:
        other = QWindow()
        other.resize(10, 10)
        other.show()
        other.requestActivate()
        self._others.append(other)
        qtbot.waitUntil(lambda: not self.view.isActive(), timeout=2000)

    def activate(self, qtbot: Any) -> None:
        self.view.requestActivate()
        qtbot.waitUntil(self.view.isActive, timeout=2000)


@pytest.fixture
def make_harness(qtbot: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Harness]]:
    """Build the scene with an input layer; pass settings to vary it."""
    made: list[Harness] = []

    def make(
        settings: InputSettings | None = None, safety: SafetySettings | None = None, *,
        controllers: bool = True,
    ) -> Harness:
        clock = FakeClock()
        view = QQuickView()
        view.resize(640, 400)
        cec = ScriptedCecSource()
        loader = load_sdl if controllers else _no_sdl
        layer = InputLayer(
            view, settings or InputSettings(), clock=clock, config_dir=None,
            sdl_loader=loader, cec_sources=[cec],
        )
        guard = PayGuard(layer.router, PayGate(clock, safety or SafetySettings()))
        probe = Probe()
        guard.confirmed.connect(probe.paid)
        view.rootContext().setContextProperty("probe", probe)
        view.rootContext().setContextProperty("payGuard", guard)
        view.setSource(QUrl.fromLocalFile(str(SCENE)))
        assert view.status() == QQuickView.Status.Ready, view.errors()
        view.show()
        assert QTest.qWaitForWindowActive(view, 2000)
        layer.start()
        spy = KeySpy(clock, layer.router)
        view.installEventFilter(spy)
        harness = Harness(view, layer, guard, probe, clock, cec, spy)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.layer.close()
        harness.view.rootContext().setContextProperty("payGuard", None)
        harness.view.close()
        for other in harness._others:
            other.close()


def _no_sdl() -> ModuleType:
    from tvclient.app.input.gamepad.sdl import SdlUnavailableError

    raise SdlUnavailableError("switched off for this test")
