"""Driving a purchase's payment at Antom to a final state, exactly once.

One `paymentRequestId` per purchase, reused on every retry. `S` → SUCCEEDED; `F` → FAILED with
the mapped reason; `U`, timeouts and 5xx → inquiryPayment at 2, 4, 8, 16, 32 s (bounded by the
payment's expiry) or notifyPayment, whichever comes first; still unknown at expiry → cancel.
Every final transition is a conditional update on `state = PROCESSING`: the first final word
wins, and a later contradicting one (a success after our cancel) changes nothing, as at Antom.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping, select, update

from tvclient.clock import Clock
from tvclient.merchant.antom_port import AntomPort, AntomReply, Api
from tvclient.merchant.bindings import Bindings, TokenUnavailableError
from tvclient.merchant.metrics import Metrics
from tvclient.merchant.states import BindingState, PurchaseState
from tvclient.merchant.store import Database
from tvclient.merchant.store.schema import purchases
from tvclient.merchant.tasks import Tasks
from tvclient.merchant.timing import antom_time, parse_antom_time, wait_event

__all__ = ["INQUIRY_SCHEDULE", "Payments", "failure_code_for"]

log = logging.getLogger(__name__)

Row = RowMapping

INQUIRY_SCHEDULE = (2.0, 4.0, 8.0, 16.0, 32.0)
_CANCEL_ATTEMPTS = 8

# Antom resultCode → the device API's purchase failure code.
_FAILURES = {
    "USER_BALANCE_NOT_ENOUGH": "INSUFFICIENT_BALANCE",
    "INSUFFICIENT_BALANCE": "INSUFFICIENT_BALANCE",
    "PAYMENT_AMOUNT_EXCEED_LIMIT": "ABOVE_TRANSACTION_LIMIT",
    "AMOUNT_EXCEED_LIMIT": "ABOVE_TRANSACTION_LIMIT",
    "PAYMENT_AMOUNT_BELOW_MINIMUM": "BELOW_MINIMUM",
    "USER_DAILY_LIMIT_EXCEEDED": "DAILY_LIMIT_REACHED",
    "USER_YEARLY_LIMIT_EXCEEDED": "YEARLY_LIMIT_REACHED",
    "INVALID_ACCESS_TOKEN": "BINDING_REVOKED",
    "ACCESS_TOKEN_EXPIRED": "BINDING_EXPIRED",
    "RISK_REJECT": "PAYMENT_DECLINED",
    "USER_STATUS_ABNORMAL": "PAYMENT_DECLINED",
    "ORDER_IS_CLOSED": "PAYMENT_TIMEOUT",
    "ACCESS_DENIED": "WALLET_UNAVAILABLE",
    "INVALID_SIGNATURE": "WALLET_UNAVAILABLE",
    "KEY_NOT_FOUND": "WALLET_UNAVAILABLE",
    "CLIENT_INVALID": "WALLET_UNAVAILABLE",
    "INVALID_CLIENT_STATUS": "WALLET_UNAVAILABLE",
    "CLIENT_FORBIDDEN_ACCESS_API": "WALLET_UNAVAILABLE",
    "INVALID_API": "WALLET_UNAVAILABLE",
    "NO_INTERFACE_DEF": "WALLET_UNAVAILABLE",
    "CURRENCY_NOT_SUPPORT": "PAYMENT_DECLINED",
}


def failure_code_for(result_code: str | None, wallet: str) -> str:
    """The purchase failure code for an Antom result code."""
    code = result_code or ""
    if code == "USER_AMOUNT_EXCEED_LIMIT":
        # The buyer's cumulative cap: per day for DANA, per year for AlipayHK.
        return "DAILY_LIMIT_REACHED" if wallet == "DANA" else "YEARLY_LIMIT_REACHED"
    return _FAILURES.get(code, "PAYMENT_DECLINED")


class Payments:
    """Starts, resolves and recovers payments; applies notifyPayment."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        antom: AntomPort,
        *,
        bindings: Bindings,
        tasks: Tasks,
        metrics: Metrics,
        notify_url: str,
        crash_after_pay: bool = False,
    ) -> None:
        self._db = db
        self._clock = clock
        self._antom = antom
        self._bindings = bindings
        self._tasks = tasks
        self._metrics = metrics
        self._notify_url = notify_url
        self._crash_after_pay = crash_after_pay
        self._driving: set[str] = set()

    # ------------------------------------------------------------------ entry points
    def start(self, purchase_id: str) -> None:
        """Pay a freshly recorded purchase in the background."""
        self._spawn(purchase_id, recovered=False)

    def resume(self, purchase_id: str) -> None:
        """Resolve a purchase left in flight (by a crash or a lost driver)."""
        self._spawn(purchase_id, recovered=True)

    @property
    def driving(self) -> int:
        """How many purchases are being driven by this process."""
        return len(self._driving)

    def _spawn(self, purchase_id: str, *, recovered: bool) -> None:
        if purchase_id in self._driving:
            return
        self._driving.add(purchase_id)
        self._tasks.spawn(self._drive(purchase_id, recovered=recovered), name=f"pay-{purchase_id}")

    async def recover(self, *, older_than: float = 0.0) -> int:
        """Resume every PROCESSING purchase not driven here (untouched for `older_than` s)."""
        cutoff = self._clock.now() - dt.timedelta(seconds=older_than)
        async with self._db.read() as conn:
            rows = (
                await conn.execute(
                    select(purchases.c.id).where(
                        purchases.c.state == PurchaseState.PROCESSING,
                        purchases.c.updated_at <= cutoff,
                    )
                )
            ).all()
        count = 0
        for row in rows:
            if row.id not in self._driving:
                log.info("resuming purchase %s left in flight", row.id)
                self.resume(row.id)
                count += 1
        return count

    # ------------------------------------------------------------------ the driver
    async def _drive(self, purchase_id: str, *, recovered: bool) -> None:
        try:
            row = await self._load(purchase_id)
            if row is None or row["state"] != PurchaseState.PROCESSING:
                return
            if recovered:
                # Whatever happened before, Antom knows: ask first, then follow the schedule.
                if await self._inquire(row):
                    return
            elif await self._pay(row):
                return
            await self._resolve(row)
        finally:
            self._driving.discard(purchase_id)

    async def _pay(self, row: Row) -> bool:
        """Send pay; True when the purchase reached a final state."""
        try:
            token = await self._bindings.usable_token(row["binding_ref"])
        except TokenUnavailableError as exc:
            code = "BINDING_REVOKED" if exc.state == BindingState.REVOKED else "BINDING_EXPIRED"
            # Pay was never sent for this purchase, so nothing can have been charged.
            return await self._finish(row, PurchaseState.FAILED, failure=code)
        reply = await self._antom.call(Api.PAY, self._pay_body(row, token))
        return await self._apply_pay_reply(row, reply)

    async def _apply_pay_reply(self, row: Row, reply: AntomReply) -> bool:
        if reply.succeeded:
            if self._crash_after_pay:
                # Test hook: die between Antom's success and our commit (see docs/merchant.md).
                log.critical("test hook: killing the backend right after pay succeeded")
                os.kill(os.getpid(), signal.SIGKILL)
            return await self._succeed(row, reply.body)
        if reply.failed and reply.code != "REPEAT_REQ_INCONSISTENT":
            return await self._finish(
                row,
                PurchaseState.FAILED,
                failure=failure_code_for(reply.code, row["wallet"]),
                antom_code=reply.code,
            )
        if reply.code == "REPEAT_REQ_INCONSISTENT":
            log.error("purchase %s: Antom saw its paymentRequestId with other data", row["id"])
        return False

    def _pay_body(self, row: Row, token: str) -> dict[str, Any]:
        amount = {"currency": row["currency"], "value": str(row["amount_minor"])}
        return {
            "productCode": "AGREEMENT_PAYMENT",
            "paymentRequestId": row["payment_request_id"],
            "paymentAmount": amount,
            "order": {
                "referenceOrderId": row["order_ref"],
                "orderDescription": row["product_title"],
                "orderAmount": amount,
                "goods": [
                    {
                        "referenceGoodsId": row["product_id"],
                        "goodsName": row["product_title"],
                        "deliveryMethodType": "DIGITAL",
                    }
                ],
                "env": {"terminalType": "WEB"},
            },
            "paymentMethod": {"paymentMethodType": row["wallet"], "paymentMethodId": token},
            "paymentExpiryTime": antom_time(row["pay_expires_at"]),
            "paymentNotifyUrl": self._notify_url,
            "settlementStrategy": {"settlementCurrency": row["currency"]},
            "env": {"terminalType": "WEB"},
        }

    async def _resolve(self, row: Row) -> None:
        """Inquire on the schedule (or take a notification) until final; cancel at expiry."""
        expires: dt.datetime = row["pay_expires_at"]
        step = 0
        while True:
            left = (expires - self._clock.now()).total_seconds()
            if left <= 0:
                break
            delay = INQUIRY_SCHEDULE[min(step, len(INQUIRY_SCHEDULE) - 1)]
            step += 1
            if await self._wait_final(row["id"], min(delay, left)):
                return
            if await self._inquire(row):
                return
        if await self._inquire(row, repay=False):
            return
        await self._cancel_unknown(row)

    async def _wait_final(self, purchase_id: str, seconds: float) -> bool:
        with self._db.wakeups.waiter(f"pur:{purchase_id}") as event:
            current = await self._load(purchase_id)
            if current is None or current["state"] != PurchaseState.PROCESSING:
                return True
            await wait_event(event, seconds, self._clock)
        current = await self._load(purchase_id)
        return current is None or current["state"] != PurchaseState.PROCESSING

    async def _inquire(self, row: Row, *, repay: bool = True) -> bool:
        """One inquiryPayment; True when the purchase reached a final state."""
        reply = await self._antom.call(
            Api.INQUIRY_PAYMENT, {"paymentRequestId": row["payment_request_id"]}
        )
        if reply.succeeded:
            status = reply.text("paymentStatus")
            if status == "SUCCESS":
                return await self._succeed(row, reply.body)
            if status == "FAIL":
                code = reply.text("paymentResultCode")
                return await self._finish(
                    row,
                    PurchaseState.FAILED,
                    failure=failure_code_for(code, row["wallet"]),
                    antom_code=code,
                )
            if status == "CANCELLED":
                return await self._finish(row, PurchaseState.CANCELLED, failure="PAYMENT_TIMEOUT")
            return False
        # ORDER_NOT_EXIST: the pay request never reached Antom, so the same
        # paymentRequestId is safe to send again while the payment has not expired.
        soon_enough = self._clock.now() + dt.timedelta(seconds=2) < row["pay_expires_at"]
        if reply.failed and reply.code == "ORDER_NOT_EXIST" and repay and soon_enough:
            return await self._repay(row)
        return False

    async def _repay(self, row: Row) -> bool:
        log.info("purchase %s: Antom has no record; sending pay again", row["id"])
        try:
            token = await self._bindings.usable_token(row["binding_ref"])
        except TokenUnavailableError:
            return await self._finish(row, PurchaseState.FAILED, failure="BINDING_REVOKED")
        await self._mark_attempt(row["id"])
        pay = await self._antom.call(Api.PAY, self._pay_body(row, token))
        return await self._apply_pay_reply(row, pay)

    async def _cancel_unknown(self, row: Row) -> None:
        """Still unknown at expiry: cancel, so the buyer is not charged for an unconfirmed sale."""
        delay = 2.0
        for _ in range(_CANCEL_ATTEMPTS):
            reply = await self._antom.call(
                Api.CANCEL, {"paymentRequestId": row["payment_request_id"]}
            )
            if reply.succeeded or (reply.failed and reply.code == "ORDER_NOT_EXIST"):
                await self._finish(row, PurchaseState.CANCELLED, failure="PAYMENT_TIMEOUT")
                return
            if reply.failed and await self._inquire(row, repay=False):
                return
            await self._clock.sleep(delay)
            delay = min(delay * 2, 30.0)
            if await self._inquire(row, repay=False):
                return
        log.error(
            "purchase %s: outcome still unknown after cancel attempts; recovery retries later",
            row["id"],
        )

    # ------------------------------------------------------------------ transitions
    async def _succeed(self, row: Row, body: Mapping[str, Any]) -> bool:
        amount = body.get("paymentAmount")
        if isinstance(amount, dict) and (
            amount.get("currency") != row["currency"]
            or str(amount.get("value")) != str(row["amount_minor"])
        ):
            log.error(
                "purchase %s: Antom reports another amount %s; not applied", row["id"], amount
            )
            return False
        now = self._clock.now()
        payment_id = body.get("paymentId")
        return await self._finish(
            row,
            PurchaseState.SUCCEEDED,
            payment_id=payment_id if isinstance(payment_id, str) else None,
            paid_at=parse_antom_time(body.get("paymentTime")) or now,
        )

    async def _finish(
        self,
        row: Row,
        state: PurchaseState,
        *,
        failure: str | None = None,
        antom_code: str | None = None,
        **values: Any,
    ) -> bool:
        """Move a PROCESSING purchase to a final state; True if it is final now (by us or not)."""
        now = self._clock.now()
        async with self._db.write() as tx:
            result = await tx.conn.execute(
                update(purchases)
                .where(purchases.c.id == row["id"], purchases.c.state == PurchaseState.PROCESSING)
                .values(
                    state=state,
                    failure_code=failure,
                    antom_result_code=antom_code,
                    completed_at=now,
                    updated_at=now,
                    **values,
                )
            )
            if result.rowcount:
                tx.wake(f"pur:{row['id']}")
        if result.rowcount:
            self._metrics.inc("tvclient_merchant_purchases_total", outcome=state.value)
            log.info("purchase %s %s%s", row["id"], state.value, f" ({failure})" if failure else "")
        return True

    async def _mark_attempt(self, purchase_id: str) -> None:
        async with self._db.write() as tx:
            await tx.conn.execute(
                update(purchases)
                .where(purchases.c.id == purchase_id)
                .values(pay_attempts=purchases.c.pay_attempts + 1, updated_at=self._clock.now())
            )

    async def _load(self, purchase_id: str) -> Row | None:
        async with self._db.read() as conn:
            return (
                (await conn.execute(select(purchases).where(purchases.c.id == purchase_id)))
                .mappings()
                .first()
            )

    # ------------------------------------------------------------------ notifications
    async def on_notification(self, body: Mapping[str, Any]) -> bool:
        """Apply a notifyPayment; False when the paymentRequestId is not ours."""
        request_id = body.get("paymentRequestId")
        if not isinstance(request_id, str):
            return False
        async with self._db.read() as conn:
            row = (
                (
                    await conn.execute(
                        select(purchases).where(purchases.c.payment_request_id == request_id)
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return False
        if body.get("notifyType") != "PAYMENT_RESULT":
            return True  # PAYMENT_PENDING: the final word comes later
        result = body.get("result")
        status = result.get("resultStatus") if isinstance(result, dict) else None
        code = result.get("resultCode") if isinstance(result, dict) else None
        if row["state"] != PurchaseState.PROCESSING:
            if (status == "S") != (row["state"] in {PurchaseState.SUCCEEDED}):
                log.info(
                    "purchase %s is %s; late notification (%s) changes nothing",
                    row["id"],
                    row["state"],
                    status,
                )
            return True
        if status == "S":
            await self._succeed(row, body)
        elif status == "F":
            code_text = code if isinstance(code, str) else None
            await self._finish(
                row,
                PurchaseState.FAILED,
                failure=failure_code_for(code_text, row["wallet"]),
                antom_code=code_text,
            )
        return True
