"""Fixtures for the booth: the real embedded stack on loopback, the real app, the booth over it.

The booth's own clock is a `FakeClock` the test moves; the device keeps the real clock, as the
input layer needs. The keyring is in memory unless a test asks for the real Secret Service.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
import shiboken6
from keyring.backend import KeyringBackend
from pytestqt.qtbot import QtBot

from tests.app.memkeyring import MemoryKeyring
from tests.booth.rig import (
    STAFF_PIN,
    BoothRig,
    build_booth,
    loopback_config,
    start_stack,
    write_pin_file,
)
from tests.helpers.clock import FakeClock
from tvclient.booth.config import BoothConfig
from tvclient.booth.kiosk import Booth
from tvclient.booth.stack import StackUrls

__all__ = ["STAFF_PIN", "BoothRig", "MakeBooth"]


class MakeBooth(Protocol):
    """Builds and starts a booth (after the test set up its files)."""

    def __call__(self, *, keyring: KeyringBackend | None = None, reset_after: float = 90.0,
                 language: str | None = None) -> BoothRig:
        """The started booth, ready on its attract loop."""
        ...


@pytest.fixture
def config() -> BoothConfig:
    """`tvclient --booth --windowed` on loopback ports of its own."""
    return loopback_config()


@pytest.fixture
def stack(tmp_path: Path, config: BoothConfig) -> Iterator[StackUrls]:
    """The embedded sandbox + merchant backend, wired from the config as run.py does."""
    running = start_stack(tmp_path / "stack", config)
    assert running.urls is not None
    yield running.urls
    running.stop()


@pytest.fixture
def booth_clock() -> FakeClock:
    """The booth's clock (the device's stays real)."""
    return FakeClock()


@pytest.fixture
def pin_file(tmp_path: Path) -> Path:
    """The staff PIN file, readable by its owner only."""
    return write_pin_file(tmp_path / "staff-pin")


@pytest.fixture
def make_booth(
    qtbot: QtBot, tmp_path: Path, config: BoothConfig, stack: StackUrls, *,
    booth_clock: FakeClock, pin_file: Path,
) -> Iterator[MakeBooth]:
    """Start the booth on the stack; everything is closed after the test."""
    started: list[Booth] = []

    def make(*, keyring: KeyringBackend | None = None, reset_after: float = 90.0,
             language: str | None = None) -> BoothRig:
        rig = build_booth(
            tmp_path, config, stack, booth_clock, keyring or MemoryKeyring(),
            pin_file=pin_file, reset_after=reset_after, language=language,
        )
        booth = rig.booth
        started.append(booth)
        booth.start()
        qtbot.waitUntil(lambda: booth.ready, timeout=10_000)
        qtbot.waitUntil(booth.shell.window.isActive, timeout=3000)
        store = booth.shell.model.store_model
        qtbot.waitUntil(lambda: store.rows.rowCount() > 0, timeout=10_000)
        return rig

    yield make
    for booth in started:
        booth.close()
        shiboken6.delete(booth)  # on this thread, not whenever the cycle collector runs
    started.clear()
    gc.collect()


@pytest.fixture
def rig(make_booth: MakeBooth) -> BoothRig:
    """A booth on its attract loop, with an in-memory keyring."""
    return make_booth()
