"""After-sale operations for operators: refund, inquiryRefund, notifyRefund, cancel, declare.

Like payments, each refund and declaration is recorded (with its request ID) before Antom is
called; an unknown outcome is resolved by inquiry or by the notification, never guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import RowMapping, func, insert, select, update

from tvclient.clock import Clock
from tvclient.merchant.antom_port import AntomPort, Api
from tvclient.merchant.errors import AfterSaleError
from tvclient.merchant.ids import new_id
from tvclient.merchant.metrics import Metrics
from tvclient.merchant.states import PurchaseState, RefundState
from tvclient.merchant.store import Database
from tvclient.merchant.store.schema import declarations, purchases, refunds
from tvclient.merchant.tasks import Tasks
from tvclient.money import Money, MoneyError, rules_for

__all__ = ["AfterSale"]

log = logging.getLogger(__name__)

Row = RowMapping

_REFUNDABLE = (PurchaseState.SUCCEEDED, PurchaseState.PARTIALLY_REFUNDED)
_REFUND_INQUIRIES = (2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0)


class AfterSale:
    """Refunds, cancellations and customs declarations of recorded purchases."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        antom: AntomPort,
        *,
        tasks: Tasks,
        metrics: Metrics,
        refund_notify_url: str,
    ) -> None:
        self._db = db
        self._clock = clock
        self._antom = antom
        self._tasks = tasks
        self._metrics = metrics
        self._notify_url = refund_notify_url

    # ------------------------------------------------------------------ refunds
    async def refund(
        self, purchase_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Row:
        """Refund all (default: what is left) or part of a paid purchase.

        Raises:
            AfterSaleError: not paid, past 365 days, above what is left, below the minimum.
        """
        now = self._clock.now()
        async with self._db.write() as tx:
            query = select(purchases).where(purchases.c.id == purchase_id)
            if self._db.is_postgres:
                query = query.with_for_update()
            purchase = (await tx.conn.execute(query)).mappings().first()
            if purchase is None:
                raise AfterSaleError(f"no purchase {purchase_id}", code="NOT_FOUND")
            if purchase["state"] not in _REFUNDABLE or not purchase["payment_id"]:
                raise AfterSaleError(
                    f"purchase {purchase_id} is {purchase['state']}; only paid purchases refund",
                    code="NOT_REFUNDABLE",
                )
            rules = rules_for(purchase["wallet"])
            paid_at = purchase["paid_at"] or purchase["completed_at"]
            if paid_at + rules.refund_period < now:
                raise AfterSaleError(
                    f"purchase {purchase_id} was paid more than "
                    f"{rules.refund_period.days} days ago; it can no longer be refunded",
                    code="REFUND_WINDOW_EXCEED",
                )
            reserved = int(
                (
                    await tx.conn.execute(
                        select(func.coalesce(func.sum(refunds.c.amount_minor), 0)).where(
                            refunds.c.purchase_id == purchase_id,
                            refunds.c.state != RefundState.FAILED,
                        )
                    )
                ).scalar_one()
            )
            left = int(purchase["amount_minor"]) - reserved
            value = Money(left, purchase["currency"]) if amount is None else amount
            _check_refund(value, left, purchase, rules.min_per_transaction)
            refund_id = new_id("rfd")
            await tx.conn.execute(
                insert(refunds).values(
                    id=refund_id,
                    purchase_id=purchase_id,
                    refund_request_id=new_id("rfr", 28),
                    currency=value.currency,
                    amount_minor=value.minor,
                    state=RefundState.PROCESSING,
                    reason=(reason or "")[:256] or None,
                    created_at=now,
                    updated_at=now,
                )
            )
        row = await self._refund(refund_id)
        reply = await self._antom.call(Api.REFUND, self._refund_body(row, purchase["payment_id"]))
        if reply.succeeded:
            await self._settle_refund(row, RefundState.SUCCEEDED, refund_id=reply.text("refundId"))
        elif reply.failed:
            await self._settle_refund(row, RefundState.FAILED, failure=reply.code)
        else:
            log.warning("refund %s outcome unknown (%s); inquiring", refund_id, reply.code)
            self._tasks.spawn(self._follow_refund(refund_id), name=f"refund-{refund_id}")
        return await self._refund(refund_id)

    def _refund_body(self, row: Row, payment_id: str) -> dict[str, Any]:
        """The refund request for a recorded refund (the same bytes of meaning every time)."""
        body: dict[str, Any] = {
            "refundRequestId": row["refund_request_id"],
            "paymentId": payment_id,
            "refundAmount": Money(int(row["amount_minor"]), row["currency"]).to_wire(),
            "referenceRefundId": row["id"],
            "refundNotifyUrl": self._notify_url,
        }
        if row["reason"]:
            body["refundReason"] = row["reason"]
        return body

    async def inquire_refund(self, refund_id: str) -> tuple[Row, str | None]:
        """Ask Antom about a refund (inquiryRefund); returns the row and Antom's refundStatus."""
        row = await self._refund(refund_id)
        reply = await self._antom.call(
            Api.INQUIRY_REFUND, {"refundRequestId": row["refund_request_id"]}
        )
        status = reply.text("refundStatus") if reply.succeeded else None
        if status == "SUCCESS":
            await self._settle_refund(row, RefundState.SUCCEEDED, refund_id=reply.text("refundId"))
        elif status == "FAIL":
            await self._settle_refund(row, RefundState.FAILED, failure="FAIL")
        elif (
            reply.failed
            and reply.code == "ORDER_NOT_EXIST"
            and row["state"] == RefundState.PROCESSING
        ):
            # "Not found" is not "never will be": a refund request held up on the way (we
            # stopped waiting, the network did not take it back) is processed when it
            # arrives. Marking it FAILED here lost refunds Antom then paid out (found by
            # bench/chaos.py; tests/reliability/test_refund_late_arrival.py). As with pay,
            # send the same refund again: Antom deduplicates on refundRequestId, so the late
            # original and this one refund once, and only Antom's answer to it is final.
            await self._resend_refund(row)
        return await self._refund(refund_id), status

    async def _resend_refund(self, row: Row) -> None:
        async with self._db.read() as conn:
            payment_id = (
                await conn.execute(
                    select(purchases.c.payment_id).where(purchases.c.id == row["purchase_id"])
                )
            ).scalar_one()
        log.info("refund %s: Antom has no record; sending it again", row["id"])
        reply = await self._antom.call(Api.REFUND, self._refund_body(row, payment_id))
        if reply.succeeded:
            await self._settle_refund(row, RefundState.SUCCEEDED, refund_id=reply.text("refundId"))
        elif reply.failed:
            await self._settle_refund(row, RefundState.FAILED, failure=reply.code)

    async def _follow_refund(self, refund_id: str) -> None:
        for delay in _REFUND_INQUIRIES:
            await self._clock.sleep(delay)
            row, _ = await self.inquire_refund(refund_id)
            if row["state"] != RefundState.PROCESSING:
                return

    async def on_refund_notification(self, body: Mapping[str, Any]) -> bool:
        """Apply a notifyRefund; False when the refundRequestId is not ours."""
        request_id = body.get("refundRequestId")
        if not isinstance(request_id, str):
            return False
        async with self._db.read() as conn:
            row = (
                (
                    await conn.execute(
                        select(refunds).where(refunds.c.refund_request_id == request_id)
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return False
        status = body.get("refundStatus")
        refund_id = body.get("refundId")
        if status == "SUCCESS":
            await self._settle_refund(
                row,
                RefundState.SUCCEEDED,
                refund_id=refund_id if isinstance(refund_id, str) else None,
            )
        elif status == "FAIL":
            await self._settle_refund(row, RefundState.FAILED, failure="FAIL")
        return True

    async def _settle_refund(
        self,
        row: Row,
        state: RefundState,
        *,
        refund_id: str | None = None,
        failure: str | None = None,
    ) -> None:
        now = self._clock.now()
        async with self._db.write() as tx:
            result = await tx.conn.execute(
                update(refunds)
                .where(refunds.c.id == row["id"], refunds.c.state == RefundState.PROCESSING)
                .values(
                    state=state,
                    refund_id=refund_id,
                    failure_code=failure,
                    completed_at=now,
                    updated_at=now,
                )
            )
            if not result.rowcount or state != RefundState.SUCCEEDED:
                changed = bool(result.rowcount)
            else:
                changed = True
                refunded = int(
                    (
                        await tx.conn.execute(
                            select(func.coalesce(func.sum(refunds.c.amount_minor), 0)).where(
                                refunds.c.purchase_id == row["purchase_id"],
                                refunds.c.state == RefundState.SUCCEEDED,
                            )
                        )
                    ).scalar_one()
                )
                purchase = (
                    await tx.conn.execute(
                        select(purchases.c.amount_minor).where(purchases.c.id == row["purchase_id"])
                    )
                ).one()
                await tx.conn.execute(
                    update(purchases)
                    .where(purchases.c.id == row["purchase_id"], purchases.c.state.in_(_REFUNDABLE))
                    .values(
                        refunded_minor=refunded,
                        state=PurchaseState.REFUNDED
                        if refunded >= purchase.amount_minor
                        else PurchaseState.PARTIALLY_REFUNDED,
                        updated_at=now,
                    )
                )
                tx.wake(f"pur:{row['purchase_id']}")
        if changed:
            self._metrics.inc("tvclient_merchant_refunds_total", outcome=state.value)
            log.info("refund %s %s%s", row["id"], state.value, f" ({failure})" if failure else "")

    async def _refund(self, refund_id: str) -> Row:
        async with self._db.read() as conn:
            row = (
                (await conn.execute(select(refunds).where(refunds.c.id == refund_id)))
                .mappings()
                .first()
            )
        if row is None:
            raise AfterSaleError(f"no refund {refund_id}", code="NOT_FOUND")
        return row

    async def refunds_of(self, purchase_id: str) -> list[Row]:
        """A purchase's refunds, oldest first."""
        async with self._db.read() as conn:
            return list(
                (
                    await conn.execute(
                        select(refunds)
                        .where(refunds.c.purchase_id == purchase_id)
                        .order_by(refunds.c.created_at)
                    )
                )
                .mappings()
                .all()
            )

    async def recover(self) -> None:
        """After a restart: follow refunds whose outcome is still unknown."""
        async with self._db.read() as conn:
            rows = (
                await conn.execute(
                    select(refunds.c.id).where(refunds.c.state == RefundState.PROCESSING)
                )
            ).all()
        for row in rows:
            self._tasks.spawn(self._follow_refund(row.id), name=f"refund-{row.id}")

    # ------------------------------------------------------------------ cancel
    async def cancel(self, purchase_id: str) -> Row:
        """Cancel a purchase at Antom (full only; a paid one is refunded to the buyer).

        Raises:
            AfterSaleError: not cancellable, or Antom refused (the message says why).
        """
        async with self._db.read() as conn:
            purchase = (
                (await conn.execute(select(purchases).where(purchases.c.id == purchase_id)))
                .mappings()
                .first()
            )
        if purchase is None:
            raise AfterSaleError(f"no purchase {purchase_id}", code="NOT_FOUND")
        if purchase["state"] not in (PurchaseState.SUCCEEDED, PurchaseState.PROCESSING):
            raise AfterSaleError(
                f"purchase {purchase_id} is {purchase['state']}; only a paid or in-flight "
                "purchase without refunds can be cancelled",
                code="NOT_CANCELLABLE",
            )
        reply = await self._antom.call(
            Api.CANCEL, {"paymentRequestId": purchase["payment_request_id"]}
        )
        if reply.unknown:
            raise AfterSaleError(
                f"Antom did not confirm the cancel ({reply.code}); run the command again",
                code="UNKNOWN",
            )
        if reply.failed:
            hint = (
                " (past the cancel window: refund instead)"
                if reply.code == "CANCEL_WINDOW_EXCEED"
                else ""
            )
            raise AfterSaleError(f"Antom refused the cancel: {reply.code}{hint}", code=reply.code)
        now = self._clock.now()
        async with self._db.write() as tx:
            await tx.conn.execute(
                update(purchases)
                .where(
                    purchases.c.id == purchase_id,
                    purchases.c.state.in_((PurchaseState.SUCCEEDED, PurchaseState.PROCESSING)),
                )
                .values(
                    state=PurchaseState.CANCELLED,
                    failure_code="MERCHANT_CANCELLED",
                    completed_at=now,
                    updated_at=now,
                )
            )
            tx.wake(f"pur:{purchase_id}")
        self._metrics.inc("tvclient_merchant_purchases_total", outcome="CANCELLED")
        async with self._db.read() as conn:
            return (
                (await conn.execute(select(purchases).where(purchases.c.id == purchase_id)))
                .mappings()
                .one()
            )

    # ------------------------------------------------------------------ customs
    async def declare(
        self,
        purchase_id: str,
        *,
        amount: Money,
        customs_code: str,
        region: str,
        merchant_customs_code: str,
        merchant_customs_name: str,
        split_order: bool = False,
        sub_order_id: str | None = None,
    ) -> Row:
        """Declare a paid purchase to customs (China customs only; Antom validates).

        Raises:
            AfterSaleError: the purchase is not paid, or Antom refused (with its code).
        """
        async with self._db.read() as conn:
            purchase = (
                (await conn.execute(select(purchases).where(purchases.c.id == purchase_id)))
                .mappings()
                .first()
            )
        if purchase is None or not purchase["payment_id"]:
            raise AfterSaleError(f"purchase {purchase_id} has no Antom payment to declare")
        now = self._clock.now()
        declaration_id = new_id("dcl")
        request_id = new_id("dr", 28)[:32]
        async with self._db.write() as tx:
            await tx.conn.execute(
                insert(declarations).values(
                    id=declaration_id,
                    purchase_id=purchase_id,
                    declaration_request_id=request_id,
                    customs_code=customs_code,
                    merchant_customs_code=merchant_customs_code,
                    merchant_customs_name=merchant_customs_name,
                    currency=amount.currency,
                    amount_minor=amount.minor,
                    state="PROCESSING",
                    created_at=now,
                    updated_at=now,
                )
            )
        body: dict[str, Any] = {
            "declarationRequestId": request_id,
            "paymentId": purchase["payment_id"],
            "declarationAmount": amount.to_wire(),
            "customs": {"customsCode": customs_code, "region": region},
            "merchantCustomsInfo": {
                "merchantCustomsCode": merchant_customs_code,
                "merchantCustomsName": merchant_customs_name,
            },
            "splitOrder": split_order,
        }
        if sub_order_id:
            body["subOrderId"] = sub_order_id
        reply = await self._antom.call(Api.DECLARE, body)
        state = "SUBMITTED" if reply.succeeded else "FAILED" if reply.failed else "PROCESSING"
        async with self._db.write() as tx:
            await tx.conn.execute(
                update(declarations)
                .where(declarations.c.id == declaration_id)
                .values(
                    state=state,
                    result_code=reply.code,
                    customs_payment_id=reply.text("customsPaymentId"),
                    updated_at=self._clock.now(),
                )
            )
        row = await self._declaration(declaration_id)
        if reply.failed:
            raise AfterSaleError(f"Antom refused the declaration: {reply.code}", code=reply.code)
        return row

    async def inquire_declarations(self, request_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Ask Antom about 1-10 declarations (inquiryDeclarationRequests); update states."""
        if not 1 <= len(request_ids) <= 10:
            raise AfterSaleError("give between 1 and 10 declaration request IDs")
        reply = await self._antom.call(
            Api.INQUIRY_DECLARATION_REQUESTS, {"declarationRequestIds": list(request_ids)}
        )
        if not reply.succeeded:
            raise AfterSaleError(f"Antom did not answer the inquiry: {reply.code}", code=reply.code)
        records = reply.body.get("declarationRecords")
        found: list[dict[str, Any]] = []
        for record in records if isinstance(records, list) else []:
            if not isinstance(record, dict):
                continue
            request_id = record.get("declarationRequestId")
            status = record.get("declarationRequestStatus")
            if isinstance(request_id, str) and isinstance(status, str):
                async with self._db.write() as tx:
                    await tx.conn.execute(
                        update(declarations)
                        .where(declarations.c.declaration_request_id == request_id)
                        .values(state=status[:24], updated_at=self._clock.now())
                    )
            found.append(dict(record))
        missing = reply.body.get("declarationRequestsNotFound")
        for request_id in missing if isinstance(missing, list) else []:
            found.append(
                {"declarationRequestId": request_id, "declarationRequestStatus": "NOT_FOUND"}
            )
        return found

    async def _declaration(self, declaration_id: str) -> Row:
        async with self._db.read() as conn:
            return (
                (
                    await conn.execute(
                        select(declarations).where(declarations.c.id == declaration_id)
                    )
                )
                .mappings()
                .one()
            )


def _check_refund(value: Money, left: int, purchase: Row, minimum: Money) -> None:
    if value.currency != purchase["currency"]:
        raise AfterSaleError(
            f"refund currency {value.currency} differs from the payment's {purchase['currency']}"
        )
    if value.minor <= 0 or left <= 0:
        raise AfterSaleError("nothing is left to refund", code="REFUND_AMOUNT_EXCEED")
    if value.minor > left:
        raise AfterSaleError(
            f"refund {value} is more than what is left to refund ({Money(left, value.currency)})",
            code="REFUND_AMOUNT_EXCEED",
        )
    if value < minimum:
        raise AfterSaleError(f"refund {value} is below the wallet's minimum {minimum}")


def parse_refund_amount(text: str, currency: str) -> Money:
    """An operator's amount in major units (`12.50`) as Money.

    Raises:
        AfterSaleError: the text is not an amount of that currency.
    """
    try:
        return Money.parse(text, currency)
    except MoneyError as exc:
        raise AfterSaleError(str(exc)) from None
