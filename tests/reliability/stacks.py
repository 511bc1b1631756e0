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
from tests.merchant.stack import Stack, in_process_stack
from tvclient.sandbox.clocks import ShiftedClock

# Every in-process `Stack` now hands out clients at other addresses; the old name stays.
WiredStack = Stack


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
    async with in_process_stack(
        tmp_path,
        clock=clock,
        antom_timeout=antom_timeout,
        sandbox_clock=ShiftedClock(dt.timedelta(seconds=sandbox_ahead), base=clock),
        notifications=(lambda inner: Tap(inner, tap)) if tap is not None else None,
        antom_transport=DetachingTimeout if detach else None,
        **merchant,
    ) as stack:
        yield stack

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
