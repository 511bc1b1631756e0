"""The merchant backend's device API (docs/device-api.md), in memory, behind httpx.MockTransport.

UI tests run the real device core (`AccountService`, flows, vault, waiting policy) against it,
so what the view-models see is what a real backend would make the core say. Long-polls are
held until something changes or the injected clock passes the `wait`; the test steers the
wallet side (`approve`, `decline`, `expire`, `revoke_in_wallet`, purchase outcomes) with calls
made on the app's worker loop (`shell.worker.call_sync(backend.approve)`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from tvclient.clock import Clock
from tvclient.device.vault import BindingVault
from tvclient.money import WALLET_RULES, Money, Wallet

ACCOUNTS = {Wallet.ALIPAY_HK: "852****5678", Wallet.DANA: "62-812****3456"}

CATALOG: list[dict[str, Any]] = [
    {
        "id": "movie-night",
        "title": {"en": "Movie night", "zh-HK": "電影之夜", "id": "Malam film"},
        "description": {
            "en": "Rent tonight's new release for 48 hours, in HD with subtitles.",
            "zh-HK": "租借今晚的新片 48 小時，高清並附字幕。",  # noqa: RUF001 - Chinese punctuation
            "id": "Sewa film baru malam ini selama 48 jam, HD dengan subtitle.",
        },
        "prices": [(3800, "HKD"), (7_500_000, "IDR")],
    },
    {
        "id": "football-pass",
        "title": {"en": "Football day pass", "zh-HK": "足球日票", "id": "Tiket harian sepak bola"},
        "description": {"en": "Every live match today.", "zh-HK": "今日所有直播賽事。",
                        "id": "Semua pertandingan langsung hari ini."},
        "prices": [(6800, "HKD"), (13_000_000, "IDR")],
    },
    {
        "id": "kids-month",
        "title": {"en": "Kids channel, 1 month", "zh-HK": "兒童頻道一個月",
                  "id": "Kanal anak, 1 bulan"},
        "description": {"en": "Cartoons and learning shows, no ads.",
                        "zh-HK": "卡通及學習節目，無廣告。",  # noqa: RUF001 - Chinese punctuation
                        "id": "Kartun dan acara belajar, tanpa iklan."},
        "prices": [(4800, "HKD"), (9_000_000, "IDR")],
    },
    {
        "id": "concert",
        "title": {"en": "Live concert replay", "zh-HK": "演唱會重播", "id": "Siaran ulang konser"},
        "description": {"en": "Last night's concert, full length.", "zh-HK": "昨晚演唱會完整版。",
                        "id": "Konser semalam, versi penuh."},
        "prices": [(2800, "HKD"), (5_500_000, "IDR")],
    },
    {
        "id": "game-coins",
        "title": {"en": "500 game coins", "zh-HK": "500 遊戲幣", "id": "500 koin game"},
        "description": {"en": "For the arcade channel.", "zh-HK": "用於街機頻道。",
                        "id": "Untuk kanal arkade."},
        "prices": [(1500, "HKD"), (3_000_000, "IDR")],
    },
]

_COLOURS = [(201, 74, 74), (54, 124, 201), (88, 166, 92), (160, 92, 190), (214, 150, 48)]


def product_image(index: int) -> bytes:
    """A 480x270 PNG: a diagonal two-colour gradient with a ring (the fake's catalog art).

    Drawn with Qt (already loaded by the app), so the fake adds no imaging library of its own
    to the app's process (the memory benchmark measures that process).
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPen

    first = QColor(*_COLOURS[index % len(_COLOURS)])
    image = QImage(480, 270, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(QPointF(0, 0), QPointF(480, 270))
    gradient.setColorAt(0, first)
    gradient.setColorAt(1, first.darker(260))
    painter.fillRect(image.rect(), gradient)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("white"), 8))
    painter.drawEllipse(330, 40, 110, 110)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, b"PNG")
    return bytes(data.data())


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(minor: int, currency: str) -> dict[str, Any]:
    return {"currency": currency, "value": minor}


class _Refused(Exception):  # noqa: N818 - control flow inside the fake
    def __init__(self, status: int, code: str, message: str = "", **extra: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@dataclass
class _Session:
    id: str
    device: str
    wallet: Wallet
    created_at: dt.datetime
    expires_at: dt.datetime
    state: str = "PENDING"
    binding: str | None = None
    failure: dict[str, str] | None = None


@dataclass
class _Binding:
    ref: str
    device: str
    wallet: Wallet
    created_at: dt.datetime
    state: str = "ACTIVE"
    revoked_by: str | None = None


@dataclass
class _Purchase:
    id: str
    device: str
    key: str
    body: dict[str, Any]
    product_id: str
    title: str
    amount: Money
    wallet: Wallet
    binding: str
    order_ref: str
    created_at: dt.datetime
    state: str = "PROCESSING"
    completed_at: dt.datetime | None = None
    failure: dict[str, str] | None = None
    polls: int = field(default=0)


class FakeBackend:
    """An in-memory merchant backend for one test; see the module docstring."""

    def __init__(self, clock: Clock, *, long_poll: int = 25, qr_seconds: int = 900) -> None:
        self.clock = clock
        self.long_poll = long_poll
        self.qr_seconds = qr_seconds
        self.offline = False
        self.purchase_outcome = "SUCCEEDED"   # or a purchase failure code
        self.hold_purchases = False           # stay PROCESSING until release_purchases()
        self.hold_catalog = False             # GET /v1/catalog waits for release_catalog()
        self.refuse_purchases: tuple[int, str] | None = None  # (status, code) for POST
        self.requests: list[str] = []
        self.devices: dict[str, str] = {}
        self.sessions: dict[str, _Session] = {}
        self.bindings: dict[str, _Binding] = {}
        self.purchases: dict[str, _Purchase] = {}
        self._ids = itertools.count(1)
        self._changed: asyncio.Event | None = None
        self._images: dict[str, bytes] = {}

    def transport(self) -> httpx.MockTransport:
        """The transport to give the device core's httpx client."""
        return httpx.MockTransport(self.handle)

    # ------------------------------------------------------------------ steering (worker loop)
    def _pending(self) -> _Session:
        pending = [s for s in self.sessions.values() if s.state == "PENDING"]
        if not pending:
            raise AssertionError("no pending bind session to steer")
        return pending[-1]

    def approve(self) -> None:
        """The buyer agrees in the wallet: the newest pending session binds."""
        session = self._pending()
        ref = f"bnd_{next(self._ids):04d}"
        self.bindings[ref] = _Binding(ref, session.device, session.wallet, self.clock.now())
        session.state, session.binding = "BOUND", ref
        self._notify()

    def decline(self) -> None:
        """The wallet refuses the token exchange."""
        self._pending().state = "DECLINED"
        self._notify()

    def expire(self) -> None:
        """The QR lapses (the backend notices before the device does)."""
        self._pending().state = "EXPIRED"
        self._notify()

    def revoke_in_wallet(self) -> None:
        """TOKEN_CANCELED: the buyer unlinked in the wallet app."""
        for binding in self.bindings.values():
            if binding.state == "ACTIVE":
                binding.state, binding.revoked_by = "REVOKED", "WALLET"
        self._notify()

    def release_purchases(self) -> None:
        """Held purchases reach their outcome."""
        self.hold_purchases = False
        for purchase in self.purchases.values():
            if purchase.state == "PROCESSING":
                self._complete(purchase)
        self._notify()

    def link(self, vault: BindingVault, wallet: Wallet = Wallet.ALIPAY_HK) -> str:
        """Make the device enrolled and linked already (a later run of the app); the ref."""
        credential = f"tvd_{next(self._ids):06d}"
        device = f"dev_{len(self.devices) + 1:04d}"
        self.devices[credential] = device
        ref = f"bnd_{next(self._ids):04d}"
        self.bindings[ref] = _Binding(ref, device, wallet, self.clock.now())
        vault.store_credential(credential)
        vault.store_binding(ref)
        return ref

    @property
    def bind_sessions(self) -> int:
        """Bind sessions asked for."""
        return len(self.sessions)

    @property
    def cancelled_sessions(self) -> int:
        """Bind sessions the device cancelled (Back on the Scan screen)."""
        return sum(
            1 for s in self.sessions.values() if s.failure and s.failure["code"] == "CANCELLED"
        )

    @property
    def created(self) -> int:
        """Purchases created (one per intent, whatever the retries)."""
        return len(self.purchases)

    # ------------------------------------------------------------------ plumbing
    def release_catalog(self) -> None:
        """A held catalog request is answered."""
        self.hold_catalog = False
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def _hold(self, seconds: int) -> None:
        """Hold a long-poll until something changes or `seconds` pass on the clock."""
        if self._changed is None:
            self._changed = asyncio.Event()
        changed = asyncio.ensure_future(self._changed.wait())
        lapse = asyncio.ensure_future(self.clock.sleep(seconds))
        try:
            await asyncio.wait({changed, lapse}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (changed, lapse):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one device API request."""
        self.requests.append(f"{request.method} {request.url.path}")
        if self.offline:
            raise httpx.ConnectError("connection refused", request=request)
        try:
            status, body = await self._route(request)
        except _Refused as refusal:
            envelope = {"code": refusal.code, "message": refusal.message or refusal.code,
                        "retryable": refusal.status >= 500 or refusal.status == 429,
                        **refusal.extra}
            return httpx.Response(refusal.status, json={"error": envelope})
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers={"content-type": "image/png"})
        return httpx.Response(status, json=body)

    def _device(self, request: httpx.Request) -> str:
        auth = request.headers.get("authorization", "")
        credential = auth.removeprefix("Bearer ").strip()
        if credential not in self.devices:
            raise _Refused(401, "UNAUTHENTICATED", "unknown device credential")
        return self.devices[credential]

    async def _route(self, request: httpx.Request) -> tuple[int, Any]:  # noqa: PLR0911
        path, method = request.url.path, request.method
        wait = int(request.url.params.get("wait", "0") or 0)
        if method == "POST" and path == "/v1/devices":
            credential = f"tvd_{next(self._ids):06d}"
            device = f"dev_{len(self.devices) + 1:04d}"
            self.devices[credential] = device
            return 201, {"device_id": device, "credential": credential,
                         "created_at": _iso(self.clock.now())}
        if method == "GET" and (match := re.fullmatch(r"/v1/catalog/images/(.+)\.png", path)):
            index = next((n for n, p in enumerate(CATALOG) if p["id"] == match.group(1)), None)
            if index is None:
                raise _Refused(404, "NOT_FOUND")
            if match.group(1) not in self._images:
                self._images[match.group(1)] = product_image(index)
            return 200, self._images[match.group(1)]
        device = self._device(request)
        if method == "GET" and path == "/v1/catalog":
            while self.hold_catalog:
                await self._hold(3600)
            return 200, {"products": [self._product(p) for p in CATALOG]}
        if method == "POST" and path == "/v1/bind-sessions":
            wallet = Wallet(json.loads(request.content)["wallet"])
            now = self.clock.now()
            created = _Session(f"bs_{next(self._ids):04d}", device, wallet, now,
                               now + dt.timedelta(seconds=self.qr_seconds))
            self.sessions[created.id] = created
            return 201, self._session(created)
        if match := re.fullmatch(r"/v1/bind-sessions/([^/]+)", path):
            found = self.sessions.get(match.group(1))
            if found is None or found.device != device:
                raise _Refused(404, "NOT_FOUND")
            session = found
            if method == "DELETE":
                if session.state == "PENDING":
                    session.state = "FAILED"
                    session.failure = {"code": "CANCELLED", "message": "cancelled"}
                return 200, self._session(session)
            if session.state == "PENDING" and self.clock.now() >= session.expires_at:
                session.state = "EXPIRED"
            if session.state == "PENDING" and wait:
                await self._hold(wait)
            return 200, self._session(session)
        if match := re.fullmatch(r"/v1/bindings/([^/]+)", path):
            binding = self.bindings.get(match.group(1))
            if binding is None or binding.device != device:
                raise _Refused(404, "NOT_FOUND")
            if method == "DELETE" and binding.state == "ACTIVE":
                binding.state, binding.revoked_by = "REVOKED", "DEVICE"
            return 200, self._binding(binding)
        if method == "POST" and path == "/v1/purchases":
            return self._create_purchase(request, device)
        if method == "GET" and path == "/v1/purchases":
            ref = request.url.params.get("binding")
            mine = [p for p in self.purchases.values()
                    if p.device == device and (ref is None or p.binding == ref)]
            mine.sort(key=lambda p: p.created_at, reverse=True)
            limit = int(request.url.params.get("limit", "20"))
            return 200, {"purchases": [self._purchase(p) for p in mine[:limit]], "next": None}
        if method == "GET" and (match := re.fullmatch(r"/v1/purchases/([^/]+)", path)):
            purchase = self.purchases.get(match.group(1))
            if purchase is None or purchase.device != device:
                raise _Refused(404, "NOT_FOUND")
            purchase.polls += 1
            if purchase.state == "PROCESSING" and not self.hold_purchases:
                self._complete(purchase)
            if purchase.state == "PROCESSING" and wait:
                await self._hold(wait)
            return 200, self._purchase(purchase)
        raise _Refused(404, "NOT_FOUND", f"no route {method} {path}")

    def _create_purchase(self, request: httpx.Request, device: str) -> tuple[int, Any]:
        key = request.headers.get("idempotency-key", "")
        body = json.loads(request.content)
        for existing in self.purchases.values():
            if existing.device == device and existing.key == key:
                if existing.body != body:
                    raise _Refused(409, "IDEMPOTENCY_KEY_REUSED")
                return 200, self._purchase(existing)
        if self.refuse_purchases is not None:
            status, code = self.refuse_purchases
            raise _Refused(status, code)
        binding = self.bindings.get(body["binding"])
        if binding is None or binding.device != device:
            raise _Refused(404, "NOT_FOUND", field="binding")
        if binding.state == "REVOKED":
            raise _Refused(409, "BINDING_REVOKED", revoked_by=binding.revoked_by)
        product = next((p for p in CATALOG if p["id"] == body["product_id"]), None)
        if product is None:
            raise _Refused(404, "NOT_FOUND", field="product_id")
        amount = Money(body["amount"]["value"], body["amount"]["currency"])
        if (amount.minor, amount.currency) not in product["prices"]:
            raise _Refused(409, "PRICE_CHANGED")
        number = next(self._ids)
        purchase = _Purchase(
            id=f"pur_{number:04d}", device=device, key=key, body=body,
            product_id=product["id"], title=product["title"]["en"], amount=amount,
            wallet=binding.wallet, binding=binding.ref, order_ref=f"ord_20260302{number:04d}",
            created_at=self.clock.now(),
        )
        self.purchases[purchase.id] = purchase
        return 201, self._purchase(purchase)

    def _complete(self, purchase: _Purchase) -> None:
        purchase.completed_at = self.clock.now()
        if self.purchase_outcome == "SUCCEEDED":
            purchase.state = "SUCCEEDED"
        else:
            purchase.state = "FAILED"
            purchase.failure = {"code": self.purchase_outcome, "message": self.purchase_outcome}

    # ------------------------------------------------------------------ JSON
    @staticmethod
    def _product(product: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": product["id"], "title": product["title"], "description": product["description"],
            "image_url": f"/v1/catalog/images/{product['id']}.png",
            "prices": [_money(minor, currency) for minor, currency in product["prices"]],
        }

    def _session(self, session: _Session) -> dict[str, Any]:
        left = max(0, int((session.expires_at - self.clock.now()).total_seconds()))
        binding = self.bindings.get(session.binding) if session.binding else None
        return {
            "id": session.id, "wallet": session.wallet.value, "state": session.state,
            "qr_text": f"https://wallet.sandbox.example/authorize?session={session.id}"
                       f"&wallet={session.wallet.value}",
            "expires_at": _iso(session.expires_at), "expires_in": left,
            "interval": 5, "long_poll": self.long_poll,
            "binding": self._binding(binding) if binding else None,
            "failure": session.failure,
        }

    def _binding(self, binding: _Binding) -> dict[str, Any]:
        currency = WALLET_RULES[binding.wallet].currency
        return {
            "ref": binding.ref, "wallet": binding.wallet.value, "currency": currency,
            "state": binding.state, "revoked_by": binding.revoked_by,
            "account": ACCOUNTS[binding.wallet], "created_at": _iso(binding.created_at),
            "limits": None,
        }

    def _purchase(self, purchase: _Purchase) -> dict[str, Any]:
        receipt = None
        if purchase.state == "SUCCEEDED" and purchase.completed_at is not None:
            receipt = {
                "order_ref": purchase.order_ref, "payment_ref": f"pay_{purchase.id}",
                "item": purchase.title,
                "amount": _money(purchase.amount.minor, purchase.amount.currency),
                "wallet": purchase.wallet.value, "account": ACCOUNTS[purchase.wallet],
                "paid_at": _iso(purchase.completed_at),
            }
        return {
            "id": purchase.id, "state": purchase.state,
            "product": {"id": purchase.product_id, "title": purchase.title},
            "amount": _money(purchase.amount.minor, purchase.amount.currency),
            "wallet": purchase.wallet.value, "binding": purchase.binding,
            "order_ref": purchase.order_ref, "created_at": _iso(purchase.created_at),
            "completed_at": _iso(purchase.completed_at) if purchase.completed_at else None,
            "interval": 2, "long_poll": self.long_poll, "failure": purchase.failure,
            "refunded": _money(0, purchase.amount.currency), "receipt": receipt,
        }
