"""Input settings parse from the device settings, with every problem named."""

from __future__ import annotations

import pytest

from tvclient.app.input.actions import DeviceKind
from tvclient.app.input.settings import InputSettings, InputSettingsError


def test_defaults():
    """Navigation on, no swap, 300 ms double-press window, 150 ms repeat, CEC auto."""
    settings = InputSettings.from_mapping({})
    assert settings == InputSettings()
    assert settings.controller_navigation
    assert settings.double_press_seconds == 0.3
    assert settings.cec == "auto"


def test_values_are_read_and_shape_the_policies():
    """Set values reach the per-kind filter policies."""
    settings = InputSettings.from_mapping(
        {"input.swap_ab": True, "input.double_press_ms": 1250, "input.repeat_ms": 200,
         "input.cec": "off", "input.controller_navigation": False}
    )
    assert settings.swap_ab
    assert not settings.controller_navigation
    policies = settings.policies()
    assert policies[DeviceKind.CEC].double_press_window == 1.25
    assert policies[DeviceKind.REMOTE].double_press_window == 1.25
    assert policies[DeviceKind.KEYBOARD].double_press_window == 0
    assert policies[DeviceKind.KEYBOARD].repeat_interval == 0.2


def test_bad_values_name_every_problem():
    """Wrong types, ranges, modes and patterns are all reported."""
    with pytest.raises(InputSettingsError) as bad:
        InputSettings.from_mapping(
            {"input.swap_ab": 1, "input.double_press_ms": 5000, "input.cec": "maybe",
             "input.remote_device_pattern": "("}
        )
    message = str(bad.value)
    for key in ("input.swap_ab", "input.double_press_ms", "input.cec",
                "input.remote_device_pattern"):
        assert key in message
