"""In-process stacks for reliability tests: the real sandbox and backend, closer to the field.

`tests/merchant/stack.py` runs both on one shared `FakeClock`, and a call the backend stops
waiting for is cancelled inside the sandbox too. Real deployments differ on both counts:

- the backend's clock and Antom's differ, and a time-scaled sandbox runs far ahead of the
  backend's real clock: `wired_stack(sandbox_ahead=...)` gives the sandbox the shared fake
  clock shifted by a fixed offset, so both advance together but disagree on the wall time;
- a request the backend gave up on still reaches Antom and is processed (the network does not
  take it back): with `detach=True` a call that times out keeps running in the sandbox;
- `tap` sees every notification the sandbox sends (method, path, headers, body), so tests can
  replay or alter them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.clock import FakeClock
from tests.merchant.stack import MERCHANT, OPERATOR_TOKEN, Forward, Stack, TimeoutTransport
from tvclient.merchant.app import create_app as create_merchant
from tvclient.merchant.backend import Backend
from tvclient.merchant.config import MerchantConfig
from tvclient.sandbox.app import create_app as create_sandbox
from tvclient.sandbox.app import sandbox_of
from tvclient.sandbox.clocks import ShiftedClock
from tvclient.sandbox.settings import SandboxSettings


@dataclass
class WiredStack(Stack):
    """A `Stack` that also hands out the backend's ASGI app (for clients of other addresses)."""

    app: Any = None

    def client(self, address: tuple[str, int]) -> httpx.AsyncClient:
        """A device-side HTTP client that reaches the backend from `address`."""
        transport = httpx.ASGITransport(app=self.app, client=address)
        return httpx.AsyncClient(transport=transport, base_url=MERCHANT)


@dataclass(frozen=True)
class Sent:
    """One notification as it travelled: what a replay needs."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Tap(httpx.AsyncBaseTransport):
    """Forwards the sandbox's notifications to the backend and hands a copy to `seen`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seen: Callable[[Sent], None]) -> None:
        self._inner = inner
        self._seen = seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Copy, then forward."""
        body = await request.aread()
        self._seen(Sent(request.method, request.url.path, dict(request.headers), body))
        return await self._inner.handle_async_request(request)


class DetachingTimeout(httpx.AsyncBaseTransport):
    """A read timeout that abandons the answer but not the request, as a real network does."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seconds: float) -> None:
        self._inner = inner
        self._seconds = seconds
        self._abandoned: set[asyncio.Task[httpx.Response]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward; on timeout raise ReadTimeout and let the call finish in the background."""
        call = asyncio.ensure_future(self._inner.handle_async_request(request))
        done, _ = await asyncio.wait({call}, timeout=self._seconds)
        if call in done:
            return call.result()
        self._abandoned.add(call)
        call.add_done_callback(self._abandoned.discard)
        raise httpx.ReadTimeout("no answer in time", request=request)


@contextlib.asynccontextmanager
async def wired_stack(
    tmp_path: Path,
    *,
    sandbox_ahead: float = 0.0,
    antom_timeout: float = 2.0,
    detach: bool = False,
    tap: Callable[[Sent], None] | None = None,
    **merchant: Any,
) -> AsyncIterator[WiredStack]:
    """The sandbox and the backend in process (see the module's docstring for the options)."""
    clock = FakeClock()
    forward = Forward()
    to_backend: httpx.AsyncBaseTransport = httpx.ASGITransport(app=forward)
    if tap is not None:
        to_backend = Tap(to_backend, tap)
    to_merchant = httpx.AsyncClient(transport=to_backend)
    sandbox_app = create_sandbox(
        SandboxSettings(data_dir=tmp_path / "sandbox", operator_token=OPERATOR_TOKEN),
        clock=ShiftedClock(dt.timedelta(seconds=sandbox_ahead), base=clock),
        http_client=to_merchant,
    )
    sandbox_transport = httpx.ASGITransport(app=sandbox_app)
    to_sandbox = httpx.AsyncClient(
        transport=DetachingTimeout(sandbox_transport, antom_timeout)
        if detach
        else TimeoutTransport(sandbox_transport, antom_timeout)
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
            yield WiredStack(
                device, operator, backend, sandbox_of(sandbox_app), clock, app=merchant_app
            )
        finally:
            await backend.stop()
            await backend.antom.aclose()
            for client in (device, operator, to_sandbox, to_merchant):
                await client.aclose()


ADMIN = {"Authorization": "Bearer admin-secret"}


@dataclass
class World:
    """A backend with something worth protecting: two TVs, bindings, purchases, a refund.

    Attributes:
        stack: The wired stack.
        sent: Every notification the sandbox sent so far (genuine, signed by "Antom").
        a: Device A's auth headers; `binding`, `revoked`, `session`, `purchase`, `refunded`
            are A's.
        b: Device B's auth headers; `b_binding`, `b_purchase` are B's.
    """

    stack: Stack
    sent: list[Sent]
    a: dict[str, str]
    b: dict[str, str]
    binding: str
    revoked: str
    session: str
    purchase: str
    refunded: str
    b_binding: str
    b_purchase: str

    def as_device(self, headers: dict[str, str]) -> None:
        """Make `stack`'s helpers (bind, buy...) act as this device."""
        self.stack.headers = headers


async def _auth_state(stack: Stack, binding_ref: str) -> str:
    from sqlalchemy import select

    from tvclient.merchant.store.schema import bind_sessions, bindings

    async with stack.backend.db.read() as conn:
        row = (
            await conn.execute(
                select(bind_sessions.c.auth_state)
                .join(bindings, bindings.c.bind_session_id == bind_sessions.c.id)
                .where(bindings.c.ref == binding_ref)
            )
        ).first()
    assert row is not None
    return str(row[0])


async def unlink_in_wallet(stack: Stack, binding_ref: str) -> None:
    """The buyer unlinks, in the wallet app, the binding behind `binding_ref`."""
    auth_state = await _auth_state(stack, binding_ref)
    listed = (await stack.operator.get("/operator/v1/bindings")).json()["bindings"]
    [target] = [b for b in listed if b["authState"] == auth_state]
    response = await stack.operator.post(f"/operator/v1/bindings/{target['bindingId']}/unlink")
    assert response.status_code == 200, response.text
    await stack.settle()


async def populate(stack: Stack, sent: list[Sent]) -> World:
    """Enrol two TVs, bind both, buy, refund part of one purchase, unlink one binding."""
    a = await stack.enrol()
    revoked = await stack.bind()
    await unlink_in_wallet(stack, revoked)
    created = await stack.session()
    approved = await stack.approve(created["qr_text"])
    assert approved.status_code == 200, approved.text
    bound = await stack.wait_session(created["id"], "BOUND")
    binding = str(bound["binding"]["ref"])
    paid = await stack.final((await stack.buy(binding, key="world-paid")).json()["id"])
    refunded = await stack.final((await stack.buy(binding, key="world-refunded")).json()["id"])
    refund = await stack.device.post(
        f"/admin/v1/purchases/{refunded['id']}/refunds",
        json={"amount": {"currency": "HKD", "value": 800}}, headers=ADMIN,
    )
    assert refund.status_code == 201, refund.text
    b = await stack.enrol()
    b_binding = await stack.bind()
    b_paid = await stack.final((await stack.buy(b_binding, key="world-b")).json()["id"])
    await stack.settle()
    stack.headers = a
    assert paid["state"] == b_paid["state"] == "SUCCEEDED"
    return World(stack, sent, a, b, binding, revoked, created["id"], paid["id"],
                 refunded["id"], b_binding, b_paid["id"])


async def snapshot(stack: Stack) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table of the backend (to prove nothing changed)."""
    from sqlalchemy import select

    from tvclient.merchant.store.schema import metadata

    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with stack.backend.db.read() as conn:
        for table in metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables
