"""Fixtures for the device core: a fake clock, the in-memory backend, a memory keyring."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from tests.device.fakes import BASE, FakeBackend
from tests.helpers.clock import FakeClock
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.client import MerchantClient
from tvclient.device.intents import IntentStore
from tvclient.device.memory_keyring import MemoryKeyring
from tvclient.device.settings import SettingsStore
from tvclient.device.vault import BindingVault


@pytest.fixture
def clock() -> FakeClock:
    """The manual clock everything in a test shares."""
    return FakeClock()


@pytest.fixture
def backend(clock: FakeClock) -> FakeBackend:
    """The in-memory merchant backend."""
    return FakeBackend(clock)


@pytest_asyncio.fixture
async def http(backend: FakeBackend) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client wired to the in-memory backend."""
    async with backend.client() as client:
        yield client


@pytest.fixture
def client(http: httpx.AsyncClient) -> MerchantClient:
    """A merchant API client, not enrolled yet."""
    return MerchantClient(http, BASE, language="en")


@pytest_asyncio.fixture
async def enrolled(client: MerchantClient) -> MerchantClient:
    """The client with a credential the fake backend knows."""
    enrolment = await client.enrol(name="TV", platform="linux", app_version="0.1.0")
    client.credential = enrolment.credential
    return client


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    """An empty in-memory keyring backend."""
    return MemoryKeyring()


@pytest.fixture
def vault(memory_keyring: MemoryKeyring) -> BindingVault:
    """A vault on the in-memory keyring."""
    return BindingVault(BASE, keyring_backend=memory_keyring)


@pytest.fixture
def settings_store(tmp_path: Path) -> SettingsStore:
    """A settings file in the test's temporary directory."""
    return SettingsStore(tmp_path / "config" / "settings.json")


@pytest.fixture
def intents(settings_store: SettingsStore) -> IntentStore:
    """Pending intents kept in the temporary settings file."""
    return IntentStore(settings_store)


@pytest.fixture
def account(
    client: MerchantClient, vault: BindingVault, intents: IntentStore, clock: FakeClock
) -> AccountService:
    """An account service over the fakes."""
    return AccountService(
        client, vault, intents, clock, DeviceInfo(name="TV", platform="linux", app_version="0.1.0")
    )
