"""The staff's choices kept between runs, and damaged values read as "not chosen"."""

from __future__ import annotations

import pytest

from tvclient.booth.state import LANGUAGE_KEY, RESET_AFTER_KEY, BoothState
from tvclient.device.safety.store import MemoryStateStore


def test_choices_round_trip() -> None:
    """Timeout and default language come back as saved."""
    state = BoothState(MemoryStateStore())
    assert (state.reset_after(), state.language()) == (None, None)
    state.set_reset_after(120)
    state.set_language("zh-HK")
    assert (state.reset_after(), state.language()) == (120.0, "zh-HK")
    with pytest.raises(ValueError, match="unknown language"):
        state.set_language("fr")


def test_damaged_values_are_ignored(expect_log: None) -> None:
    """A timeout under 10 s or an unknown language in the file is not used."""
    store = MemoryStateStore()
    store.save(RESET_AFTER_KEY, 3)
    store.save(LANGUAGE_KEY, "klingon")
    state = BoothState(store)
    assert (state.reset_after(), state.language()) == (None, None)
