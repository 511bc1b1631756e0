"""The merchant backend's services wired together, with start-up and shutdown.

`Backend` is what both the HTTP app (`app.create_app`) and the admin commands use: the same
ledger, the same Antom calls, the same rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from cryptography.hazmat.primitives import serialization

from tvclient.antom.keys import RSAPublicKey, read_private_key, read_public_key
from tvclient.antom.notifications import NotificationVerifier
from tvclient.clock import Clock
from tvclient.merchant.after_sale import AfterSale
from tvclient.merchant.antom_gateway import MeteredAntom
from tvclient.merchant.antom_port import AntomPort
from tvclient.merchant.bind_sessions import BindSessions
from tvclient.merchant.bindings import Bindings
from tvclient.merchant.catalog import Catalog, load_catalog
from tvclient.merchant.config import MerchantConfig
from tvclient.merchant.devices import Devices
from tvclient.merchant.errors import ConfigError
from tvclient.merchant.metrics import Metrics
from tvclient.merchant.payments import Payments
from tvclient.merchant.purchases import Purchases
from tvclient.merchant.ratelimit import RateLimiter
from tvclient.merchant.store import Database
from tvclient.merchant.tasks import Tasks
from tvclient.merchant.token_vault import TokenVault
from tvclient.merchant.wakeups import Wakeups

__all__ = ["Backend", "token_secret"]

log = logging.getLogger(__name__)

NOTIFY_AUTHORIZATION = "/antom/notify/authorization"
NOTIFY_PAYMENT = "/antom/notify/payment"
NOTIFY_REFUND = "/antom/notify/refund"


def token_secret(config: MerchantConfig) -> bytes:
    """The secret that encrypts Antom tokens at rest (see token_vault).

    Raises:
        ConfigError: neither `token_key` nor a readable private key is configured.
    """
    if config.token_key:
        return config.token_key.encode("utf-8")
    if config.private_key is None:
        raise ConfigError("set --token-key or --private-key: Antom tokens must be encrypted")
    key = read_private_key(config.private_key)
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class Backend:
    """All services of one backend process."""

    def __init__(
        self,
        config: MerchantConfig,
        *,
        clock: Clock,
        antom: AntomPort,
        antom_public_key: RSAPublicKey | None = None,
        database: Database | None = None,
        catalog: Catalog | None = None,
        secret: bytes | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.metrics = Metrics()
        self.antom = antom = MeteredAntom(antom, self.metrics, clock)
        self.tasks = Tasks()
        self.wakeups = database.wakeups if database is not None else Wakeups()
        self.db = database or Database(config.database, self.wakeups)
        self.catalog = catalog or load_catalog(config.catalog)
        key = antom_public_key
        if key is None and config.antom_public_key is not None:
            key = read_public_key(config.antom_public_key)
        self.verifier = (
            NotificationVerifier(key, client_id=config.client_id or None) if key else None
        )
        self.vault = TokenVault(secret if secret is not None else token_secret(config))
        base = config.base_url
        self.devices = Devices(
            self.db,
            clock,
            enrolment_token=config.enrolment_token,
            allow_loopback=config.allow_loopback_enrolment,
        )
        self.bindings = Bindings(
            self.db,
            clock,
            antom,
            self.vault,
            self.metrics,
            refresh_ahead=config.token_refresh_ahead,
        )
        self.bind_sessions = BindSessions(
            self.db,
            clock,
            antom,
            vault=self.vault,
            tasks=self.tasks,
            metrics=self.metrics,
            base_url=base,
            interval=config.bind_interval,
            ttl=config.bind_session_ttl,
            rng=rng,
        )
        self.payments = Payments(
            self.db,
            clock,
            antom,
            bindings=self.bindings,
            tasks=self.tasks,
            metrics=self.metrics,
            notify_url=base + NOTIFY_PAYMENT,
            crash_after_pay=config.test_crash_after_pay,
        )
        self.purchases = Purchases(
            self.db,
            clock,
            self.catalog,
            self.payments,
            self.metrics,
            payment_expiry=config.payment_expiry,
            sync_wait=config.purchase_sync_wait,
        )
        self.after_sale = AfterSale(
            self.db,
            clock,
            antom,
            tasks=self.tasks,
            metrics=self.metrics,
            refund_notify_url=base + NOTIFY_REFUND,
        )
        self.bind_limiter = RateLimiter(
            clock,
            per_minute=config.bind_sessions_per_minute,
            burst=max(1, config.bind_sessions_per_minute),
        )
        self.poll_limiter = RateLimiter(
            clock, per_minute=config.polls_per_minute, burst=max(5, config.polls_per_minute // 4)
        )
        self.ready = False
        self._loops: list[asyncio.Task[None]] = []
        self.metrics.gauge(
            "tvclient_merchant_long_polls_waiting",
            lambda: float(self.wakeups.waiting),
            "Requests and tasks waiting for a state change",
        )
        self.metrics.gauge(
            "tvclient_merchant_payments_in_flight",
            lambda: float(self.payments.driving),
            "Purchases being driven to a final state by this process",
        )

    async def start(self, *, background: bool = True) -> None:
        """Migrate (when configured), listen for wake-ups, recover in-flight work, start loops."""
        if self.config.migrate_on_start or not self.db.is_postgres:
            await self.db.migrate()
        await self.db.start_listening()
        if background:
            await self.bind_sessions.recover()
            resumed = await self.payments.recover()
            await self.after_sale.recover()
            if resumed:
                log.info("start-up recovery resumed %d purchase(s)", resumed)
            self.tasks.spawn(self._upkeep_loop(), name="upkeep", critical=False)
        self.ready = True
        log.info("merchant backend ready (database %s)", self.db.describe())

    async def _upkeep_loop(self) -> None:
        while True:
            await self.clock.sleep(self.config.token_check_interval)
            try:
                await self.bindings.upkeep()
                # Purchases nobody drives any more (a peer process died): resume them.
                await self.payments.recover(older_than=2 * self.config.payment_expiry)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "upkeep round failed; next round in %ss", self.config.token_check_interval
                )

    async def stop(self) -> None:
        """Finish in-flight payments (up to the grace period), then close the database."""
        self.ready = False
        await self.tasks.drain(self.config.shutdown_grace)
        with contextlib.suppress(Exception):
            await self.db.close()
