"""An in-memory merchant backend speaking the device API, behind `httpx.MockTransport`.

It follows docs/device-api.md closely enough for the flows: enrolment, bind sessions with
interval/SLOW_DOWN/long-poll on the injected FakeClock, bindings, catalog, idempotent purchases.
Tests steer it (`approve`, `decline`, `resolve`, `revoke_by_wallet`) and break it on purpose
(`down`, `fail_next`, `lose_answers`), and read `requests` to see what the device sent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.helpers.clock import FakeClock

BASE = "https://shop.example"

PRODUCTS: list[dict[str, Any]] = [
    {
        "id": "movie-night",
        "title": {"en": "Movie night", "zh-HK": "電影之夜", "id": "Malam film"},
        "description": {"en": "One film", "zh-HK": "一齣電影", "id": "Satu film"},
        "image_url": "/v1/catalog/images/movie-night.png",
        "prices": [{"currency": "HKD", "value": 3800}, {"currency": "IDR", "value": 7500000}],
    },
    {
        "id": "game-coins",
        "title": {"en": "Game coins"},
        "description": {"en": "500 coins"},
        "image_url": "/v1/catalog/images/game-coins.png",
        "prices": [{"currency": "HKD", "value": 1200}],
    },
]


def iso(moment: dt.datetime) -> str:
    """The contract's time format."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def error(status: int, code: str, message: str = "", **extra: Any) -> httpx.Response:
    """An error envelope answer."""
    body = {"error": {"code": code, "message": message or code, "retryable": status >= 500
                      or status == 429 or code == "SLOW_DOWN", **extra}}
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return httpx.Response(status, json=body, headers=headers)


@dataclass
class Session:
    id: str
    device: str
    wallet: str
    state: str
    qr_text: str
    expires_at: dt.datetime
    interval: int
    last_poll: float | None = None
    binding: str | None = None
    failure: str | None = None


@dataclass
class BindingRow:
    ref: str
    device: str
    wallet: str
    currency: str
    state: str = "ACTIVE"
    revoked_by: str | None = None
    created_at: str = ""


@dataclass
class PurchaseRow:
    id: str
    key: str
    device: str
    body: dict[str, Any]
    state: str
    created_at: str
    failure: str | None = None
    completed_at: str | None = None


@dataclass
class Fault:
    kind: str  # "connect", "timeout", "status:<n>", "garbage", "html", "lost"
    match: Callable[[httpx.Request], bool] = field(default=lambda _request: True)


class FakeBackend:
    """The device API in memory; time comes from the test's FakeClock."""

    def __init__(self, clock: FakeClock, *, long_poll: int = 25, interval: int = 5,
                 expires_in: int = 900) -> None:
        self.clock = clock
        self.long_poll = long_poll
        self.interval = interval
        self.expires_in = expires_in
        self.purchase_interval = 2
        self.credentials: dict[str, str] = {}
        self.sessions: dict[str, Session] = {}
        self.bindings: dict[str, BindingRow] = {}
        self.purchases: dict[str, PurchaseRow] = {}
        self.prices = {p["id"]: {m["currency"]: m["value"] for m in p["prices"]} for p in PRODUCTS}
        self.requests: list[httpx.Request] = []
        self.faults: list[Fault] = []
        self.down = False
        self.enforce_slow_down = True
        self.outcome = "SUCCEEDED"  # what a new purchase becomes at once ("PROCESSING": waits)
        self.outcome_failure: str | None = None
        self.enrolment_token: str | None = None
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ plumbing
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())

    def fail_next(self, count: int, kind: str,
                  match: Callable[[httpx.Request], bool] | None = None) -> None:
        """Make the next `count` matching requests fail in the given way."""
        for _ in range(count):
            self.faults.append(Fault(kind, match or (lambda _request: True)))

    def sent(self, method: str, prefix: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path.startswith(prefix)]

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"

    async def _hold(self, end: float) -> None:
        """Hold a long-poll until something changes or up to a second passes (or `end`)."""
        sleeper = asyncio.ensure_future(self.clock.sleep(min(1.0, end - self.clock.monotonic())))
        waker = asyncio.ensure_future(self._changed.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        fault = next((f for f in self.faults if f.match(request)), None)
        lost = False
        if fault is not None:
            self.faults.remove(fault)
            if fault.kind == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            if fault.kind == "timeout":
                raise httpx.ReadTimeout("timed out", request=request)
            if fault.kind.startswith("status:"):
                status = int(fault.kind.split(":")[1])
                if status == 503:
                    return error(503, "BACKEND_UNAVAILABLE", retry_after=1)
                return httpx.Response(status, text="<html>bad gateway</html>")
            if fault.kind == "garbage":
                return httpx.Response(200, text="<html>captive portal</html>")
            lost = fault.kind == "lost"
        response = await self._route(request)
        if lost:  # processed, but the answer never reaches the device
            raise httpx.ReadError("connection reset", request=request)
        return response

    async def _route(self, request: httpx.Request) -> httpx.Response:  # noqa: PLR0911
        path, method = request.url.path, request.method
        if path == "/v1/devices" and method == "POST":
            return self._enrol(request)
        if path.startswith("/v1/catalog/images/"):
            return httpx.Response(200, content=b"\x89PNG-fake",
                                  headers={"content-type": "image/png"})
        device = self._device(request)
        if device is None:
            return error(401, "UNAUTHENTICATED", "Unknown device.")
        parts = path.strip("/").split("/")
        if path == "/v1/catalog":
            return httpx.Response(200, json={"products": PRODUCTS})
        if parts[:2] == ["v1", "bind-sessions"]:
            if len(parts) == 2 and method == "POST":
                return self._create_session(device, request)
            session = self.sessions.get(parts[2]) if len(parts) == 3 else None
            if session is None or session.device != device:
                return error(404, "NOT_FOUND")
            if method == "DELETE":
                if session.state == "PENDING":
                    session.state, session.failure = "FAILED", "CANCELLED"
                return httpx.Response(200, json=self._session_json(session))
            return await self._get_session(session, request)
        if parts[:2] == ["v1", "bindings"] and len(parts) == 3:
            row = self.bindings.get(parts[2])
            if row is None or row.device != device:
                return error(404, "NOT_FOUND")
            if method == "DELETE" and row.state == "ACTIVE":
                row.state, row.revoked_by = "REVOKED", "DEVICE"
            return httpx.Response(200, json=self._binding_json(row))
        if parts[:2] == ["v1", "purchases"]:
            if len(parts) == 2 and method == "POST":
                return self._create_purchase(device, request)
            if len(parts) == 2:
                return self._history(device, request)
            row2 = self.purchases.get(parts[2])
            if row2 is None or row2.device != device:
                return error(404, "NOT_FOUND")
            return await self._get_purchase(row2, request)
        return error(404, "NOT_FOUND")

    def _device(self, request: httpx.Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return None
        return self.credentials.get(header[7:])

    # ------------------------------------------------------------------ enrolment
    def _enrol(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if self.enrolment_token is not None and body.get("enrolment_token") != self.enrolment_token:
            return error(403, "ENROLMENT_REFUSED")
        device = self._new_id("dev")
        credential = f"tvd_secret_{device}"
        self.credentials[credential] = device
        return httpx.Response(201, json={"device_id": device, "credential": credential,
                                         "created_at": iso(self.clock.now())})

    def forget_devices(self) -> None:
        """The backend lost its database: no credential is known any more."""
        self.credentials.clear()

    # ------------------------------------------------------------------ bind sessions
    def _create_session(self, device: str, request: httpx.Request) -> httpx.Response:
        wallet = json.loads(request.content).get("wallet")
        if wallet not in ("ALIPAY_HK", "DANA"):
            return error(400, "VALIDATION_ERROR", field="wallet")
        session = Session(
            id=self._new_id("bs"), device=device, wallet=wallet, state="PENDING",
            qr_text=f"https://render.alipay.example/p/s/{next(self._ids)}",
            expires_at=self.clock.now() + dt.timedelta(seconds=self.expires_in),
            interval=self.interval,
        )
        self.sessions[session.id] = session
        return httpx.Response(201, json=self._session_json(session))

    def _lapse(self, session: Session) -> None:
        if session.state == "PENDING" and self.clock.now() >= session.expires_at:
            session.state = "EXPIRED"

    async def _get_session(self, session: Session, request: httpx.Request) -> httpx.Response:
        self._lapse(session)
        wait = request.url.params.get("wait")
        if wait is not None and self.long_poll > 0:
            end = self.clock.monotonic() + min(int(wait), self.long_poll)
            while session.state == "PENDING" and self.clock.monotonic() < end:
                await self._hold(end)
                self._lapse(session)
        elif self.enforce_slow_down:
            now = self.clock.monotonic()
            if session.last_poll is not None and now - session.last_poll < session.interval - 1e-9:
                session.interval += 5
                session.last_poll = now
                return error(400, "SLOW_DOWN", interval=session.interval)
            session.last_poll = now
        return httpx.Response(200, json=self._session_json(session))

    def _session_json(self, session: Session) -> dict[str, Any]:
        pending = session.state == "PENDING"
        left = max(0, int((session.expires_at - self.clock.now()).total_seconds()))
        binding = self.bindings.get(session.binding) if session.binding else None
        return {
            "id": session.id, "wallet": session.wallet, "state": session.state,
            "qr_text": session.qr_text if pending else None,
            "expires_at": iso(session.expires_at), "expires_in": left if pending else 0,
            "interval": session.interval, "long_poll": self.long_poll,
            "binding": self._binding_json(binding) if binding else None,
            "failure": {"code": session.failure, "message": "it failed"}
            if session.state == "FAILED" else None,
        }

    def approve(self, session_id: str) -> str:
        """The buyer scanned and agreed: the session is BOUND with a new binding."""
        session = self.sessions[session_id]
        currency = "HKD" if session.wallet == "ALIPAY_HK" else "IDR"
        ref = self._new_id("bnd")
        self.bindings[ref] = BindingRow(ref, session.device, session.wallet, currency,
                                        created_at=iso(self.clock.now()))
        session.state, session.binding = "BOUND", ref
        self._wake()
        return ref

    def decline(self, session_id: str) -> None:
        self.sessions[session_id].state = "DECLINED"
        self._wake()

    def fail_session(self, session_id: str, code: str) -> None:
        session = self.sessions[session_id]
        session.state, session.failure = "FAILED", code
        self._wake()

    def only_session(self) -> Session:
        (session,) = self.sessions.values()
        return session

    # ------------------------------------------------------------------ bindings
    def add_binding(self, device_credential: str, wallet: str = "ALIPAY_HK") -> str:
        ref = self._new_id("bnd")
        self.bindings[ref] = BindingRow(ref, self.credentials[device_credential], wallet,
                                        "HKD" if wallet == "ALIPAY_HK" else "IDR",
                                        created_at=iso(self.clock.now()))
        return ref

    def revoke_by_wallet(self, ref: str) -> None:
        row = self.bindings[ref]
        row.state, row.revoked_by = "REVOKED", "WALLET"

    def _binding_json(self, row: BindingRow) -> dict[str, Any]:
        return {
            "ref": row.ref, "wallet": row.wallet, "currency": row.currency, "state": row.state,
            "revoked_by": row.revoked_by, "account": "852****5678", "created_at": row.created_at,
            "limits": {"min_per_transaction": {"currency": row.currency, "value": 100},
                       "max_per_transaction": {"currency": row.currency, "value": 5000000},
                       "remaining_today": None,
                       "remaining_this_year": {"currency": row.currency, "value": 19996200}},
        }

    # ------------------------------------------------------------------ purchases
    def _create_purchase(  # noqa: PLR0911 - one return per contract rule
        self, device: str, request: httpx.Request
    ) -> httpx.Response:
        key = request.headers.get("idempotency-key", "")
        body = json.loads(request.content)
        for row in self.purchases.values():
            if row.key == key and row.device == device:
                if row.body != body:
                    return error(409, "IDEMPOTENCY_KEY_REUSED")
                return httpx.Response(200, json=self._purchase_json(row))
        binding = self.bindings.get(body.get("binding", ""))
        if binding is None or binding.device != device:
            return error(404, "NOT_FOUND", field="binding")
        if binding.state == "REVOKED":
            return error(409, "BINDING_REVOKED", revoked_by=binding.revoked_by)
        if binding.state == "EXPIRED":
            return error(409, "BINDING_EXPIRED")
        prices = self.prices.get(body.get("product_id", ""))
        if prices is None:
            return error(404, "NOT_FOUND", field="product_id")
        amount = body["amount"]
        if amount["currency"] != binding.currency or binding.currency not in prices:
            return error(409, "CURRENCY_MISMATCH")
        if prices[binding.currency] != amount["value"]:
            return error(409, "PRICE_CHANGED", price={"currency": binding.currency,
                                                      "value": prices[binding.currency]})
        row = PurchaseRow(self._new_id("pur"), key, device, body, "PROCESSING",
                          iso(self.clock.now()))
        self.purchases[row.id] = row
        if self.outcome != "PROCESSING":
            self._complete(row, self.outcome, self.outcome_failure)
        return httpx.Response(201, json=self._purchase_json(row))

    def _complete(self, row: PurchaseRow, state: str, failure: str | None) -> None:
        row.state, row.failure, row.completed_at = state, failure, iso(self.clock.now())

    def resolve(self, purchase_id: str, state: str, failure: str | None = None) -> None:
        """A PROCESSING purchase gets its outcome."""
        self._complete(self.purchases[purchase_id], state, failure)
        self._wake()

    def only_purchase(self) -> PurchaseRow:
        (row,) = self.purchases.values()
        return row

    async def _get_purchase(self, row: PurchaseRow, request: httpx.Request) -> httpx.Response:
        wait = request.url.params.get("wait")
        if wait is not None and self.long_poll > 0:
            end = self.clock.monotonic() + min(int(wait), self.long_poll)
            while row.state == "PROCESSING" and self.clock.monotonic() < end:
                await self._hold(end)
        return httpx.Response(200, json=self._purchase_json(row))

    def _history(self, device: str, request: httpx.Request) -> httpx.Response:
        binding = request.url.params.get("binding")
        rows = [r for r in self.purchases.values()
                if r.device == device and (binding is None or r.body["binding"] == binding)]
        rows.reverse()
        limit = int(request.url.params.get("limit", "20"))
        before = request.url.params.get("before")
        if before is not None:
            rows = rows[int(before):]
            offset = int(before)
        else:
            offset = 0
        page = rows[:limit]
        more = len(rows) > limit
        return httpx.Response(200, json={"purchases": [self._purchase_json(r) for r in page],
                                         "next": str(offset + limit) if more else None})

    def _purchase_json(self, row: PurchaseRow) -> dict[str, Any]:
        amount = row.body["amount"]
        binding = self.bindings[row.body["binding"]]
        paid = row.state in ("SUCCEEDED", "PARTIALLY_REFUNDED", "REFUNDED")
        title = next(p["title"]["en"] for p in PRODUCTS if p["id"] == row.body["product_id"])
        return {
            "id": row.id, "state": row.state,
            "product": {"id": row.body["product_id"], "title": title},
            "amount": amount, "wallet": binding.wallet, "binding": binding.ref,
            "order_ref": f"ord_{row.id}", "created_at": row.created_at,
            "completed_at": row.completed_at,
            "interval": self.purchase_interval, "long_poll": self.long_poll,
            "failure": {"code": row.failure, "message": "no"} if row.failure else None,
            "refunded": {"currency": amount["currency"], "value": 0},
            "receipt": {"order_ref": f"ord_{row.id}", "payment_ref": f"pay_{row.id}",
                        "item": title, "amount": amount, "wallet": binding.wallet,
                        "account": "852****5678", "paid_at": row.completed_at} if paid else None,
        }


async def settle(rounds: int = 30) -> None:
    """Let every ready task run (requests on MockTransport finish without real I/O)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def run_for(clock: FakeClock, seconds: float, step: float = 0.5) -> None:
    """Advance the fake clock in steps, letting woken tasks run after each."""
    await settle()
    remaining = seconds
    while remaining > 1e-9:
        delta = min(step, remaining)
        clock.advance(delta)
        remaining -= delta
        await settle()
