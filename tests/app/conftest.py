"""Fixtures for the app's UI tests: the real scene and the real device core, offscreen.

The device core (account service, flows, vault, waiting policy) runs unchanged; only the
network (an in-memory backend behind httpx.MockTransport) and the keyring (in memory) are fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol
from zoneinfo import ZoneInfo

import httpx
import pytest
from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tests.app.memkeyring import MemoryKeyring
from tests.app.ui import settle
from tests.helpers.clock import FakeClock
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.client import MerchantClient
from tvclient.device.home_snapshot import SnapshotStore
from tvclient.device.intents import IntentStore
from tvclient.device.safety.cap import SpendingCap
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore
from tvclient.device.vault import BindingVault

HK = ZoneInfo("Asia/Hong_Kong")


class MakeShell(Protocol):
    """Builds and shows the app; `store=False` does not wait for the catalog."""

    def __call__(self, *, store: bool = True) -> AppShell:
        """The shown app."""
        ...
BACKEND_URL = "http://backend.test"


class MemoryLanguageStore:
    """A `LanguageStore` in memory."""

    def __init__(self, language: str | None = "en") -> None:
        self.language = language

    def load(self) -> str | None:
        """The saved language."""
        return self.language

    def save(self, language: str) -> None:
        """Remember it."""
        self.language = language


@pytest.fixture
def clock() -> FakeClock:
    """Time that moves only when the test says so (advance it on the worker: `tick`)."""
    return FakeClock()


@pytest.fixture
def backend(clock: FakeClock) -> FakeBackend:
    """The merchant backend's device API, in memory."""
    return FakeBackend(clock)


@pytest.fixture
def state() -> MemoryStateStore:
    """Device state: PIN, cap, pending purchase intents."""
    return MemoryStateStore()


@pytest.fixture
def keyring() -> MemoryKeyring:
    """The OS keyring, in memory."""
    return MemoryKeyring()


@pytest.fixture
def vault(keyring: MemoryKeyring) -> BindingVault:
    """The device's binding vault on the memory keyring."""
    return BindingVault(BACKEND_URL, keyring_backend=keyring)


@pytest.fixture
def safety_settings() -> SafetySettings:
    """Click-to-pay with the default press rules."""
    return SafetySettings()


@pytest.fixture
def languages() -> MemoryLanguageStore:
    """English already chosen (no first-run screen)."""
    return MemoryLanguageStore("en")


def build_services(
    backend: FakeBackend, clock: FakeClock, state: MemoryStateStore, vault: BindingVault,
    *, safety_settings: SafetySettings, languages: MemoryLanguageStore,
    home_snapshot: SnapshotStore | None = None,
) -> AppServices:
    """What run() gets from cli.py, on the fake network and keyring (a fresh core each call)."""
    http = httpx.AsyncClient(transport=backend.transport())
    client = MerchantClient(http, BACKEND_URL, language="en")
    cap = SpendingCap(state, clock, HK)
    account = AccountService(
        client, vault, IntentStore(state), clock,
        DeviceInfo(name="Test TV", platform="linux-x86_64", app_version="0.1.0"), cap=cap,
    )
    return AppServices(
        account=account,
        clock=clock,
        pins=PinGuard(state, clock, safety_settings, scrypt_n=2**4),
        cap=cap,
        safety_settings=safety_settings,
        languages=languages,
        demo=True,
        input_settings={"input.controller_navigation": False, "input.cec": "off"},
        aclose=http.aclose,
        home_snapshot=home_snapshot,
    )


@pytest.fixture
def services(
    backend: FakeBackend, clock: FakeClock, state: MemoryStateStore, vault: BindingVault,
    *, safety_settings: SafetySettings, languages: MemoryLanguageStore,
) -> AppServices:
    """What run() gets from cli.py, on the fake network and keyring."""
    return build_services(
        backend, clock, state, vault, safety_settings=safety_settings, languages=languages
    )


@pytest.fixture
def options() -> AppOptions:
    """A 1280x720 window with receipts in Hong Kong time."""
    return AppOptions(fullscreen=False, timezone=HK)


@pytest.fixture
def make_shell(
    qtbot: QtBot, options: AppOptions, services: AppServices, backend: FakeBackend
) -> Iterator[MakeShell]:
    """Build and show the app (after the test has set its fakes up); closed at the end."""
    shells: list[AppShell] = []

    def make(*, store: bool = True) -> AppShell:
        app_shell = AppShell(options, services)
        shells.append(app_shell)
        app_shell.show()
        qtbot.waitUntil(app_shell.window.isActive, timeout=3000)
        start = app_shell.model.navigator.top.value
        settle(qtbot, app_shell, start)
        if store and start == "home" and not backend.offline:
            qtbot.waitUntil(lambda: app_shell.model.store_model.rows.rowCount() > 0, timeout=3000)
        return app_shell

    yield make
    for app_shell in shells:
        app_shell.close()


@pytest.fixture
def shell(make_shell: MakeShell) -> AppShell:
    """The app, shown, on a device that has never linked a wallet."""
    return make_shell()


@pytest.fixture
def linked_shell(
    make_shell: MakeShell, backend: FakeBackend, vault: BindingVault
) -> AppShell:
    """The app, shown, on a device linked to AlipayHK in an earlier run."""
    backend.link(vault)
    return make_shell()
