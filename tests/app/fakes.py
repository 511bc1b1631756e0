"""A small in-memory device core for UI tests, screenshots and benchmarks.

It implements `tvclient.app.ports.DeviceCore`. Its coroutines run on the app's worker loop, so a
test steers it with `shell.worker.call_sync(core.approve)` and friends (thread-safe by going
through that loop).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace

from PIL import Image, ImageDraw

from tvclient.app.ports import (
    BackendUnreachable,
    Binding,
    BindingState,
    BindState,
    BindUpdate,
    CoreError,
    Product,
    Purchase,
    PurchaseState,
)
from tvclient.clock import Clock
from tvclient.money import WALLET_RULES, Money, Wallet

ACCOUNTS = {Wallet.ALIPAY_HK: "852****5678", Wallet.DANA: "62-812****3456"}

PRODUCTS = (
    Product(
        id="movie-night",
        titles={"en": "Movie night", "zh-HK": "電影之夜", "id": "Malam film"},
        descriptions={
            "en": "Rent tonight's new release for 48 hours, in HD with subtitles.",
            "zh-HK": "租借今晚的新片 48 小時，高清並附字幕。",
            "id": "Sewa film baru malam ini selama 48 jam, HD dengan subtitle.",
        },
        image_url="/v1/catalog/images/movie-night.png",
        prices=(Money(3800, "HKD"), Money(7_500_000, "IDR")),
    ),
    Product(
        id="football-pass",
        titles={"en": "Football day pass", "zh-HK": "足球日票", "id": "Tiket harian sepak bola"},
        descriptions={"en": "Every live match today.", "zh-HK": "今日所有直播賽事。",
                      "id": "Semua pertandingan langsung hari ini."},
        image_url="/v1/catalog/images/football-pass.png",
        prices=(Money(6800, "HKD"), Money(13_000_000, "IDR")),
    ),
    Product(
        id="kids-month",
        titles={"en": "Kids channel, 1 month", "zh-HK": "兒童頻道一個月", "id": "Kanal anak, 1 bulan"},
        descriptions={"en": "Cartoons and learning shows, no ads.", "zh-HK": "卡通及學習節目，無廣告。",
                      "id": "Kartun dan acara belajar, tanpa iklan."},
        image_url="/v1/catalog/images/kids-month.png",
        prices=(Money(4800, "HKD"), Money(9_000_000, "IDR")),
    ),
    Product(
        id="concert",
        titles={"en": "Live concert replay", "zh-HK": "演唱會重播", "id": "Siaran ulang konser"},
        descriptions={"en": "Last night's concert, full length.", "zh-HK": "昨晚演唱會完整版。",
                      "id": "Konser semalam, versi penuh."},
        image_url="/v1/catalog/images/concert.png",
        prices=(Money(2800, "HKD"), Money(5_500_000, "IDR")),
    ),
    Product(
        id="game-coins",
        titles={"en": "500 game coins", "zh-HK": "500 遊戲幣", "id": "500 koin game"},
        descriptions={"en": "For the arcade channel.", "zh-HK": "用於街機頻道。",
                      "id": "Untuk kanal arkade."},
        image_url="/v1/catalog/images/game-coins.png",
        prices=(Money(1500, "HKD"), Money(3_000_000, "IDR")),
    ),
)

_COLOURS = [(201, 74, 74), (54, 124, 201), (88, 166, 92), (160, 92, 190), (214, 150, 48)]


def product_image(index: int) -> bytes:
    """A 480×270 PNG: a diagonal two-colour gradient (the catalog pictures of the fake)."""
    first = _COLOURS[index % len(_COLOURS)]
    second = tuple(max(0, c - 90) for c in first)
    image = Image.new("RGB", (480, 270), first)
    draw = ImageDraw.Draw(image)
    for x in range(0, 480 + 270, 6):
        t = x / (480 + 270)
        colour = tuple(int(a + (b - a) * t) for a, b in zip(first, second, strict=True))
        draw.line([(x, 0), (x - 270, 270)], fill=colour, width=7)
    draw.ellipse((330, 40, 440, 150), outline=(255, 255, 255), width=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class FakeCore:
    """Scriptable: bind sessions wait for `approve()`/`decline()`, purchases for `outcome`."""

    def __init__(self, clock: Clock, *, demo: bool = True) -> None:
        self.clock = clock
        self._demo = demo
        self.language = "en"
        self.products = list(PRODUCTS)
        self.stored: Binding | None = None
        self.offline = False
        self.purchase_outcome: str = "SUCCEEDED"      # or a failure code
        self.processing_updates = 0                   # PROCESSING answers before the outcome
        self.purchase_error: CoreError | None = None  # refuse the request itself
        self.purchases: list[Purchase] = []
        self.created = 0
        self.bind_sessions = 0
        self.cancelled_sessions = 0
        self.qr_lifetime = dt.timedelta(minutes=15)
        self._ids = itertools.count(1)
        self._bind_event: asyncio.Event | None = None
        self._bind_result: str = ""
        self._purchase_gate: asyncio.Event | None = None
        self.hold_purchases = False
        self.pending_resume: Purchase | None = None

    # ------------------------------------------------------------------ steering (loop thread)
    def approve(self) -> None:
        """The buyer agrees in the wallet."""
        self._bind_result = "BOUND"
        if self._bind_event is not None:
            self._bind_event.set()

    def decline(self) -> None:
        """The wallet declines the token exchange."""
        self._bind_result = "DECLINED"
        if self._bind_event is not None:
            self._bind_event.set()

    def expire(self) -> None:
        """The QR lapses."""
        self._bind_result = "EXPIRED"
        if self._bind_event is not None:
            self._bind_event.set()

    def release_purchase(self) -> None:
        """Let a held purchase reach its outcome."""
        if self._purchase_gate is not None:
            self._purchase_gate.set()

    def revoke_in_wallet(self) -> None:
        """TOKEN_CANCELED: the buyer unlinked in the wallet app."""
        if self.stored is not None:
            self.stored = replace(self.stored, state=BindingState.REVOKED, revoked_by="WALLET")

    # ------------------------------------------------------------------ DeviceCore
    @property
    def demo(self) -> bool:
        """Shows the DEMO badge."""
        return self._demo

    def set_language(self, language: str) -> None:
        """Remember the language."""
        self.language = language

    def _check(self) -> None:
        if self.offline:
            raise BackendUnreachable("connection refused")

    async def catalog(self) -> list[Product]:
        """The fake catalog."""
        await asyncio.sleep(0)
        self._check()
        return list(self.products)

    async def binding(self) -> Binding | None:
        """The stored binding."""
        await asyncio.sleep(0)
        self._check()
        return self.stored

    async def bind(self, wallet: Wallet) -> AsyncIterator[BindUpdate]:
        """A session: PENDING, then whatever the test decides."""
        self._check()
        self.bind_sessions += 1
        expires = self.clock.now() + self.qr_lifetime
        qr = f"https://wallet.sandbox.example/bind?session=bs_{next(self._ids):04d}&w={wallet.value}"
        self._bind_event = asyncio.Event()
        self._bind_result = ""
        yield BindUpdate(BindState.PENDING, wallet, qr, expires)
        try:
            await self._bind_event.wait()
        except asyncio.CancelledError:
            self.cancelled_sessions += 1
            raise
        result = self._bind_result
        if result == "BOUND":
            self.stored = Binding(wallet, ACCOUNTS[wallet])
            yield BindUpdate(BindState.BOUND, wallet, qr, expires, binding=self.stored)
        elif result == "DECLINED":
            yield BindUpdate(BindState.DECLINED, wallet, qr, expires)
        else:
            yield BindUpdate(BindState.EXPIRED, wallet, qr, expires)

    async def unbind(self) -> None:
        """Forget the binding."""
        await asyncio.sleep(0)
        self._check()
        self.stored = None

    async def purchase(self, product: Product, amount: Money) -> AsyncIterator[Purchase]:
        """One purchase, answered by `purchase_outcome`."""
        self._check()
        if self.purchase_error is not None:
            raise self.purchase_error
        binding = self.stored
        if binding is None or not binding.active:
            raise CoreError("BINDING_REVOKED", "revoked in the wallet")
        self.created += 1
        number = next(self._ids)
        record = Purchase(
            id=f"pur_{number:04d}", state=PurchaseState.PROCESSING,
            item=product.title(self.language), amount=amount, wallet=binding.wallet,
            order_ref=f"ord_2026030200{number:02d}", created_at=self.clock.now(),
            account=binding.account,
        )
        yield record
        for _ in range(self.processing_updates):
            await asyncio.sleep(0)
            yield record
        if self.hold_purchases:
            self._purchase_gate = asyncio.Event()
            await self._purchase_gate.wait()
        if self.purchase_outcome == "SUCCEEDED":
            record = replace(record, state=PurchaseState.SUCCEEDED, paid_at=self.clock.now())
        else:
            record = replace(
                record, state=PurchaseState.FAILED, failure_code=self.purchase_outcome,
            )
        self.purchases.insert(0, record)
        yield record

    async def resume(self) -> AsyncIterator[Purchase]:
        """An unfinished purchase from an earlier run, if one was planted."""
        await asyncio.sleep(0)
        if self.pending_resume is not None:
            pending, self.pending_resume = self.pending_resume, None
            yield pending
            done = replace(pending, state=PurchaseState.SUCCEEDED, paid_at=self.clock.now())
            self.purchases.insert(0, done)
            yield done

    async def history(self, limit: int) -> list[Purchase]:
        """The purchases so far."""
        await asyncio.sleep(0)
        self._check()
        return self.purchases[:limit]

    async def image(self, url: str) -> bytes:
        """The gradient picture of the product with that URL."""
        await asyncio.sleep(0)
        self._check()
        for index, product in enumerate(self.products):
            if product.image_url == url:
                return product_image(index)
        raise CoreError("NOT_FOUND", url)

    async def aclose(self) -> None:
        """Nothing to close."""


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


__all__ = ["ACCOUNTS", "PRODUCTS", "WALLET_RULES", "FakeCore", "MemoryLanguageStore", "product_image"]
