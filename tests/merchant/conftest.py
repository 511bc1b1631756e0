"""Fixtures for the merchant backend's tests: keys, a fake Antom, an app in process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.clock import FakeClock
from tests.merchant.fakes import FakeAntom, auth_code_created, send_notification
from tvclient.antom.keys import (
    RSAPrivateKey,
    generate_private_key,
    write_private_key,
    write_public_key,
)
from tvclient.merchant.app import create_app
from tvclient.merchant.backend import Backend
from tvclient.merchant.config import MerchantConfig

CLIENT_ID = "SANDBOX_MERCHANT_TEST"
BASE = "http://merchant.test"


@pytest.fixture(scope="session")
def antom_key() -> RSAPrivateKey:
    """The key the fake Antom signs notifications with."""
    return generate_private_key()


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory, antom_key: RSAPrivateKey) -> Path:
    """A directory with a merchant private key and Antom's public key."""
    directory = tmp_path_factory.mktemp("keys")
    write_private_key(directory / "merchant-private-key.pem", generate_private_key())
    write_public_key(directory / "antom-public-key.pem", antom_key.public_key())
    return directory


@dataclass
class Harness:
    """A merchant app in process with a fake Antom and a fake clock."""

    client: httpx.AsyncClient
    backend: Backend
    antom: FakeAntom
    clock: FakeClock
    antom_key: RSAPrivateKey
    headers: dict[str, str] = field(default_factory=dict)
    baseline_sleepers: int = 0

    async def enrol(self) -> dict[str, str]:
        """Enrol a device (loopback) and return its auth headers."""
        response = await self.client.post("/v1/devices", json={"name": "TV"})
        assert response.status_code == 201, response.text
        headers = {"Authorization": f"Bearer {response.json()['credential']}"}
        self.headers = headers
        return headers

    async def notify(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """Send a signed notification to the app."""
        return await send_notification(
            self.client, path, body, key=self.antom_key, client_id=CLIENT_ID, when=self.clock.now()
        )

    async def settle(self) -> None:
        """Let background tasks run (database calls run in threads, so yield for real)."""
        for _ in range(5):
            await asyncio.sleep(0.005)

    async def run(self, seconds: float, step: float = 0.5) -> None:
        """Advance the clock in steps, letting tasks and database threads work between steps."""
        remaining = seconds
        while remaining > 0:
            delta = min(step, remaining)
            self.clock.advance(delta)
            remaining -= delta
            await self.settle()

    async def sleeping(self, count: int) -> None:
        """Wait (really, briefly) until `count` more coroutines sleep on the clock than at start."""
        target = self.baseline_sleepers + count
        for _ in range(1000):
            if self.clock.sleepers >= target:
                return
            await asyncio.sleep(0.005)
        raise AssertionError(f"{self.clock.sleepers} sleepers, expected {target}")

    async def bind(self, wallet: str = "ALIPAY_HK", headers: dict[str, str] | None = None) -> str:
        """Bind a wallet end to end; the binding reference."""
        headers = headers or self.headers
        created = await self.client.post(
            "/v1/bind-sessions", json={"wallet": wallet}, headers=headers
        )
        assert created.status_code == 201, created.text
        session = created.json()
        auth_state = self.antom.last_auth_state()
        reply = await self.notify("/antom/notify/authorization", auth_code_created(auth_state))
        assert reply.status_code == 200, reply.text
        for _ in range(50):
            await self.settle()
            polled = await self.client.get(
                f"/v1/bind-sessions/{session['id']}", params={"wait": 1}, headers=headers
            )
            if polled.json()["state"] == "BOUND":
                return str(polled.json()["binding"]["ref"])
        raise AssertionError("session never bound")

    async def buy(
        self,
        binding: str,
        product: str = "movie-night",
        *,
        key: str = "k1",
        amount: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """POST a purchase."""
        return await self.client.post(
            "/v1/purchases",
            json={
                "binding": binding,
                "product_id": product,
                "amount": amount or {"currency": "HKD", "value": 3800},
            },
            headers={**self.headers, "Idempotency-Key": key},
        )


def make_config(tmp_path: Path, key_dir: Path, **overrides: Any) -> MerchantConfig:
    """A config for an in-process backend on SQLite in `tmp_path`."""
    settings: dict[str, Any] = {
        "database": f"sqlite:///{tmp_path / 'merchant.db'}",
        "public_url": BASE,
        "client_id": CLIENT_ID,
        "antom_url": "http://antom.test",
        "private_key": key_dir / "merchant-private-key.pem",
        "antom_public_key": key_dir / "antom-public-key.pem",
        "allow_loopback_enrolment": True,
        "admin_token": "admin-secret",
        "purchase_sync_wait": 0.0,
        "shutdown_grace": 0.5,
    }
    settings.update(overrides)
    return MerchantConfig(**settings)


@pytest.fixture
async def harness(
    tmp_path: Path, key_dir: Path, antom_key: RSAPrivateKey
) -> AsyncIterator[Harness]:
    """A started backend with a fake Antom; the device client is enrolled."""
    clock = FakeClock()
    antom = FakeAntom(clock.now)
    antom.monotonic = clock.monotonic
    app = create_app(make_config(tmp_path, key_dir), clock=clock, antom=antom)
    backend: Backend = app.state.backend
    await backend.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        h = Harness(client, backend, antom, clock, antom_key)
        await h.enrol()
        h.baseline_sleepers = clock.sleepers
        yield h
    await backend.stop()
