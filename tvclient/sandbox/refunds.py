"""Refunds: full or partial, never more than was paid, within the wallet's refund period.

States: PROCESSING (after an `unknown` fault) -> SUCCESS | FAIL; or SUCCESS / FAIL at once.
A refund is identified by (client, refundRequestId): a repeat with the same paymentId and
amount answers the stored result, any difference REPEAT_REQ_INCONSISTENT. As for pay,
failures that depend on state are stored (with a refundId) and notified; bad fields are not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tvclient.antom import codes
from tvclient.antom.codes import ResultCode
from tvclient.money import Money
from tvclient.sandbox.buyers import Buyers, rules_of
from tvclient.sandbox.errors import ApiError
from tvclient.sandbox.faults import Fault, FaultKind, SettleOutcome
from tvclient.sandbox.ids import new_refund_id
from tvclient.sandbox.notifications import NotifyKind, Outbox
from tvclient.sandbox.payments import Outcome, Payments
from tvclient.sandbox.store import Row, Store
from tvclient.sandbox.times import SECOND_MS, iso

__all__ = ["RefundOrder", "Refunds"]


@dataclass(frozen=True, slots=True)
class RefundOrder:
    """What a refund request asks for (already validated as a message)."""

    refund_request_id: str
    payment_id: str
    amount: Money
    reference_refund_id: str | None
    reason: str | None
    notify_url: str | None


def _amount(row: Row) -> dict[str, str]:
    return {"currency": row["currency"], "value": str(row["amount"])}


class Refunds:
    """The refund side of the sandbox."""

    def __init__(
        self,
        store: Store,
        buyers: Buyers,
        payments: Payments,
        outbox: Outbox,
        wake: Callable[[], None],
    ) -> None:
        self._store = store
        self._buyers = buyers
        self._payments = payments
        self._outbox = outbox
        self._wake = wake

    def _reload(self, refund_id: str) -> Row:
        row = self._store.one("SELECT * FROM refunds WHERE refund_id = ?", (refund_id,))
        assert row is not None  # noqa: S101 - IDs come from the database
        return row

    def refund(
        self, client_id: str, order: RefundOrder, fault: Fault | None, now_ms: int
    ) -> Outcome:
        """Refund part or all of a paid payment; idempotent on (client, refundRequestId).

        Raises:
            ApiError: REPEAT_REQ_INCONSISTENT (nothing stored).
        """
        existing = self._store.one(
            "SELECT * FROM refunds WHERE client_id = ? AND refund_request_id = ?",
            (client_id, order.refund_request_id),
        )
        if existing is not None:
            if (
                existing["payment_id"] != order.payment_id
                or existing["amount"] != order.amount.minor
                or existing["currency"] != order.amount.currency
            ):
                raise ApiError(
                    codes.REPEAT_REQ_INCONSISTENT,
                    "refundRequestId was used before with another payment or amount",
                )
            return self._outcome(self.settle_one(existing, now_ms))
        payment = self._payments.find(client_id, order.payment_id, None)
        if payment is not None:
            payment = self._payments.settle_one(payment, now_ms)
        failure = self._check(payment, order, now_ms)
        refund_id = new_refund_id(now_ms)
        with self._store.transaction():
            status, code, message = "SUCCESS", codes.SUCCESS, codes.SUCCESS.meaning
            refund_time: int | None = now_ms
            settle_at: int | None = None
            settle_outcome: str | None = None
            if failure is not None:
                status, (code, message) = "FAIL", failure
            elif fault is not None and fault.kind is FaultKind.UNKNOWN:
                status, refund_time = "PROCESSING", None
                code, message = codes.PAYMENT_IN_PROCESS, "the refund is being processed"
                settle_at = now_ms + round(fault.seconds * SECOND_MS)
                settle_outcome = fault.outcome.value
            elif payment is not None:
                self._apply(payment, order.amount.minor)
            self._store.execute(
                "INSERT INTO refunds (refund_id, client_id, refund_request_id, payment_id, "
                "currency, amount, reference_refund_id, reason, notify_url, status, result_code, "
                "result_message, created_at, refund_time, settle_at, settle_outcome) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    refund_id, client_id, order.refund_request_id, order.payment_id,
                    order.amount.currency, order.amount.minor, order.reference_refund_id,
                    order.reason, order.notify_url, status, code.code, message, now_ms,
                    refund_time, settle_at, settle_outcome,
                ),
            )
            row = self._reload(refund_id)
            if status != "PROCESSING":
                self._notify(row, now_ms)
        if settle_at is not None:
            self._wake()
        return self._outcome(row)

    def _check(  # noqa: PLR0911 - one return per rule keeps the rules readable
        self, payment: Row | None, order: RefundOrder, now_ms: int
    ) -> tuple[ResultCode, str] | None:
        if payment is None:
            return codes.ORDER_NOT_EXIST, codes.ORDER_NOT_EXIST.meaning
        if payment["status"] != "SUCCESS":
            return codes.ORDER_STATUS_INVALID, (
                f"only a paid payment can be refunded (this one is {payment['status']})"
            )
        if order.amount.currency != payment["currency"]:
            return codes.PARAM_ILLEGAL, (
                f"refundAmount.currency must be the payment's currency {payment['currency']}"
            )
        rules = rules_of(payment["method_type"])
        period_ms = int(rules.refund_period.total_seconds() * 1000)
        if now_ms >= payment["paid_at"] + period_ms:
            return codes.REFUND_WINDOW_EXCEED, (
                f"{rules.display_name} payments can be refunded for "
                f"{rules.refund_period.days} days"
            )
        if order.amount < rules.min_per_transaction:
            return codes.PARAM_ILLEGAL, (
                f"refundAmount is below the {rules.display_name} minimum of "
                f"{rules.min_per_transaction}"
            )
        taken = int(
            self._store.scalar(
                "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE payment_id = ? "
                "AND status IN ('SUCCESS', 'PROCESSING')",
                (payment["payment_id"],),
            )
        )
        if taken + order.amount.minor > payment["amount"]:
            left = Money(payment["amount"] - taken, payment["currency"])
            return codes.REFUND_AMOUNT_EXCEED, f"at most {left} of this payment can be refunded"
        return None

    def _apply(self, payment: Row, minor: int) -> None:
        if payment["buyer_id"] is not None:
            self._buyers.credit(payment["buyer_id"], minor)
        self._store.execute(
            "UPDATE payments SET refunded = refunded + ? WHERE payment_id = ?",
            (minor, payment["payment_id"]),
        )

    def _outcome(self, row: Row) -> Outcome:
        fields: dict[str, Any] = {
            "refundRequestId": row["refund_request_id"],
            "refundId": row["refund_id"],
            "paymentId": row["payment_id"],
            "refundAmount": _amount(row),
        }
        if row["refund_time"] is not None:
            fields["refundTime"] = iso(row["refund_time"])
        if row["status"] == "SUCCESS":
            return Outcome(codes.SUCCESS, codes.SUCCESS.meaning, fields)
        if row["status"] == "PROCESSING":
            return Outcome(codes.PAYMENT_IN_PROCESS, row["result_message"], fields)
        code = codes.lookup(row["result_code"]) or codes.PROCESS_FAIL
        return Outcome(code, row["result_message"], fields)

    def settle_one(self, row: Row, now_ms: int) -> Row:
        """Settle a PROCESSING refund whose time has come; returns the current row."""
        if row["status"] != "PROCESSING" or row["settle_at"] is None or row["settle_at"] > now_ms:
            return row
        at = int(row["settle_at"])
        with self._store.transaction():
            payment = self._store.one(
                "SELECT * FROM payments WHERE payment_id = ?", (row["payment_id"],)
            )
            if row["settle_outcome"] == SettleOutcome.SUCCESS.value and payment is not None:
                self._apply(payment, row["amount"])
                self._store.execute(
                    "UPDATE refunds SET status = 'SUCCESS', result_code = 'SUCCESS', "
                    "result_message = ?, refund_time = ?, settle_at = NULL WHERE refund_id = ?",
                    (codes.SUCCESS.meaning, at, row["refund_id"]),
                )
            else:
                self._store.execute(
                    "UPDATE refunds SET status = 'FAIL', result_code = ?, result_message = ?, "
                    "refund_time = ?, settle_at = NULL WHERE refund_id = ?",
                    (codes.PROCESS_FAIL.code, "the wallet could not complete the refund", at,
                     row["refund_id"]),
                )
            row = self._reload(row["refund_id"])
            self._notify(row, at)
        return row

    def settle_due(self, now_ms: int) -> None:
        """Settle every PROCESSING refund whose time has come."""
        for row in self._store.all(
            "SELECT * FROM refunds WHERE settle_at IS NOT NULL AND settle_at <= ? "
            "AND status = 'PROCESSING'",
            (now_ms,),
        ):
            self.settle_one(row, now_ms)

    def next_settle_at(self) -> int | None:
        """When the next PROCESSING refund settles."""
        value = self._store.scalar(
            "SELECT MIN(settle_at) FROM refunds WHERE settle_at IS NOT NULL "
            "AND status = 'PROCESSING'"
        )
        return None if value is None else int(value)

    def _notify(self, row: Row, now_ms: int) -> None:
        code = codes.lookup(row["result_code"]) or codes.PROCESS_FAIL
        body: dict[str, Any] = {
            "notifyType": "REFUND_RESULT",
            "result": code.result(row["result_message"]).to_json(),
            "refundStatus": "SUCCESS" if row["status"] == "SUCCESS" else "FAIL",
            "refundRequestId": row["refund_request_id"],
            "refundId": row["refund_id"],
            "refundAmount": _amount(row),
        }
        if row["status"] == "SUCCESS":
            body["refundTime"] = iso(row["refund_time"])
        client = self._store.one(
            "SELECT refund_notify_url FROM clients WHERE client_id = ?", (row["client_id"],)
        )
        self._outbox.enqueue(
            client_id=row["client_id"],
            kind=NotifyKind.REFUND,
            subject=row["refund_request_id"],
            url=row["notify_url"] or (client["refund_notify_url"] if client else None),
            body=body,
            now_ms=now_ms,
        )

    def inquire(
        self, client_id: str, refund_id: str | None, request_id: str | None, now_ms: int
    ) -> dict[str, Any]:
        """InquiryRefund's fields besides `result`.

        Raises:
            ApiError: ORDER_NOT_EXIST when the client has no such refund.
        """
        if refund_id is not None:
            row = self._store.one(
                "SELECT * FROM refunds WHERE refund_id = ? AND client_id = ?",
                (refund_id, client_id),
            )
        else:
            row = self._store.one(
                "SELECT * FROM refunds WHERE refund_request_id = ? AND client_id = ?",
                (request_id, client_id),
            )
        if row is None:
            raise ApiError(codes.ORDER_NOT_EXIST, "no such refund")
        row = self.settle_one(row, now_ms)
        fields: dict[str, Any] = {
            "refundId": row["refund_id"],
            "refundRequestId": row["refund_request_id"],
            "refundAmount": _amount(row),
            "refundStatus": row["status"],
        }
        if row["status"] == "SUCCESS":
            fields["refundTime"] = iso(row["refund_time"])
        return fields

    def list(self, limit: int = 200) -> list[Row]:
        """The latest refunds, newest first."""
        return self._store.all(
            "SELECT * FROM refunds ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
        )
