"""Operator settings for purchase safety, parsed from the device settings (a plain mapping).

Keys (defaults in brackets): `purchase.hold_to_confirm` [false], `purchase.hold_ms` [1000],
`purchase.settle_ms` [250], `purchase.max_click_ms` [1500], `purchase.pin_attempts` [5],
`purchase.lockout_s` [60]. Missing keys take the default; a malformed value is reported with
its key and never half-applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tvclient.device.safety.errors import SafetySettingsError

__all__ = ["SafetySettings"]

_MAX_LOCKOUT_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class SafetySettings:
    """How strict the Pay control and the PIN are.

    Attributes:
        hold_to_confirm: Pay needs OK held for `hold_seconds` (a progress ring fills meanwhile).
        hold_seconds: How long the hold must last in hold-to-confirm mode.
        settle_seconds: A press that begins sooner than this after the Product screen appears
            is not a deliberate press on that screen and never pays.
        max_click_seconds: In click mode, a press held longer than this is a held key (someone
            sitting on the remote) and never pays.
        pin_attempts: Wrong PINs in a row that lock purchases.
        lockout_seconds: The first lock's length; each further lock doubles it, up to 24 hours.
    """

    hold_to_confirm: bool = False
    hold_seconds: float = 1.0
    settle_seconds: float = 0.25
    max_click_seconds: float = 1.5
    pin_attempts: int = 5
    lockout_seconds: float = 60.0
    max_lockout_seconds: float = float(_MAX_LOCKOUT_S)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> SafetySettings:
        """Parse the `purchase.*` settings; other keys are ignored.

        Raises:
            SafetySettingsError: a value has the wrong type or is out of range (all problems
                are named in the message).
        """
        problems: list[str] = []
        hold = _flag(values, "purchase.hold_to_confirm", False, problems)
        hold_ms = _whole(values, "purchase.hold_ms", 1000, 300, 5000, problems=problems)
        settle_ms = _whole(values, "purchase.settle_ms", 250, 0, 2000, problems=problems)
        click_ms = _whole(values, "purchase.max_click_ms", 1500, 300, 10_000, problems=problems)
        attempts = _whole(values, "purchase.pin_attempts", 5, 1, 20, problems=problems)
        lockout = _whole(values, "purchase.lockout_s", 60, 1, _MAX_LOCKOUT_S, problems=problems)
        if problems:
            raise SafetySettingsError("bad purchase settings: " + "; ".join(problems))
        return cls(
            hold_to_confirm=hold,
            hold_seconds=hold_ms / 1000,
            settle_seconds=settle_ms / 1000,
            max_click_seconds=click_ms / 1000,
            pin_attempts=attempts,
            lockout_seconds=float(lockout),
        )


def _flag(values: Mapping[str, object], key: str, default: bool, problems: list[str]) -> bool:
    value = values.get(key, default)
    if isinstance(value, bool):
        return value
    problems.append(f"{key} must be true or false, not {value!r}")
    return default


def _whole(
    values: Mapping[str, object], key: str, default: int, low: int, high: int, *,
    problems: list[str],
) -> int:
    value = values.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{key} must be a whole number, not {value!r}")
        return default
    if not low <= value <= high:
        problems.append(f"{key} must be between {low} and {high}, not {value}")
        return default
    return value
