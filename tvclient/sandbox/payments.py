"""Payments: pay (AGREEMENT_PAYMENT), inquiryPayment, cancel, and settling pending outcomes.

States::

    PROCESSING -> SUCCESS | FAIL | CANCELLED     (only after an `unknown` fault)
    SUCCESS    -> CANCELLED                      (cancel before 00:15 GMT+8 on T+1 refunds it)
    FAIL                                         (final)

A payment is identified by (client, paymentRequestId). A repeat with the same key fields
(amount, currency, paymentMethodId, paymentMethodType) answers the stored result; any
difference answers REPEAT_REQ_INCONSISTENT. Failures found before a payment exists (bad
fields) are not stored; failures that depend on state (token, limits, balance) are, and get a
paymentId and a notification like any final result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tvclient.antom import codes
from tvclient.antom.codes import ResultCode
from tvclient.money import Money
from tvclient.sandbox.authorization import Authorizations
from tvclient.sandbox.buyers import Buyers, rules_of
from tvclient.sandbox.errors import ApiError
from tvclient.sandbox.faults import Fault, FaultKind, SettleOutcome
from tvclient.sandbox.ids import new_payment_id
from tvclient.sandbox.notifications import NotifyKind, Outbox
from tvclient.sandbox.store import Row, Store
from tvclient.sandbox.times import ANTOM_ZONE, SECOND_MS, from_ms, iso, iso_or_none, to_ms

__all__ = [
    "EXPIRY_MS",
    "Outcome",
    "PayOrder",
    "Payments",
    "cancel_deadline_ms",
]

EXPIRY_MS = 60 * SECOND_MS
# A merchant's clock may run a little ahead of the sandbox's; a paymentExpiryTime up to this
# much past the one-minute limit is taken as the limit rather than refused.
_EXPIRY_SKEW_MS = 5 * SECOND_MS


@dataclass(frozen=True, slots=True)
class PayOrder:
    """What a pay request asks for (already validated as a message)."""

    payment_request_id: str
    amount: Money
    method_type: str
    access_token: str
    reference_order_id: str | None
    order_description: str | None
    notify_url: str | None
    expiry: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A result plus the response fields that go with it."""

    code: ResultCode
    message: str
    fields: dict[str, Any]


def cancel_deadline_ms(created_ms: int) -> int:
    """00:15 GMT+8 on the day after the payment was created (GMT+8)."""
    day = from_ms(created_ms).astimezone(ANTOM_ZONE).date() + dt.timedelta(days=1)
    return to_ms(dt.datetime(day.year, day.month, day.day, 0, 15, tzinfo=ANTOM_ZONE))


def _amount(row: Row, column: str = "amount") -> dict[str, str]:
    return {"currency": row["currency"], "value": str(row[column])}


class Payments:
    """The payment side of the sandbox."""

    def __init__(
        self,
        store: Store,
        buyers: Buyers,
        auths: Authorizations,
        outbox: Outbox,
        wake: Callable[[], None],
    ) -> None:
        self._store = store
        self._buyers = buyers
        self._auths = auths
        self._outbox = outbox
        self._wake = wake

    # ------------------------------------------------------------------ lookups
    def find(self, client_id: str, payment_id: str | None, request_id: str | None) -> Row | None:
        """A client's payment by paymentId (wins) or paymentRequestId."""
        if payment_id is not None:
            return self._store.one(
                "SELECT * FROM payments WHERE payment_id = ? AND client_id = ?",
                (payment_id, client_id),
            )
        return self._store.one(
            "SELECT * FROM payments WHERE payment_request_id = ? AND client_id = ?",
            (request_id, client_id),
        )

    def _reload(self, payment_id: str) -> Row:
        row = self._store.one("SELECT * FROM payments WHERE payment_id = ?", (payment_id,))
        assert row is not None  # noqa: S101 - IDs come from the database
        return row

    # ------------------------------------------------------------------ pay
    def pay(self, client_id: str, order: PayOrder, fault: Fault | None, now_ms: int) -> Outcome:
        """Pay with an access token; idempotent on (client, paymentRequestId).

        Raises:
            ApiError: PARAM_ILLEGAL for a bad paymentExpiryTime (nothing stored).
        """
        existing = self.find(client_id, None, order.payment_request_id)
        if existing is not None:
            return self._repeat(existing, order, now_ms)
        expires = now_ms + EXPIRY_MS
        if order.expiry is not None:
            asked = to_ms(order.expiry)
            if asked <= now_ms:
                raise ApiError(codes.PARAM_ILLEGAL, "paymentExpiryTime is already past")
            if asked > now_ms + EXPIRY_MS + _EXPIRY_SKEW_MS:
                raise ApiError(
                    codes.PARAM_ILLEGAL,
                    "paymentExpiryTime may be at most one minute after the request",
                )
            expires = min(asked, expires)
        payment_id = new_payment_id(now_ms)
        failure, binding = self._check(client_id, order, now_ms)
        with self._store.transaction():
            status, code, message = "SUCCESS", codes.SUCCESS, codes.SUCCESS.meaning
            paid_at: int | None = now_ms
            settle_at: int | None = None
            settle_outcome: str | None = None
            if failure is not None:
                status, (code, message), paid_at = "FAIL", failure, None
            elif binding is not None and not self._buyers.debit(
                binding["buyer_id"], order.amount.minor
            ):
                status, paid_at = "FAIL", None
                code, message = codes.USER_BALANCE_NOT_ENOUGH, codes.USER_BALANCE_NOT_ENOUGH.meaning
            if status == "SUCCESS" and binding is not None and fault is not None and (
                fault.kind is FaultKind.UNKNOWN
            ):
                # The money is held while the outcome is unknown, as a wallet would.
                status, paid_at = "PROCESSING", None
                code, message = codes.PAYMENT_IN_PROCESS, codes.PAYMENT_IN_PROCESS.meaning
                due = now_ms + round(fault.seconds * SECOND_MS)
                if due < expires:
                    settle_at, settle_outcome = due, fault.outcome.value
                else:
                    settle_at, settle_outcome = expires, "expire"
            if status != "FAIL" and binding is not None:
                self._buyers.count_spend(
                    binding["buyer_id"], binding["wallet"], now_ms, order.amount.minor
                )
            self._store.execute(
                "INSERT INTO payments (payment_id, client_id, payment_request_id, access_token, "
                "method_type, binding_id, buyer_id, currency, amount, reference_order_id, "
                "order_description, notify_url, status, result_code, result_message, created_at, "
                "expires_at, paid_at, settle_at, settle_outcome) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    payment_id, client_id, order.payment_request_id, order.access_token,
                    order.method_type,
                    binding["binding_id"] if binding is not None else None,
                    binding["buyer_id"] if binding is not None else None,
                    order.amount.currency, order.amount.minor, order.reference_order_id,
                    order.order_description, order.notify_url, status, code.code, message,
                    now_ms, expires, paid_at, settle_at, settle_outcome,
                ),
            )
            row = self._reload(payment_id)
            if status != "PROCESSING":
                self._notify(row, now_ms)
        if settle_at is not None:
            self._wake()
        return self._pay_outcome(row)

    def _check(  # noqa: PLR0911 - one return per rule keeps the rules readable
        self, client_id: str, order: PayOrder, now_ms: int
    ) -> tuple[tuple[ResultCode, str] | None, Row | None]:
        """The stored failure this payment meets before the balance, and the binding."""
        try:
            binding = self._auths.binding_for_token(client_id, order.access_token, now_ms)
        except ApiError as exc:
            return (exc.code, exc.message), None
        rules = rules_of(binding["wallet"])
        if order.method_type != binding["wallet"]:
            return (
                codes.PARAM_ILLEGAL,
                f"paymentMethod.paymentMethodType: the access token is for {binding['wallet']}",
            ), binding
        if order.amount.currency != rules.currency:
            return (
                codes.CURRENCY_NOT_SUPPORT,
                f"{rules.display_name} pays in {rules.currency}, not {order.amount.currency}",
            ), binding
        if order.amount < rules.min_per_transaction:
            return (
                codes.PAYMENT_AMOUNT_EXCEED_LIMIT,
                f"the amount is below the {rules.display_name} minimum of "
                f"{rules.min_per_transaction}",
            ), binding
        if order.amount > rules.max_per_transaction:
            return (
                codes.PAYMENT_AMOUNT_EXCEED_LIMIT,
                f"the amount is above the {rules.display_name} per-payment limit of "
                f"{rules.max_per_transaction}",
            ), binding
        cap = self._buyers.check_caps(binding["buyer_id"], rules, order.amount, now_ms)
        if cap is not None:
            return cap, binding
        return None, binding

    def _repeat(self, row: Row, order: PayOrder, now_ms: int) -> Outcome:
        if (
            row["amount"] != order.amount.minor
            or row["currency"] != order.amount.currency
            or row["access_token"] != order.access_token
            or row["method_type"] != order.method_type
        ):
            raise ApiError(
                codes.REPEAT_REQ_INCONSISTENT,
                "paymentRequestId was used before with another amount or payment method",
            )
        row = self.settle_one(row, now_ms)
        return self._pay_outcome(row)

    def _pay_outcome(self, row: Row) -> Outcome:
        fields: dict[str, Any] = {
            "paymentRequestId": row["payment_request_id"],
            "paymentId": row["payment_id"],
            "paymentAmount": _amount(row),
            "paymentCreateTime": iso(row["created_at"]),
        }
        status = row["status"]
        if status == "SUCCESS":
            fields["paymentTime"] = iso(row["paid_at"])
            fields["actualPaymentAmount"] = _amount(row)
            return Outcome(codes.SUCCESS, codes.SUCCESS.meaning, fields)
        if status == "PROCESSING":
            return Outcome(codes.PAYMENT_IN_PROCESS, codes.PAYMENT_IN_PROCESS.meaning, fields)
        if status == "CANCELLED":
            return Outcome(codes.ORDER_IS_CLOSED, "the payment was cancelled", fields)
        code = codes.lookup(row["result_code"]) or codes.PROCESS_FAIL
        return Outcome(code, row["result_message"], fields)

    # ------------------------------------------------------------------ settling
    def settle_one(self, row: Row, now_ms: int) -> Row:
        """Settle a PROCESSING payment whose time has come; returns the current row."""
        if row["status"] != "PROCESSING" or row["settle_at"] is None or row["settle_at"] > now_ms:
            return row
        at = int(row["settle_at"])
        outcome = row["settle_outcome"]
        with self._store.transaction():
            if outcome == SettleOutcome.SUCCESS.value:
                self._store.execute(
                    "UPDATE payments SET status = 'SUCCESS', result_code = 'SUCCESS', "
                    "result_message = ?, paid_at = ?, settle_at = NULL WHERE payment_id = ?",
                    (codes.SUCCESS.meaning, at, row["payment_id"]),
                )
            else:
                code = codes.ORDER_IS_CLOSED if outcome == "expire" else codes.PROCESS_FAIL
                message = (
                    "the payment expired before it completed" if outcome == "expire"
                    else "the wallet could not complete the payment"
                )
                self._store.execute(
                    "UPDATE payments SET status = 'FAIL', result_code = ?, result_message = ?, "
                    "settle_at = NULL WHERE payment_id = ?",
                    (code.code, message, row["payment_id"]),
                )
                if row["buyer_id"] is not None:
                    self._buyers.credit(row["buyer_id"], row["amount"])
                    self._buyers.count_spend(
                        row["buyer_id"], row["method_type"], row["created_at"], -row["amount"]
                    )
            row = self._reload(row["payment_id"])
            self._notify(row, at)
        return row

    def settle_due(self, now_ms: int) -> None:
        """Settle every PROCESSING payment whose time has come."""
        for row in self._store.all(
            "SELECT * FROM payments WHERE settle_at IS NOT NULL AND settle_at <= ? "
            "AND status = 'PROCESSING'",
            (now_ms,),
        ):
            self.settle_one(row, now_ms)

    def next_settle_at(self) -> int | None:
        """When the next PROCESSING payment settles."""
        value = self._store.scalar(
            "SELECT MIN(settle_at) FROM payments WHERE settle_at IS NOT NULL "
            "AND status = 'PROCESSING'"
        )
        return None if value is None else int(value)

    def _notify(self, row: Row, now_ms: int) -> None:
        url = row["notify_url"] or self._store.scalar(
            "SELECT payment_notify_url FROM clients WHERE client_id = ?", (row["client_id"],)
        )
        if not url:
            return
        code = codes.lookup(row["result_code"]) or codes.PROCESS_FAIL
        body: dict[str, Any] = {
            "notifyType": "PAYMENT_RESULT",
            "result": code.result(row["result_message"]).to_json(),
            "paymentRequestId": row["payment_request_id"],
            "paymentId": row["payment_id"],
            "paymentAmount": _amount(row),
            "paymentCreateTime": iso(row["created_at"]),
            "paymentMethodType": row["method_type"],
        }
        if row["status"] == "SUCCESS":
            body["paymentTime"] = iso(row["paid_at"])
        self._outbox.enqueue(
            client_id=row["client_id"],
            kind=NotifyKind.PAYMENT,
            subject=row["payment_request_id"],
            url=url,
            body=body,
            now_ms=now_ms,
        )

    # ------------------------------------------------------------------ inquiry
    def inquire(
        self, client_id: str, payment_id: str | None, request_id: str | None, now_ms: int
    ) -> dict[str, Any]:
        """InquiryPayment's fields besides `result`.

        Raises:
            ApiError: ORDER_NOT_EXIST.
        """
        row = self.find(client_id, payment_id, request_id)
        if row is None:
            raise ApiError(codes.ORDER_NOT_EXIST)
        row = self.settle_one(row, now_ms)
        fields: dict[str, Any] = {
            "paymentStatus": row["status"],
            "paymentResultCode": row["result_code"],
            "paymentResultMessage": row["result_message"],
            "paymentRequestId": row["payment_request_id"],
            "paymentId": row["payment_id"],
            "paymentAmount": _amount(row),
            "paymentCreateTime": iso(row["created_at"]),
            "paymentMethodType": row["method_type"],
        }
        if row["status"] == "SUCCESS":
            fields["paymentTime"] = iso(row["paid_at"])
            fields["actualPaymentAmount"] = _amount(row)
        transactions = [
            {
                "transactionType": "REFUND",
                "transactionResult": (codes.lookup(refund["result_code"]) or codes.PROCESS_FAIL)
                .result(refund["result_message"]).to_json(),
                "transactionId": refund["refund_id"],
                "transactionStatus": refund["status"],
                "transactionAmount": _amount(refund),
                "transactionRequestId": refund["refund_request_id"],
                **(
                    {"transactionTime": iso(refund["refund_time"])}
                    if refund["refund_time"] is not None else {}
                ),
            }
            for refund in self._store.all(
                "SELECT * FROM refunds WHERE payment_id = ? AND client_id = ? ORDER BY created_at",
                (row["payment_id"], client_id),
            )
        ]
        if row["cancelled_at"] is not None:
            transactions.append(
                {
                    "transactionType": "CANCEL",
                    "transactionResult": codes.SUCCESS.result().to_json(),
                    "transactionId": row["payment_id"],
                    "transactionStatus": "SUCCESS",
                    "transactionAmount": _amount(row),
                    "transactionRequestId": row["payment_request_id"],
                    "transactionTime": iso(row["cancelled_at"]),
                }
            )
        if transactions:
            fields["transactions"] = transactions
        return fields

    # ------------------------------------------------------------------ cancel
    def cancel(
        self, client_id: str, payment_id: str | None, request_id: str | None, now_ms: int
    ) -> dict[str, Any]:
        """Cancel a payment until 00:15 GMT+8 on T+1; a paid one is refunded in full.

        Raises:
            ApiError: ORDER_NOT_EXIST, CANCEL_WINDOW_EXCEED, or ORDER_STATUS_INVALID (failed,
                or refunds already made).
        """
        row = self.find(client_id, payment_id, request_id)
        if row is None:
            raise ApiError(codes.ORDER_NOT_EXIST)
        row = self.settle_one(row, now_ms)
        if row["status"] == "CANCELLED":
            return self._cancel_fields(row)
        if now_ms >= cancel_deadline_ms(row["created_at"]):
            raise ApiError(
                codes.CANCEL_WINDOW_EXCEED,
                "payments can be cancelled until 00:15 GMT+8 the next day; refund instead",
            )
        if row["status"] == "FAIL":
            raise ApiError(codes.ORDER_STATUS_INVALID, "a failed payment cannot be cancelled")
        if self._store.scalar(
            "SELECT COUNT(*) FROM refunds WHERE payment_id = ? AND status != 'FAIL'",
            (row["payment_id"],),
        ):
            raise ApiError(
                codes.ORDER_STATUS_INVALID, "the payment has refunds; refund the rest instead"
            )
        with self._store.transaction():
            returned = row["amount"] if row["status"] == "SUCCESS" else 0
            if row["buyer_id"] is not None:
                # A PROCESSING payment held the money; a paid one took it. Either goes back.
                self._buyers.credit(row["buyer_id"], row["amount"])
                if row["status"] == "PROCESSING":
                    self._buyers.count_spend(
                        row["buyer_id"], row["method_type"], row["created_at"], -row["amount"]
                    )
            self._store.execute(
                "UPDATE payments SET status = 'CANCELLED', cancelled_at = ?, cancel_returned = ?, "
                "settle_at = NULL WHERE payment_id = ?",
                (now_ms, returned, row["payment_id"]),
            )
        return self._cancel_fields(self._reload(row["payment_id"]))

    def _cancel_fields(self, row: Row) -> dict[str, Any]:
        return {
            "paymentId": row["payment_id"],
            "paymentRequestId": row["payment_request_id"],
            "cancelTime": iso_or_none(row["cancelled_at"]),
        }

    # ------------------------------------------------------------------ operator views
    def list(self, limit: int = 200) -> list[Row]:
        """The latest payments, newest first."""
        return self._store.all(
            "SELECT * FROM payments ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
        )
