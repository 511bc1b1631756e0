"""`tvclient doctor`'s input section: the devices this machine offers and what each button does.

Needs no QGuiApplication (only Qt's key names from QtCore). Every problem is a line in the
report, never an exception: missing SDL, no CEC adapter or library, unreadable mapping files.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from tvclient.app.input.actions import NAVIGATION, Action
from tvclient.app.input.cec.codes import CEC_ACTIONS, cec_name
from tvclient.app.input.cec.kernel import KernelCecSource, find_cec_input_devices
from tvclient.app.input.cec.libcec import LibCecSource
from tvclient.app.input.cec.sources import CecSource
from tvclient.app.input.gamepad.navigator import GamepadNavigator, PadTiming, button_actions
from tvclient.app.input.gamepad.sdl import SdlGamepads, SdlUnavailableError, load_sdl
from tvclient.app.input.keymap import KEY_ACTIONS, key_name
from tvclient.app.input.layer import cec_sources_for, mapping_files
from tvclient.app.input.settings import InputSettings

__all__ = ["InputDevice", "input_report", "keyboards"]

_PROC_DEVICES = Path("/proc/bus/input/devices")
_LONG_BITS = struct.calcsize("l") * 8
# A keyboard-like device we care about can at least send Enter, OK or an arrow.
_USEFUL_KEYS = (28, 352, 103)
_ACTION_LABELS = {
    Action.UP: "Up", Action.DOWN: "Down", Action.LEFT: "Left", Action.RIGHT: "Right",
    Action.OK: "OK", Action.BACK: "Back", Action.MENU: "Menu", Action.HOME: "Home",
    Action.RED: "Red", Action.GREEN: "Green", Action.YELLOW: "Yellow", Action.BLUE: "Blue",
}


@dataclass(frozen=True, slots=True)
class InputDevice:
    """A keyboard-like input device from /proc/bus/input/devices."""

    name: str
    remote: bool


def keyboards(settings: InputSettings, proc_devices: Path = _PROC_DEVICES) -> list[InputDevice]:
    """Keyboards and IR/USB remotes the kernel lists (Linux; empty elsewhere)."""
    try:
        text = proc_devices.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    remote = re.compile(settings.remote_device_pattern)
    found: list[InputDevice] = []
    for block in text.split("\n\n"):
        name = re.search(r'^N: Name="(.*)"$', block, re.MULTILINE)
        handlers = re.search(r"^H: Handlers=(.*)$", block, re.MULTILINE)
        keys = re.search(r"^B: KEY=(.*)$", block, re.MULTILINE)
        if not name or not handlers or not keys or "kbd" not in handlers.group(1).split():
            continue
        if not any(_has_key(keys.group(1), code) for code in _USEFUL_KEYS):
            continue
        found.append(InputDevice(name.group(1), bool(remote.search(name.group(1)))))
    return found


def _has_key(bitmap: str, code: int) -> bool:
    words = bitmap.split()[::-1]  # the kernel prints the highest word first
    index, bit = divmod(code, _LONG_BITS)
    if index >= len(words):
        return False
    try:
        return bool(int(words[index], 16) >> bit & 1)
    except ValueError:
        return False


def input_report(
    settings: InputSettings | None = None, config_dir: Path | None = None, *,
    sdl_loader: Callable[[], ModuleType] = load_sdl,
    cec_sources: Sequence[CecSource] | None = None,
    proc_devices: Path = _PROC_DEVICES,
) -> list[str]:
    """Lines describing input devices and their buttons, for `tvclient doctor` to print."""
    settings = settings or InputSettings()
    lines = ["Input devices"]
    lines += _keyboard_section(settings, proc_devices)
    lines += _controller_section(settings, config_dir, sdl_loader)
    sources = list(cec_sources) if cec_sources is not None else cec_sources_for(settings.cec)
    lines += _cec_section(settings, sources)
    return lines


def _keyboard_section(settings: InputSettings, proc_devices: Path) -> list[str]:
    lines = ["  keyboards and IR/USB remotes:"]
    devices = keyboards(settings, proc_devices)
    for device in devices:
        kind = (
            f"remote; a repeated press within {settings.double_press_seconds * 1000:.0f} ms "
            "is dropped" if device.remote else "keyboard"
        )
        lines.append(f"    {device.name} ({kind})")
    if not devices:
        lines.append("    none listed by the kernel (the window system's keyboard still works)")
    groups: dict[Action, list[str]] = {}
    for key, action in KEY_ACTIONS.items():
        groups.setdefault(action, []).append(key_name(key))
    lines.append("    keys: " + _describe(groups, "arrow keys") + "; media keys are ignored")
    return lines


def _controller_section(
    settings: InputSettings, config_dir: Path | None, sdl_loader: Callable[[], ModuleType],
) -> list[str]:
    if not settings.controller_navigation:
        return ["  game controllers: off (setting input.controller_navigation)"]
    try:
        sdl2 = sdl_loader()
        gamepads = SdlGamepads(sdl2, GamepadNavigator(PadTiming()), mapping_files(config_dir))
        files = gamepads.open(log_problems=False)
    except SdlUnavailableError as exc:
        return [f"  game controllers: unavailable — {exc}"]
    try:
        counts = ", ".join(f"{len(f.mappings)} from {f.path}" for f in files)
        lines = [f"  game controllers (SDL {gamepads.version()}; mappings: {counts}):"]
        lines += [f"    mapping problem: {p}" for f in files for p in f.problems]
        joysticks = gamepads.joysticks()
        for pad in joysticks:
            if pad.mapping is None:
                lines.append(
                    f"    {pad.name} (GUID {pad.guid}) — NO MAPPING: add a line for this GUID "
                    f"to {mapping_files(config_dir)[-1]}"
                )
            else:
                lines.append(f"    {pad.name} (GUID {pad.guid}, mapped as {pad.mapping!r})")
        if not joysticks:
            lines.append("    none connected")
    finally:
        gamepads.close()
    groups: dict[Action, list[str]] = {}
    for button, action in button_actions(swap_ab=settings.swap_ab).items():
        groups.setdefault(action, []).append(button.name.title())
    lines.append(
        "    buttons: " + _describe(groups, "D-pad, left stick")
        + f"; held directions repeat every {settings.repeat_seconds * 1000:.0f} ms"
    )
    return lines


def _cec_section(settings: InputSettings, sources: Sequence[CecSource]) -> list[str]:
    if not sources:
        return [f"  HDMI-CEC: off (setting input.cec = {settings.cec!r})"]
    found: list[str] = []
    reasons: list[str] = []
    for source in sources:
        reason = source.unavailable()
        if reason is not None:
            reasons.append(f"{source.name}: {reason}")
            continue
        adapters = _adapters(source)
        if adapters:
            found += [f"    {adapter} ({source.name})" for adapter in adapters]
        else:
            reasons.append(f"{source.name}: no adapter found")
    if not found:
        return [
            "  HDMI-CEC: no adapter — the TV's own remote is not available ("
            + "; ".join(reasons) + ")"
        ]
    groups: dict[Action, list[str]] = {}
    for code, action in CEC_ACTIONS.items():
        groups.setdefault(action, []).append(cec_name(code))
    return [
        "  HDMI-CEC adapters:", *found,
        "    keys: " + _describe(groups, "UP, DOWN, LEFT, RIGHT")
        + f"; a repeated press within {settings.double_press_seconds * 1000:.0f} ms is dropped",
    ]


def _adapters(source: CecSource) -> list[str]:
    if isinstance(source, KernelCecSource):
        return [f"{rc} (/dev/input/{event})" for rc, event in find_cec_input_devices(source.sysfs)]
    if isinstance(source, LibCecSource):
        return source.detect_adapters()
    adapter = source.open()
    source.close()
    return [adapter] if adapter else []


def _describe(groups: dict[Action, list[str]], navigation: str) -> str:
    parts = [f"{navigation} → Up/Down/Left/Right"]
    digits = [a for a in groups if a.value.isdigit()]
    for action, names in groups.items():
        if action.value.isdigit() or action in NAVIGATION:
            continue
        parts.append(f"{', '.join(names)} → {_ACTION_LABELS[action]}")
    if digits:
        parts.append("digits → 0-9")
    return "; ".join(parts)
