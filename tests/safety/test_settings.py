"""Purchase-safety settings parse from the device settings, with every problem named."""

from __future__ import annotations

import pytest

from tvclient.device.safety.errors import SafetySettingsError
from tvclient.device.safety.settings import SafetySettings


def test_defaults():
    """Missing keys take the safe defaults (click mode, 250 ms settle, 5 PIN tries)."""
    settings = SafetySettings.from_mapping({})
    assert settings == SafetySettings()
    assert not settings.hold_to_confirm
    assert settings.pin_attempts == 5


def test_values_are_read():
    """Set values are converted to seconds."""
    settings = SafetySettings.from_mapping(
        {"purchase.hold_to_confirm": True, "purchase.hold_ms": 1200, "purchase.settle_ms": 0,
         "purchase.lockout_s": 30, "other.key": "ignored"}
    )
    assert settings.hold_to_confirm
    assert settings.hold_seconds == 1.2
    assert settings.settle_seconds == 0
    assert settings.lockout_seconds == 30


def test_bad_values_name_every_problem():
    """Wrong types and out-of-range values are all reported at once."""
    with pytest.raises(SafetySettingsError) as bad:
        SafetySettings.from_mapping(
            {"purchase.hold_to_confirm": "yes", "purchase.hold_ms": 10,
             "purchase.pin_attempts": True}
        )
    message = str(bad.value)
    assert "purchase.hold_to_confirm" in message
    assert "purchase.hold_ms" in message
    assert "purchase.pin_attempts" in message
