"""Operator settings of the input layer, parsed from the device settings (a plain mapping; no Qt).

Keys (defaults in brackets):

- `input.controller_navigation` [true]: game controllers drive the UI (off for people who map
  their pad to a keyboard with another tool, tv-anchors §2.1 ask 2).
- `input.swap_ab` [false]: Nintendo-style layout, B is OK and A is Back.
- `input.double_press_ms` [300]: a second identical press from CEC or an IR remote sooner than
  this is dropped (0 turns it off; up to 1500 for people who press slowly, osmc #174).
- `input.repeat_ms` [150]: steady rate of held-arrow repeats, every device.
- `input.repeat_delay_ms` [400]: how long a D-pad direction is held before it starts repeating.
- `input.stick_threshold_pct` [50]: left-stick deflection (percent of full) that counts as a push.
- `input.poll_ms` [16]: how often controllers and CEC are polled while the window has focus.
- `input.cec` ["auto"]: "auto" (kernel CEC input device, else libCEC if installed), "kernel",
  "libcec" or "off".
- `input.remote_device_pattern`: a regular expression; keyboard-like devices whose name matches
  are treated as IR/USB remotes (double-press filtering applies to them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tvclient.app.input.actions import DeviceKind
from tvclient.app.input.filters import KindPolicy

__all__ = ["CEC_MODES", "DEFAULT_REMOTE_PATTERN", "InputSettings", "InputSettingsError"]

CEC_MODES = ("auto", "kernel", "libcec", "off")
# Names Linux gives IR receivers and USB remote dongles ("gpio_ir_recv", "rc-cec", "FLIRC",
# "Media Center Ed. eHome Infrared Remote Transceiver", "HID 1d57:ad02 Consumer Control"...).
DEFAULT_REMOTE_PATTERN = (
    r"(?i)(?:^|[^a-z])(?:ir|rc|remote|lirc|flirc|mce|cec|infrared|consumer control)(?:[^a-z]|$)"
)


class InputSettingsError(ValueError):
    """An input setting has the wrong type or is out of range."""


@dataclass(frozen=True, slots=True)
class InputSettings:
    """How devices are read and filtered. See the module docstring for the keys."""

    controller_navigation: bool = True
    swap_ab: bool = False
    double_press_seconds: float = 0.3
    repeat_seconds: float = 0.15
    repeat_delay_seconds: float = 0.4
    stick_threshold: float = 0.5
    poll_seconds: float = 0.016
    cec: str = "auto"
    remote_device_pattern: str = DEFAULT_REMOTE_PATTERN

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> InputSettings:
        """Parse the `input.*` settings; other keys are ignored, missing ones take defaults.

        Raises:
            InputSettingsError: naming every malformed value.
        """
        problems: list[str] = []
        nav = _flag(values, "input.controller_navigation", True, problems)
        swap = _flag(values, "input.swap_ab", False, problems)
        double = _whole(values, "input.double_press_ms", (300, 0, 1500), problems)
        repeat = _whole(values, "input.repeat_ms", (150, 50, 1000), problems)
        delay = _whole(values, "input.repeat_delay_ms", (400, 150, 2000), problems)
        stick = _whole(values, "input.stick_threshold_pct", (50, 20, 95), problems)
        poll = _whole(values, "input.poll_ms", (16, 5, 50), problems)
        cec = values.get("input.cec", "auto")
        if cec not in CEC_MODES:
            problems.append(f"input.cec must be one of {', '.join(CEC_MODES)}, not {cec!r}")
            cec = "auto"
        pattern = values.get("input.remote_device_pattern", DEFAULT_REMOTE_PATTERN)
        if not isinstance(pattern, str):
            problems.append(f"input.remote_device_pattern must be text, not {pattern!r}")
            pattern = DEFAULT_REMOTE_PATTERN
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"input.remote_device_pattern is not a valid pattern: {exc}")
                pattern = DEFAULT_REMOTE_PATTERN
        if problems:
            raise InputSettingsError("bad input settings: " + "; ".join(problems))
        return cls(
            controller_navigation=nav,
            swap_ab=swap,
            double_press_seconds=double / 1000,
            repeat_seconds=repeat / 1000,
            repeat_delay_seconds=delay / 1000,
            stick_threshold=stick / 100,
            poll_seconds=poll / 1000,
            cec=str(cec),
            remote_device_pattern=pattern,
        )

    def policies(self) -> dict[DeviceKind, KindPolicy]:
        """Repeat and double-press rules per device kind.

        Controllers time their own repeats (`gamepad.navigator`), so the filter passes them;
        only CEC and IR remotes send doubled presses, so only they get the double-press window.
        """
        return {
            DeviceKind.KEYBOARD: KindPolicy(repeat_interval=self.repeat_seconds),
            DeviceKind.REMOTE: KindPolicy(
                repeat_interval=self.repeat_seconds,
                double_press_window=self.double_press_seconds,
            ),
            DeviceKind.CEC: KindPolicy(
                repeat_interval=self.repeat_seconds,
                double_press_window=self.double_press_seconds,
            ),
            DeviceKind.CONTROLLER: KindPolicy(),
        }


def _flag(values: Mapping[str, object], key: str, default: bool, problems: list[str]) -> bool:
    value = values.get(key, default)
    if isinstance(value, bool):
        return value
    problems.append(f"{key} must be true or false, not {value!r}")
    return default


def _whole(
    values: Mapping[str, object], key: str, limits: tuple[int, int, int], problems: list[str],
) -> int:
    default, low, high = limits
    value = values.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{key} must be a whole number, not {value!r}")
        return default
    if not low <= value <= high:
        problems.append(f"{key} must be between {low} and {high}, not {value}")
        return default
    return value
