"""The sandbox's parts wired together, its clock, and the background work they need.

`Sandbox` owns the database and every service. Its background loop settles pending payments
and refunds, lapses QRs and delivers notifications, each at its time on the injected clock:
with a `FakeClock` a test moves time and the loop follows; with a `ScaledClock` minutes pass
in seconds. Everything the loop does is also done on demand when a request reads the state,
so answers never depend on how promptly the loop ran.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from tvclient.antom.keys import RSAPublicKey, load_public_key
from tvclient.clock import Clock
from tvclient.sandbox.authorization import Authorizations, TokenLifetimes
from tvclient.sandbox.buyers import Buyers
from tvclient.sandbox.customs import Customs
from tvclient.sandbox.datadir import Identity, make_data_dir, open_data_dir
from tvclient.sandbox.faults import Faults
from tvclient.sandbox.notifications import Notifier, Outbox
from tvclient.sandbox.payments import Payments
from tvclient.sandbox.refunds import Refunds
from tvclient.sandbox.reports import Reports
from tvclient.sandbox.settings import SandboxSettings
from tvclient.sandbox.store import DATABASE_FILE, Store
from tvclient.sandbox.times import SECOND_MS, to_ms

__all__ = ["Sandbox"]

_log = logging.getLogger(__name__)
_MAX_IDLE_S = 3600.0


class Sandbox:
    """One sandbox: its data dir, its services and its background loop."""

    def __init__(self, settings: SandboxSettings, *, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        make_data_dir(settings.data_dir)
        self.store = Store(settings.data_dir / DATABASE_FILE)
        try:
            self.identity: Identity = open_data_dir(settings, self.store, self.now_ms())
            self.buyers = Buyers(self.store)
            self.buyers.seed_if_empty()
        except BaseException:
            self.store.close()
            raise
        self._wake_event = asyncio.Event()
        self.faults = Faults(self.store, settings.max_hold)
        self.faults.load()
        self.outbox = Outbox(self.store, self.faults, self.wake)
        self.auths = Authorizations(
            self.store,
            self.buyers,
            self.outbox,
            lifetimes=TokenLifetimes(settings.access_token_ttl, settings.refresh_token_ttl),
            wallet_base_url=settings.wallet_base_url,
        )
        self.payments = Payments(self.store, self.buyers, self.auths, self.outbox, self.wake)
        self.refunds = Refunds(self.store, self.buyers, self.payments, self.outbox, self.wake)
        self.customs = Customs(self.store, self.payments)
        self.reports = Reports(self.store, settings.data_dir)
        self._client_keys: dict[str, RSAPublicKey] = {}
        self.load_client_keys()
        self.notifier: Notifier | None = None
        # Attempts cut short by a stop are due again.
        with self.store.transaction():
            self.store.execute(
                "UPDATE notifications SET status = 'PENDING' WHERE status = 'SENDING'"
            )

    # ------------------------------------------------------------------ basics
    def now_ms(self) -> int:
        """The sandbox clock, in epoch milliseconds."""
        return to_ms(self.clock.now())

    def wake(self) -> None:
        """Tell the background loop that new work may be due."""
        self._wake_event.set()

    def load_client_keys(self) -> None:
        """(Re)load the registered public key of every merchant client."""
        self._client_keys = {
            str(row["client_id"]): load_public_key(row["public_key"])
            for row in self.store.all("SELECT client_id, public_key FROM clients")
        }

    def client_key(self, client_id: str) -> RSAPublicKey | None:
        """The public key registered for a client ID, if the client exists."""
        return self._client_keys.get(client_id)

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    # ------------------------------------------------------------------ background work
    def attach(self, http_client: httpx.AsyncClient) -> None:
        """Give the sandbox the HTTP client its notifications go out through."""
        self.notifier = Notifier(
            outbox=self.outbox,
            clock=self.clock,
            identity=self.identity,
            http_client=http_client,
            retry=self.settings.retry_notifications,
            timeout=self.settings.notify_timeout,
            wake=self.wake,
        )

    def run_due(self) -> None:
        """Do everything that is due now: settle, lapse QRs, start notification attempts."""
        now = self.now_ms()
        self.payments.settle_due(now)
        self.refunds.settle_due(now)
        self.auths.lapse_due(now)
        if self.notifier is not None:
            self.notifier.start_due(now)

    def next_due_ms(self) -> int | None:
        """When something is next due."""
        times = [
            self.payments.next_settle_at(),
            self.refunds.next_settle_at(),
            self.auths.next_lapse_at(),
            self.outbox.next_due_at(),
        ]
        due = [t for t in times if t is not None]
        return min(due) if due else None

    async def run_background(self) -> None:
        """Run due work forever, sleeping on the clock until the next due time or a wake-up."""
        while True:
            self._wake_event.clear()
            self.run_due()
            next_ms = self.next_due_ms()
            delay = _MAX_IDLE_S if next_ms is None else (next_ms - self.now_ms()) / SECOND_MS
            delay = min(max(delay, 0.001), _MAX_IDLE_S)
            sleeper = asyncio.ensure_future(self.clock.sleep(delay))
            waker = asyncio.ensure_future(self._wake_event.wait())
            try:
                await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                # Not awaited: awaiting them here could swallow a cancellation of this loop.
                sleeper.cancel()
                waker.cancel()

    async def drain(self, rounds: int = 50) -> None:
        """Run due work and wait for running notification attempts until nothing is left.

        For tests and for a clean stop: it never sleeps on the clock, so work that is due
        only later stays for later.
        """
        for _ in range(rounds):
            self.run_due()
            if self.notifier is None or not self.notifier.busy:
                return
            await self.notifier.wait_idle()

    async def stop(self) -> None:
        """Stop notification attempts in flight (they are due again after a restart)."""
        if self.notifier is not None:
            await self.notifier.stop()
