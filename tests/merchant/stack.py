"""The merchant backend and the real sandbox wired in process (httpx ASGITransport both ways)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.types import Receive, Scope, Send

from tests.helpers.clock import FakeClock
from tvclient.clock import Clock
from tvclient.merchant.app import create_app as create_merchant
from tvclient.merchant.backend import Backend
from tvclient.merchant.config import MerchantConfig
from tvclient.sandbox.app import create_app as create_sandbox
from tvclient.sandbox.app import sandbox_of
from tvclient.sandbox.core import Sandbox
from tvclient.sandbox.settings import SandboxSettings

MERCHANT = "http://merchant.test"
OPERATOR_TOKEN = "operator-secret-token"


class Forward:
    """An ASGI app that forwards to one set later (the two apps call each other)."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Forward."""
        await self.app(scope, receive, send)


class TimeoutTransport(httpx.AsyncBaseTransport):
    """ASGITransport has no timeouts; this adds the client's read timeout (real seconds)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seconds: float) -> None:
        self._inner = inner
        self._seconds = seconds

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward, raising ReadTimeout when the answer takes too long."""
        try:
            return await asyncio.wait_for(self._inner.handle_async_request(request), self._seconds)
        except TimeoutError:
            raise httpx.ReadTimeout("no answer in time", request=request) from None


@dataclass
class Stack:
    """A device client, the merchant backend and the sandbox, all in this process."""

    device: httpx.AsyncClient
    operator: httpx.AsyncClient
    backend: Backend
    sandbox: Sandbox
    clock: FakeClock
    headers: dict[str, str] = field(default_factory=dict)
    app: Any = None  # the backend's ASGI app, for clients at other addresses

    def client(self, address: tuple[str, int]) -> httpx.AsyncClient:
        """A device-side HTTP client that reaches the backend from `address`."""
        transport = httpx.ASGITransport(app=self.app, client=address)
        return httpx.AsyncClient(transport=transport, base_url=MERCHANT)

    async def settle(self, rounds: int = 5) -> None:
        """Let both sides work (notifications, database threads)."""
        for _ in range(rounds):
            await self.sandbox.drain()
            await asyncio.sleep(0.005)

    async def run(self, seconds: float, step: float = 0.5) -> None:
        """Advance the shared clock in steps, letting both sides work in between."""
        remaining = seconds
        while remaining > 0:
            delta = min(step, remaining)
            self.clock.advance(delta)
            remaining -= delta
            await self.settle(2)

    async def enrol(self) -> dict[str, str]:
        """Enrol a loopback device; its auth headers."""
        response = await self.device.post("/v1/devices", json={"name": "TV"})
        assert response.status_code == 201, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['credential']}"}
        return self.headers

    async def session(self, wallet: str = "ALIPAY_HK") -> dict[str, Any]:
        """A new bind session."""
        response = await self.device.post(
            "/v1/bind-sessions", json={"wallet": wallet}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def approve(self, qr_text: str, buyer: str | None = None) -> httpx.Response:
        """The buyer scans and agrees (the sandbox's wallet API, as a phone would)."""
        body: dict[str, Any] = {"codeValue": qr_text}
        if buyer:
            body["buyerId"] = buyer
        return await self.operator.post("/wallet/api/approve", json=body)

    async def wait_session(self, session_id: str, state: str) -> dict[str, Any]:
        """Long-poll the session until it reaches `state`."""
        body: dict[str, Any] = {}
        for _ in range(40):
            await self.settle()
            response = await self.device.get(
                f"/v1/bind-sessions/{session_id}", params={"wait": 1}, headers=self.headers
            )
            body = dict(response.json())
            if body.get("state") == state:
                return body
            self.clock.advance(1)
        raise AssertionError(f"session never reached {state}: {body}")

    async def bind(self, wallet: str = "ALIPAY_HK", buyer: str | None = None) -> str:
        """Bind end to end; the binding reference."""
        session = await self.session(wallet)
        approved = await self.approve(session["qr_text"], buyer)
        assert approved.status_code == 200, approved.text
        bound = await self.wait_session(session["id"], "BOUND")
        return str(bound["binding"]["ref"])

    async def buy(
        self,
        binding: str,
        product: str = "movie-night",
        *,
        key: str,
        amount: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """POST a purchase."""
        return await self.device.post(
            "/v1/purchases",
            json={
                "binding": binding,
                "product_id": product,
                "amount": amount or {"currency": "HKD", "value": 3800},
            },
            headers={**self.headers, "Idempotency-Key": key},
        )

    async def purchase(self, purchase_id: str) -> dict[str, Any]:
        """GET a purchase."""
        response = await self.device.get(f"/v1/purchases/{purchase_id}", headers=self.headers)
        return dict(response.json())

    async def final(
        self, purchase_id: str, *, step: float = 1.0, limit: float = 120
    ) -> dict[str, Any]:
        """Advance time until the purchase leaves PROCESSING."""
        waited = 0.0
        while waited <= limit:
            body = await self.purchase(purchase_id)
            if body["state"] != "PROCESSING":
                return body
            await self.run(step)
            waited += step
        raise AssertionError(f"purchase {purchase_id} still PROCESSING after {limit} s")

    async def fault(self, target: str, kind: str, **params: Any) -> None:
        """Arm a sandbox fault through its operator API."""
        response = await self.operator.post(
            "/operator/v1/faults", json={"target": target, "kind": kind, **params}
        )
        assert response.status_code in (200, 201), response.text

    async def sandbox_payments(self) -> list[dict[str, Any]]:
        """The sandbox's payments (operator view)."""
        response = await self.operator.get("/operator/v1/payments")
        assert response.status_code == 200, response.text
        body = response.json()
        return list(body["payments"] if isinstance(body, dict) else body)


@contextlib.asynccontextmanager
async def in_process_stack(
    tmp_path: Path,
    *,
    clock: FakeClock | None = None,
    antom_timeout: float = 2.0,
    sandbox_clock: Clock | None = None,
    notifications: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] | None = None,
    antom_transport: Callable[
        [httpx.AsyncBaseTransport, float], httpx.AsyncBaseTransport
    ] | None = None,
    **merchant: Any,
) -> AsyncIterator[Stack]:
    """Start the sandbox and the merchant backend; yield a `Stack`.

    Both run on `clock` unless `sandbox_clock` is given; `notifications` wraps the sandbox's
    way to the backend, `antom_transport` the backend's way to the sandbox (default: a read
    timeout of `antom_timeout` that cancels the call).
    """
    clock = clock or FakeClock()
    forward = Forward()
    to_backend: httpx.AsyncBaseTransport = httpx.ASGITransport(app=forward)
    if notifications is not None:
        to_backend = notifications(to_backend)
    to_merchant = httpx.AsyncClient(transport=to_backend)
    sandbox_app = create_sandbox(
        SandboxSettings(data_dir=tmp_path / "sandbox", operator_token=OPERATOR_TOKEN),
        clock=sandbox_clock or clock,
        http_client=to_merchant,
    )
    to_sandbox = httpx.AsyncClient(
        transport=(antom_transport or TimeoutTransport)(
            httpx.ASGITransport(app=sandbox_app), antom_timeout
        )
    )
    settings: dict[str, Any] = {
        "database": f"sqlite:///{tmp_path / 'merchant.db'}",
        "public_url": MERCHANT,
        "allow_loopback_enrolment": True,
        "admin_token": "admin-secret",
        "purchase_sync_wait": 0.0,
        "shutdown_grace": 0.5,
        "antom_timeout": antom_timeout,
    }
    settings.update(merchant)
    config = MerchantConfig.from_sandbox_dir(tmp_path / "sandbox", **settings)
    merchant_app = create_merchant(config, clock=clock, http_client=to_sandbox)
    forward.app = merchant_app
    backend: Backend = merchant_app.state.backend
    async with sandbox_app.router.lifespan_context(sandbox_app):
        await backend.start()
        device = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=merchant_app), base_url=MERCHANT
        )
        operator = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sandbox_app),
            base_url="http://sandbox.test",
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
        )
        try:
            yield Stack(device, operator, backend, sandbox_of(sandbox_app), clock, app=merchant_app)
        finally:
            await backend.stop()
            await backend.antom.aclose()
            for client in (device, operator, to_sandbox, to_merchant):
                await client.aclose()
