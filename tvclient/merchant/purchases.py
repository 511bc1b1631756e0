"""Purchases from the device's side: create once per Idempotency-Key, read, wait, list.

The purchase (with its `paymentRequestId`) is committed before Antom's pay is called, so a
crash at any later moment leaves a record that recovery resolves; the unique constraints on
(device, key) and on `paymentRequestId` make a second charge for one intent impossible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from sqlalchemy import RowMapping, insert, select
from sqlalchemy.exc import IntegrityError

from tvclient.clock import Clock
from tvclient.merchant.catalog import Catalog
from tvclient.merchant.errors import ApiError
from tvclient.merchant.ids import new_id
from tvclient.merchant.limits import check_limits, spending
from tvclient.merchant.metrics import Metrics
from tvclient.merchant.payments import Payments
from tvclient.merchant.states import BindingState, PurchaseState
from tvclient.merchant.store import Database
from tvclient.merchant.store.schema import bindings, purchases
from tvclient.merchant.timing import wait_event
from tvclient.money import Money, rules_for

__all__ = ["Purchases"]

log = logging.getLogger(__name__)

Row = RowMapping


def fingerprint(binding_ref: str, product_id: str, amount: Money) -> str:
    """What makes two requests with one Idempotency-Key "the same body"."""
    canonical = json.dumps(
        {
            "binding": binding_ref,
            "product_id": product_id,
            "currency": amount.currency,
            "value": amount.minor,
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Purchases:
    """Creates purchases and answers devices about them."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        catalog: Catalog,
        payments: Payments,
        metrics: Metrics,
        *,
        payment_expiry: int,
        sync_wait: float,
    ) -> None:
        self._db = db
        self._clock = clock
        self._catalog = catalog
        self._payments = payments
        self._metrics = metrics
        self._expiry = dt.timedelta(seconds=payment_expiry)
        self._sync_wait = sync_wait

    async def create(
        self, device_id: str, key: str, binding_ref: str, product_id: str, amount: Money
    ) -> tuple[Row, bool]:
        """The purchase for this intent, and whether this call created it.

        Raises:
            ApiError: 409 IDEMPOTENCY_KEY_REUSED, PRICE_CHANGED, BINDING_REVOKED,
                BINDING_EXPIRED, CURRENCY_MISMATCH; 404 NOT_FOUND (binding or product).
        """
        print_ = fingerprint(binding_ref, product_id, amount)
        existing = await self._by_key(device_id, key)
        if existing is not None:
            return self._replay(existing, print_), False
        try:
            row = await self._insert(
                device_id,
                key,
                print_,
                binding_ref=binding_ref,
                product_id=product_id,
                amount=amount,
            )
        except IntegrityError:
            # Another request with the same key won the race; answer with its purchase.
            existing = await self._by_key(device_id, key)
            if existing is None:
                raise
            return self._replay(existing, print_), False
        if row["state"] == PurchaseState.PROCESSING:
            with self._db.wakeups.waiter(f"pur:{row['id']}") as event:
                self._payments.start(str(row["id"]))
                await wait_event(event, self._sync_wait, self._clock)
            row = await self.get(device_id, str(row["id"]), None)
        else:
            self._metrics.inc("tvclient_merchant_purchases_total", outcome=str(row["state"]))
        return row, True

    @staticmethod
    def _replay(existing: Row, print_: str) -> Row:
        if existing["request_fingerprint"] != print_:
            raise ApiError(409, "IDEMPOTENCY_KEY_REUSED")
        return existing

    async def _by_key(self, device_id: str, key: str) -> Row | None:
        async with self._db.read() as conn:
            return (
                (
                    await conn.execute(
                        select(purchases).where(
                            purchases.c.device_id == device_id, purchases.c.idempotency_key == key
                        )
                    )
                )
                .mappings()
                .first()
            )

    async def _insert(
        self,
        device_id: str,
        key: str,
        print_: str,
        *,
        binding_ref: str,
        product_id: str,
        amount: Money,
    ) -> Row:
        now = self._clock.now()
        async with self._db.write() as tx:
            query = select(bindings).where(
                bindings.c.ref == binding_ref, bindings.c.device_id == device_id
            )
            if self._db.is_postgres:
                query = query.with_for_update()  # serialise cap checks per binding
            binding = (await tx.conn.execute(query)).mappings().first()
            if binding is None:
                raise ApiError(404, "NOT_FOUND", field="binding", detail="no such binding")
            if binding["state"] == BindingState.REVOKED:
                raise ApiError(409, "BINDING_REVOKED", revoked_by=binding["revoked_by"])
            if binding["state"] == BindingState.EXPIRED:
                raise ApiError(409, "BINDING_EXPIRED")
            product = self._catalog.get(product_id)
            if product is None:
                raise ApiError(404, "NOT_FOUND", field="product_id", detail="no such product")
            price = product.price_in(binding["currency"])
            if price is None or amount.currency != binding["currency"]:
                raise ApiError(409, "CURRENCY_MISMATCH")
            if price != amount:
                raise ApiError(
                    409, "PRICE_CHANGED", price={"currency": price.currency, "value": price.minor}
                )
            rules = rules_for(binding["wallet"])
            spent = await spending(tx.conn, binding_ref, rules, now)
            failure = check_limits(rules, amount, spent)
            purchase_id = new_id("pur")
            values = {
                "id": purchase_id,
                "device_id": device_id,
                "binding_ref": binding_ref,
                "idempotency_key": key,
                "request_fingerprint": print_,
                "product_id": product.id,
                "product_title": product.title["en"],
                "currency": amount.currency,
                "amount_minor": amount.minor,
                "wallet": binding["wallet"],
                "account": binding["account"],
                "state": PurchaseState.FAILED if failure else PurchaseState.PROCESSING,
                "order_ref": new_id("ord"),
                "payment_request_id": new_id("pay", 28),
                "spend_day": spent.day,
                "spend_year": spent.year,
                "pay_attempts": 0 if failure else 1,
                "pay_expires_at": now + self._expiry,
                "created_at": now,
                "updated_at": now,
                "completed_at": now if failure else None,
                "failure_code": failure,
                "refunded_minor": 0,
            }
            await tx.conn.execute(insert(purchases).values(**values))
        if failure:
            log.info("purchase %s refused before Antom: %s", purchase_id, failure)
        return await self.get(device_id, purchase_id, None)

    async def get(self, device_id: str | None, purchase_id: str, wait: float | None) -> Row:
        """A purchase of this device; with `wait`, held while PROCESSING (long-poll).

        Raises:
            ApiError: 404 NOT_FOUND.
        """
        if wait is None:
            return await self._load(device_id, purchase_id)
        with self._db.wakeups.waiter(f"pur:{purchase_id}") as event:
            row = await self._load(device_id, purchase_id)
            if row["state"] != PurchaseState.PROCESSING:
                return row
            if not await wait_event(event, wait, self._clock):
                return row
        return await self._load(device_id, purchase_id)

    async def _load(self, device_id: str | None, purchase_id: str) -> Row:
        query = select(purchases).where(purchases.c.id == purchase_id)
        if device_id is not None:
            query = query.where(purchases.c.device_id == device_id)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            raise ApiError(404, "NOT_FOUND", detail="no such purchase")
        return row

    async def history(
        self,
        device_id: str | None,
        binding_ref: str | None,
        *,
        limit: int,
        before: int | None,
        state: str | None = None,
    ) -> tuple[list[Row], int | None]:
        """Purchases newest first and the cursor of the next page (None on the last page)."""
        query = select(purchases).order_by(purchases.c.seq.desc()).limit(limit + 1)
        if device_id is not None:
            query = query.where(purchases.c.device_id == device_id)
        if binding_ref is not None:
            query = query.where(purchases.c.binding_ref == binding_ref)
        if before is not None:
            query = query.where(purchases.c.seq < before)
        if state is not None:
            query = query.where(purchases.c.state == state)
        async with self._db.read() as conn:
            rows = list((await conn.execute(query)).mappings().all())
        if len(rows) > limit:
            return rows[:limit], int(rows[limit - 1]["seq"])
        return rows, None
