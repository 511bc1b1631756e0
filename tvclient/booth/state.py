"""The booth's own small state: staff choices kept between runs (no Qt).

It lives in a state store of its own (the booth's `booth.json`, not the device settings), next
to the staff PIN's hash and lockout and the visit statistics.
"""

from __future__ import annotations

import logging

from tvclient.booth.config import LANGUAGES, MAX_RESET_AFTER, MIN_RESET_AFTER
from tvclient.device.safety.store import StateStore

__all__ = ["LANGUAGE_KEY", "RESET_AFTER_KEY", "BoothState"]

_log = logging.getLogger(__name__)

RESET_AFTER_KEY = "booth.reset_after"
LANGUAGE_KEY = "booth.language"


class BoothState:
    """Reads and writes the staff's choices; a damaged value reads as "not chosen"."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def reset_after(self) -> float | None:
        """The inactivity timeout staff chose last, or None."""
        value = self._store.load(RESET_AFTER_KEY)
        if value is None:
            return None
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and MIN_RESET_AFTER <= value <= MAX_RESET_AFTER
        ):
            return float(value)
        _log.warning("booth state: ignoring an unusable reset timeout %r", value)
        return None

    def set_reset_after(self, seconds: float) -> None:
        """Remember the timeout staff chose."""
        self._store.save(RESET_AFTER_KEY, seconds)

    def language(self) -> str | None:
        """The default language staff chose last, or None."""
        value = self._store.load(LANGUAGE_KEY)
        if value is None:
            return None
        if value in LANGUAGES:
            return str(value)
        _log.warning("booth state: ignoring an unknown default language %r", value)
        return None

    def set_language(self, language: str) -> None:
        """Remember the default language staff chose."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self._store.save(LANGUAGE_KEY, language)
