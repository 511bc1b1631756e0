"""SDL2 game controllers (PySDL2 + pysdl2-dll), read by polling; no Qt.

PySDL2 is an optional extra (`pip install 'tvclient[gamepad]'`). `load_sdl()` imports it at run
time and raises `SdlUnavailableError` with a readable reason when the package or the SDL2 library is
missing, so the app runs without controllers instead of failing.

`SdlGamepads` owns SDL's game controller subsystem: it loads the mapping databases, opens
controllers as they are plugged in (hot-plug), and on every `poll(at)` turns SDL's queued events
into action events through a `GamepadNavigator`. No SDL video is initialised (Qt owns the
window), SDL's signal handlers are disabled (Ctrl+C stays Python's) and background events are
allowed, because SDL has no window of its own to be focused — the Qt side polls only while the
app's window has focus.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from tvclient.app.input.actions import InputEvent
from tvclient.app.input.gamepad.mappings import MappingFile, parse_mapping_file
from tvclient.app.input.gamepad.navigator import GamepadNavigator, PadAxis, PadButton

__all__ = ["ControllerInfo", "SdlGamepads", "SdlUnavailableError", "load_sdl"]

_log = logging.getLogger(__name__)
_MIN_VERSION = (2, 0, 14)


class SdlUnavailableError(Exception):
    """Game controllers cannot be used on this machine; the message says why and how to fix it."""


def load_sdl() -> ModuleType:
    """Import PySDL2 and its SDL2 library.

    Raises:
        SdlUnavailableError: PySDL2 is not installed, the SDL2 library cannot be loaded, or it is
            older than 2.0.14.
    """
    try:
        with warnings.catch_warnings():
            # pysdl2 announces which SDL binary it found; that is not a problem.
            warnings.simplefilter("ignore")
            sdl2 = importlib.import_module("sdl2")
    except ImportError as exc:
        raise SdlUnavailableError(
            f"PySDL2 is not installed ({exc}); install it with: pip install 'tvclient[gamepad]'"
        ) from None
    except (RuntimeError, OSError) as exc:
        raise SdlUnavailableError(
            f"the SDL2 library could not be loaded ({exc}); install pysdl2-dll or libsdl2"
        ) from None
    version = _version(sdl2)
    if version < _MIN_VERSION:
        raise SdlUnavailableError(
            f"SDL {'.'.join(map(str, version))} is too old; tvclient needs SDL 2.0.14 or newer"
        )
    return sdl2


def _version(sdl2: Any) -> tuple[int, int, int]:
    ver = sdl2.SDL_version()
    sdl2.SDL_GetVersion(ctypes.byref(ver))
    return (int(ver.major), int(ver.minor), int(ver.patch))


@dataclass(frozen=True, slots=True)
class ControllerInfo:
    """A connected controller as doctor and logs describe it."""

    source: str
    name: str
    guid: str
    mapping: str | None


class SdlGamepads:
    """SDL2's game controllers, polled, as action events."""

    def __init__(
        self, sdl2: ModuleType, navigator: GamepadNavigator, mapping_files: Sequence[Path],
    ) -> None:
        self._sdl: Any = sdl2
        self._navigator = navigator
        self._mapping_files = tuple(mapping_files)
        self._pads: dict[int, Any] = {}
        self._unmapped_seen: set[str] = set()
        self._open = False

    @property
    def navigator(self) -> GamepadNavigator:
        """The button → action translator."""
        return self._navigator

    def open(self, *, log_problems: bool = True) -> list[MappingFile]:
        """Start SDL's controller subsystem and load the mapping databases.

        Args:
            log_problems: Log bad mapping lines as warnings (doctor reports them itself).

        Returns:
            The mapping files as read (doctor shows their problems).

        Raises:
            SdlUnavailableError: SDL could not initialise its controller subsystem.
        """
        sdl = self._sdl
        sdl.SDL_SetHint(b"SDL_NO_SIGNAL_HANDLERS", b"1")
        sdl.SDL_SetHint(b"SDL_JOYSTICK_ALLOW_BACKGROUND_EVENTS", b"1")
        # Positions, not labels: "A" is the bottom button on every pad; swap_ab is the user's.
        sdl.SDL_SetHint(b"SDL_GAMECONTROLLER_USE_BUTTON_LABELS", b"0")
        if sdl.SDL_InitSubSystem(sdl.SDL_INIT_GAMECONTROLLER) != 0:
            raise SdlUnavailableError(f"SDL could not start game controllers: {self._error()}")
        self._open = True
        # Pads already plugged in arrive as CONTROLLERDEVICEADDED events on the first poll.
        return [self._load_mappings(path, log_problems) for path in self._mapping_files]

    def close(self) -> None:
        """Close every controller and stop SDL's controller subsystem."""
        if not self._open:
            return
        for pad in self._pads.values():
            self._sdl.SDL_GameControllerClose(pad)
        self._pads.clear()
        self._sdl.SDL_QuitSubSystem(self._sdl.SDL_INIT_GAMECONTROLLER)
        self._open = False

    def poll(self, at: float) -> list[InputEvent]:
        """Everything the controllers did since the last poll, plus repeats due by `at`."""
        events: list[InputEvent] = []
        if not self._open:
            return events
        sdl = self._sdl
        event = sdl.SDL_Event()
        while sdl.SDL_PollEvent(ctypes.byref(event)):
            kind = int(event.type)
            if kind in (sdl.SDL_CONTROLLERBUTTONDOWN, sdl.SDL_CONTROLLERBUTTONUP):
                events += self._navigator.button(
                    _source(event.cbutton.which), int(event.cbutton.button),
                    kind == sdl.SDL_CONTROLLERBUTTONDOWN, at,
                )
            elif kind == sdl.SDL_CONTROLLERAXISMOTION:
                events += self._navigator.axis(
                    _source(event.caxis.which), int(event.caxis.axis), int(event.caxis.value), at,
                )
            else:
                events += self._device_event(kind, event, at)
        events += self._navigator.tick(at)
        return events

    def suspend(self) -> None:
        """The window lost focus: forget what is held (no releases are sent)."""
        self._navigator.suspend()

    def flush(self, at: float) -> list[InputEvent]:
        """The window has focus again: drop queued presses, and ignore what is still held.

        Returns:
            Only device-level consequences (none today); queued button and stick events are
            discarded, and buttons held right now stay ignored until released.
        """
        if not self._open:
            return []
        sdl = self._sdl
        event = sdl.SDL_Event()
        while sdl.SDL_PollEvent(ctypes.byref(event)):
            kind = int(event.type)
            if kind in (sdl.SDL_CONTROLLERDEVICEADDED, sdl.SDL_CONTROLLERDEVICEREMOVED,
                        sdl.SDL_JOYDEVICEADDED):
                self._device_event(kind, event, at)
        held: list[tuple[str, int]] = []
        sticks: dict[str, tuple[int, int]] = {}
        for instance, pad in self._pads.items():
            source = _source(instance)
            held += [
                (source, int(button)) for button in PadButton
                if sdl.SDL_GameControllerGetButton(pad, int(button))
            ]
            sticks[source] = (
                int(sdl.SDL_GameControllerGetAxis(pad, int(PadAxis.LEFT_X))),
                int(sdl.SDL_GameControllerGetAxis(pad, int(PadAxis.LEFT_Y))),
            )
        self._navigator.resume(held, sticks)
        return []

    def controllers(self) -> list[ControllerInfo]:
        """The open controllers."""
        return [self._info(instance, pad) for instance, pad in self._pads.items()]

    def joysticks(self) -> list[ControllerInfo]:
        """Every joystick SDL sees, mapped or not (`mapping` None when unmapped), for doctor."""
        sdl = self._sdl
        found = []
        for index in range(int(sdl.SDL_NumJoysticks())):
            name = _text(sdl.SDL_JoystickNameForIndex(index)) or "unnamed joystick"
            guid = _guid_text(sdl, sdl.SDL_JoystickGetDeviceGUID(index))
            mapping = (
                _text(sdl.SDL_GameControllerNameForIndex(index)) or name
                if sdl.SDL_IsGameController(index) else None
            )
            found.append(ControllerInfo(f"index {index}", name, guid, mapping))
        return found

    def version(self) -> str:
        """The SDL library version, e.g. "2.32.10"."""
        return ".".join(map(str, _version(self._sdl)))

    # ------------------------------------------------------------------ devices
    def _device_event(self, kind: int, event: Any, at: float) -> list[InputEvent]:
        sdl = self._sdl
        if kind == sdl.SDL_CONTROLLERDEVICEADDED:
            self._add(int(event.cdevice.which))
        elif kind == sdl.SDL_CONTROLLERDEVICEREMOVED:
            instance = int(event.cdevice.which)
            pad = self._pads.pop(instance, None)
            if pad is not None:
                _log.info("game controller %s unplugged", _source(instance))
                sdl.SDL_GameControllerClose(pad)
                return self._navigator.forget(_source(instance), at)
        elif kind == sdl.SDL_JOYDEVICEADDED:
            index = int(event.jdevice.which)
            if not sdl.SDL_IsGameController(index):
                self._report_unmapped(index)
        return []

    def _add(self, index: int) -> None:
        sdl = self._sdl
        pad = sdl.SDL_GameControllerOpen(index)
        if not pad:
            _log.info("game controller %d could not be opened: %s", index, self._error())
            return
        instance = int(sdl.SDL_JoystickInstanceID(sdl.SDL_GameControllerGetJoystick(pad)))
        if instance in self._pads:
            sdl.SDL_GameControllerClose(pad)  # SDL reference-counts opens; keep one
            return
        self._pads[instance] = pad
        info = self._info(instance, pad)
        _log.info("game controller connected: %s (%s)", info.name, info.source)

    def _report_unmapped(self, index: int) -> None:
        sdl = self._sdl
        name = _text(sdl.SDL_JoystickNameForIndex(index)) or "unnamed joystick"
        guid = _guid_text(sdl, sdl.SDL_JoystickGetDeviceGUID(index))
        if guid in self._unmapped_seen:
            return
        self._unmapped_seen.add(guid)
        user_db = self._mapping_files[-1] if self._mapping_files else None
        _log.info(
            "joystick %r (GUID %s) has no controller mapping; add one to %s to use it",
            name, guid, user_db,
        )

    def _info(self, instance: int, pad: Any) -> ControllerInfo:
        sdl = self._sdl
        joystick = sdl.SDL_GameControllerGetJoystick(pad)
        guid = _guid_text(sdl, sdl.SDL_JoystickGetGUID(joystick))
        mapping = _text(sdl.SDL_GameControllerMapping(pad))
        mapping_name = mapping.split(",")[1] if mapping and mapping.count(",") >= 2 else None
        name = _text(sdl.SDL_GameControllerName(pad)) or "unnamed controller"
        return ControllerInfo(_source(instance), name, guid, mapping_name)

    def _load_mappings(self, path: Path, log_problems: bool) -> MappingFile:
        parsed = parse_mapping_file(path)
        problems = list(parsed.problems)
        accepted = []
        for mapping in parsed.mappings:
            if self._sdl.SDL_GameControllerAddMapping(mapping.text.encode("utf-8")) < 0:
                problems.append(f"{path}: SDL rejected {mapping.name!r}: {self._error()}")
            else:
                accepted.append(mapping)
        if log_problems:
            for problem in problems:
                _log.warning("controller mapping skipped: %s", problem)
        if accepted:
            _log.info("loaded %d controller mappings from %s", len(accepted), path)
        return MappingFile(path, tuple(accepted), tuple(problems))

    def _error(self) -> str:
        return _text(self._sdl.SDL_GetError()) or "unknown SDL error"


def _source(instance: int) -> str:
    return f"sdl:{instance}"


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _guid_text(sdl: Any, guid: Any) -> str:
    buffer = ctypes.create_string_buffer(33)
    sdl.SDL_JoystickGetGUIDString(guid, buffer, 33)
    return buffer.value.decode("ascii", errors="replace")
