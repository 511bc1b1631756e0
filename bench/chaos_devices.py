"""Simulated TVs for the chaos campaign: real device cores (`tvclient.device`), no UI.

Each `SimDevice` is what the app runs minus Qt: an `AccountService` with its vault (an
in-memory keyring), its settings file (pending purchase intents live there) and its
`MerchantClient` over real HTTP to the backend process. A buyer's phone is played by the
sandbox's approve API. Between the TV and the backend sits `FlakyNetwork`: answers lost after
the backend acted, and connections refused before it saw anything, as on a living-room Wi-Fi.

Every purchase intent is recorded as the device saw it (`IntentView`); the audit compares those
views with both ledgers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tvclient.clock import SystemClock
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.bind import BindPhase, BindSnapshot
from tvclient.device.client import MerchantClient
from tvclient.device.errors import DeviceError, NotBoundError, PurchasePendingError
from tvclient.device.intents import IntentStore
from tvclient.device.memory_keyring import MemoryKeyring
from tvclient.device.models import Binding, Product
from tvclient.device.purchase import PurchaseFlow, PurchasePhase, PurchaseSnapshot
from tvclient.device.settings import SettingsStore
from tvclient.device.vault import BindingVault
from tvclient.device.waiting import WaitPolicy
from tvclient.money import Money, Wallet

__all__ = ["FlakyNetwork", "IntentView", "Sandbox", "SimDevice"]

_log = logging.getLogger("chaos.devices")

# The device core's real numbers, except the back-off cap: a TV waits up to 60 s between
# retries while its backend is down; with time compressed the campaign caps it at 4 s.
POLICY = WaitPolicy(backoff_cap=4.0)

BUYERS = {
    Wallet.ALIPAY_HK: (("hk-alice", 8), ("hk-carol", 3), ("hk-ben", 1)),
    Wallet.DANA: (("id-dewi", 6), ("id-fajar", 3), ("id-eko", 1)),
}


class FlakyNetwork(httpx.AsyncBaseTransport):
    """A TV's network: some requests never arrive, some answers never come back.

    Args:
        inner: The real transport.
        rng: The device's seeded random source.
        refuse: Chance that a request fails before the backend sees it.
        lose: Chance that the backend's answer is lost after it acted.
    """

    def __init__(
        self, inner: httpx.AsyncBaseTransport, rng: random.Random, *, refuse: float, lose: float
    ) -> None:
        self._inner = inner
        self._rng = rng
        self._refuse = refuse
        self._lose = lose
        self.refused = 0
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward, unless the dice say otherwise."""
        if self._rng.random() < self._refuse:
            self.refused += 1
            raise httpx.ConnectError("chaos: the request never left the TV", request=request)
        response = await self._inner.handle_async_request(request)
        if self._rng.random() < self._lose:
            self.lost += 1
            await response.aread()
            await response.aclose()
            raise httpx.ReadError("chaos: the answer was lost on the way back", request=request)
        return response

    async def aclose(self) -> None:
        """Close the real transport."""
        await self._inner.aclose()


class Sandbox:
    """What a simulated TV needs from the outside world: a buyer's phone, a wallet app."""

    def __init__(
        self,
        approve: Callable[[str, str, bool], Awaitable[bool]],
        unlink: Callable[[str], Awaitable[bool]],
    ) -> None:
        self.approve = approve
        """Answer a QR (code value, buyer, decline?) as the buyer's phone; False if refused."""
        self.unlink = unlink
        """Unlink the binding made by a bind session (its id) in the wallet app."""


@dataclass
class IntentView:
    """One purchase intent as the device saw it."""

    device: int
    key: str
    product_id: str
    amount: Money
    phase: PurchasePhase = PurchasePhase.SUBMITTING
    purchase_id: str | None = None
    failure: str | None = None
    payment_ref: str | None = None
    restarts: int = 0

    def follow(self, snapshot: PurchaseSnapshot) -> None:
        """Take a new snapshot of this intent."""
        if snapshot.key != self.key:
            return
        self.phase = snapshot.phase
        if snapshot.purchase is not None:
            self.purchase_id = snapshot.purchase.id
        if snapshot.failure is not None:
            self.failure = snapshot.failure.code
        if snapshot.receipt is not None:
            self.payment_ref = snapshot.receipt.payment_ref


@dataclass
class DeviceStats:
    """What one device did."""

    binds: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


class SimDevice:
    """One TV: enrols, binds by QR, buys with one press, sometimes unbinds or restarts.

    Args:
        index: The device number (also names its settings file).
        backend_url: The merchant backend.
        sandbox: The buyer's side.
        rng: Its own seeded random source.
        work_dir: Where its settings file lives.
        refuse: Network: chance a request never arrives.
        lose: Network: chance an answer is lost.
    """

    def __init__(
        self,
        index: int,
        backend_url: str,
        sandbox: Sandbox,
        rng: random.Random,
        work_dir: Path,
        *,
        refuse: float = 0.02,
        lose: float = 0.03,
    ) -> None:
        self.index = index
        self._url = backend_url
        self._sandbox = sandbox
        self._rng = rng
        self._clock = SystemClock()
        self.keyring = MemoryKeyring()
        self.settings_path = work_dir / f"device-{index:03d}" / "settings.json"
        self._network = FlakyNetwork(
            httpx.AsyncHTTPTransport(retries=0), rng, refuse=refuse, lose=lose
        )
        self._http = httpx.AsyncClient(transport=self._network, trust_env=False)
        self.intents: dict[str, IntentView] = {}
        self.stats = DeviceStats()
        self.wallet = Wallet.ALIPAY_HK if rng.random() < 0.7 else Wallet.DANA
        self.bound_session: str | None = None
        self._catalog: list[Product] = []
        self.account = self._boot()

    # ------------------------------------------------------------------ the app's life
    def _boot(self) -> AccountService:
        """Start "the app": a fresh core over the same keyring and settings file."""
        client = MerchantClient(self._http, self._url, language="en")
        vault = BindingVault(self._url, keyring_backend=self.keyring)
        intents = IntentStore(SettingsStore(self.settings_path))
        info = DeviceInfo(name=f"chaos TV {self.index}", platform="linux-x86_64",
                          app_version="chaos")
        return AccountService(client, vault, intents, self._clock, info, policy=POLICY)

    def restart_app(self) -> None:
        """The app is restarted: everything in memory is gone, keyring and settings stay."""
        self.stats.actions["app restart"] += 1
        self.account = self._boot()

    @property
    def network(self) -> FlakyNetwork:
        """The TV's network (its counters)."""
        return self._network

    async def aclose(self) -> None:
        """Close the TV's HTTP client."""
        await self._http.aclose()

    # ------------------------------------------------------------------ the campaign
    async def run(self, stop: asyncio.Event) -> None:
        """Act like a TV in use until `stop` is set."""
        while not stop.is_set():
            try:
                await self._step()
            except DeviceError as exc:
                # The backend is down or answered something unusable: wait a little, go on.
                self.stats.errors[exc.code] += 1
                await asyncio.sleep(self._rng.uniform(0.2, 1.0))
            await asyncio.sleep(self._rng.uniform(0.0, 0.5))

    async def _step(self) -> None:
        await self.account.ensure_enrolled()
        if self.account.pending_purchases():
            await self.resume_pending()
            return
        if self.account.binding_ref() is None:
            await self.bind()
            return
        roll = self._rng.random()
        if roll < 0.02:
            self.stats.actions["unbind"] += 1
            await self.account.unbind()
        elif roll < 0.04 and self.bound_session is not None:
            self.stats.actions["wallet unlink"] += 1
            if await self._sandbox.unlink(self.bound_session):
                self.bound_session = None
        else:
            await self.buy()

    async def settle(self) -> None:
        """After the campaign: follow every pending intent to its end (backend healthy now)."""
        await self.account.ensure_enrolled()
        while self.account.pending_purchases():
            await self.resume_pending()

    # ------------------------------------------------------------------ binding
    async def bind(self) -> None:
        """Show a QR; the buyer's phone agrees (or declines, or the buyer walks away)."""
        flow = self.account.bind_flow(tick=None)
        shown = asyncio.Event()
        snapshots: list[BindSnapshot] = []

        def seen(snapshot: BindSnapshot) -> None:
            snapshots.append(snapshot)
            if snapshot.phase is BindPhase.SHOWING_QR:
                shown.set()

        flow.subscribe(seen)
        task = asyncio.ensure_future(flow.run(self.wallet))
        waiter = asyncio.ensure_future(shown.wait())
        await asyncio.wait({task, waiter}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        qr = next((s.qr_text for s in reversed(snapshots) if s.qr_text), None)
        if not task.done() and qr is not None:
            await asyncio.sleep(self._rng.uniform(0.0, 1.5))  # the buyer finds their phone
            roll = self._rng.random()
            buyer = self._pick_buyer()
            if roll < 0.05:
                await self._sandbox.approve(qr, buyer, True)  # declined: nothing is sent
                await asyncio.sleep(1.0)
                flow.cancel()
            elif roll < 0.10:
                flow.cancel()  # the buyer pressed Back; the phone may still agree
                await asyncio.sleep(self._rng.uniform(0.0, 0.3))
                await self._sandbox.approve(qr, buyer, False)
            else:
                await self._sandbox.approve(qr, buyer, False)
        # A TV shows a QR for minutes; this buyer gives up after 30 s (a lost notification).
        done, _ = await asyncio.wait({task}, timeout=30)
        if not done:
            flow.cancel()
            await asyncio.wait({task}, timeout=30)
        if not task.done():
            task.cancel()
            self.stats.binds["abandoned"] += 1
            return
        final = task.result()
        self.stats.binds[final.phase.value] += 1
        if final.phase is BindPhase.BOUND:
            self.bound_session = final.session_id

    def _pick_buyer(self) -> str:
        names = [name for name, _ in BUYERS[self.wallet]]
        weights = [weight for _, weight in BUYERS[self.wallet]]
        return self._rng.choices(names, weights)[0]

    # ------------------------------------------------------------------ buying
    async def _product(self) -> tuple[Product, Money] | None:
        if not self._catalog:
            self._catalog = await self.account.catalog()
        status = await self.account.binding(refresh=False)
        binding: Binding | None = status.binding
        currency = binding.currency if binding is not None else (
            "HKD" if self.wallet is Wallet.ALIPAY_HK else "IDR"
        )
        choices = [(p, p.price_in(currency)) for p in self._catalog]
        priced = sorted(
            ((p, price) for p, price in choices if price is not None), key=lambda c: c[1].minor
        )
        if not priced:
            return None
        # Cheap items more often, as on a TV (tips and coins), so the buyers' yearly and daily
        # caps last a long campaign; dear ones still come up.
        weights = [40, 25, 20, 10, 5, 5, 5][: len(priced)]
        return self._rng.choices(priced, weights[: len(priced)] + [5] * (len(priced) - 7))[0]

    async def buy(self) -> None:
        """One press of Pay, followed to its end; sometimes the app restarts mid-way."""
        chosen = await self._product()
        if chosen is None:
            return
        product, price = chosen
        flow = self.account.purchase_flow()
        view: list[IntentView] = []

        def seen(snapshot: PurchaseSnapshot) -> None:
            if snapshot.key is None:
                return
            if not view:
                view.append(
                    self.intents.setdefault(
                        snapshot.key,
                        IntentView(self.index, snapshot.key, product.id, price),
                    )
                )
            view[0].follow(snapshot)

        flow.subscribe(seen)
        self.stats.actions["buy"] += 1
        task = asyncio.ensure_future(
            self.account.pay(product.id, product.title("en"), price, flow=flow)
        )
        if self._rng.random() < 0.08:
            # The app is closed while the payment is in flight; it resumes on the next start.
            await asyncio.wait({task}, timeout=self._rng.uniform(0.0, 2.0))
            if not task.done():
                flow.stop()
                await asyncio.wait({task}, timeout=5)
                self.restart_app()
                if view:
                    view[0].restarts += 1
        try:
            await task
        except (NotBoundError, PurchasePendingError):
            return

    async def resume_pending(self) -> None:
        """Follow the intents an earlier run of the app left pending."""
        for intent in self.account.pending_purchases():
            view = self.intents.setdefault(
                intent.key, IntentView(self.index, intent.key, intent.product_id, intent.amount)
            )
            flow: PurchaseFlow = self.account.purchase_flow()
            flow.subscribe(view.follow)
            self.stats.actions["resume"] += 1
            await self.account.resume(intent, flow=flow)


async def run_all(
    devices: list[SimDevice], stop: asyncio.Event, settle_seconds: float
) -> dict[str, float]:
    """Run every device until `stop`; then let each finish its pending intents.

    Returns timings: when the stop came and how long settling took.
    """
    tasks = [asyncio.ensure_future(device.run(stop)) for device in devices]
    await stop.wait()
    stopped = time.monotonic()
    _, running = await asyncio.wait(tasks, timeout=settle_seconds)
    for task in running:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, DeviceError):
            await task
    left = max(5.0, settle_seconds - (time.monotonic() - stopped))
    settles = [asyncio.ensure_future(device.settle()) for device in devices]
    _, unfinished = await asyncio.wait(settles, timeout=left)
    for task in unfinished:
        task.cancel()
    for task in settles:
        with contextlib.suppress(asyncio.CancelledError, DeviceError):
            await task
    return {
        "devices_still_busy_at_stop": float(len(running)),
        "devices_unsettled": float(len(unfinished)),
        "settle_seconds": time.monotonic() - stopped,
    }
