"""Customs declarations (China customs): declare and inquiryDeclarationRequests.

The sandbox has no FX, so a declaration is in the payment's own currency; the declared total
of a payment never exceeds what was paid. A declaration is PROCESSING for its first minute
and SUCCESS afterwards (the status values are UNCONFIRMED; see docs/sandbox.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tvclient.antom import codes
from tvclient.money import Money
from tvclient.sandbox.errors import ApiError
from tvclient.sandbox.ids import new_customs_id
from tvclient.sandbox.payments import Payments
from tvclient.sandbox.store import Row, Store
from tvclient.sandbox.times import MINUTE_MS, iso

__all__ = ["CUSTOMS_OFFICES", "Customs", "Declaration"]

# Customs codes of the reference's table and Antom's registration ID with each.
CUSTOMS_OFFICES: dict[str, str] = {
    "ZONGSHU": "31222699S7",
    "ZHENGZHOU": "31222699S7",
    "NINGBO": "31222699S7",
    "SHANGHAI_CBT": "31222699S7",
    "HENAN": "31222699S7",
}
_RETURN_AFTER_MS = MINUTE_MS


@dataclass(frozen=True, slots=True)
class Declaration:
    """What a declare request asks for (already validated as a message)."""

    declaration_request_id: str
    payment_id: str
    amount: Money
    customs_code: str
    region: str
    merchant_customs_code: str
    merchant_customs_name: str
    split_order: bool
    sub_order_id: str | None
    certificate: dict[str, Any] | None


class Customs:
    """The customs side of the sandbox."""

    def __init__(self, store: Store, payments: Payments) -> None:
        self._store = store
        self._payments = payments

    def declare(self, client_id: str, ask: Declaration, now_ms: int) -> dict[str, Any]:
        """Record a declaration; fields besides `result`.

        Raises:
            ApiError: REPEAT_REQ_INCONSISTENT, ORDER_NOT_EXIST, ORDER_STATUS_INVALID or
                PARAM_ILLEGAL (customs office, region, currency, declared total).
        """
        existing = self._store.one(
            "SELECT * FROM declarations WHERE client_id = ? AND declaration_request_id = ?",
            (client_id, ask.declaration_request_id),
        )
        if existing is not None:
            if (
                existing["payment_id"] != ask.payment_id
                or existing["amount"] != ask.amount.minor
                or existing["currency"] != ask.amount.currency
                or existing["customs_code"] != ask.customs_code
                or bool(existing["split_order"]) != ask.split_order
                or existing["sub_order_id"] != ask.sub_order_id
            ):
                raise ApiError(
                    codes.REPEAT_REQ_INCONSISTENT,
                    "declarationRequestId was used before with other key fields",
                )
            return self._response(existing)
        payment = self._payments.find(client_id, ask.payment_id, None)
        if payment is None:
            raise ApiError(codes.ORDER_NOT_EXIST)
        if payment["status"] != "SUCCESS":
            raise ApiError(codes.ORDER_STATUS_INVALID, "only a paid payment can be declared")
        if ask.customs_code not in CUSTOMS_OFFICES:
            known = ", ".join(sorted(CUSTOMS_OFFICES))
            raise ApiError(codes.PARAM_ILLEGAL, f"customs.customsCode must be one of {known}")
        if ask.region != "CN":
            raise ApiError(codes.PARAM_ILLEGAL, "customs.region must be CN")
        if ask.amount.currency != payment["currency"]:
            raise ApiError(
                codes.PARAM_ILLEGAL,
                f"declarationAmount.currency must be the payment's currency {payment['currency']}",
            )
        declared = int(
            self._store.scalar(
                "SELECT COALESCE(SUM(amount), 0) FROM declarations WHERE payment_id = ?",
                (ask.payment_id,),
            )
        )
        if declared + ask.amount.minor > payment["amount"]:
            raise ApiError(
                codes.PARAM_ILLEGAL,
                "declarationAmount: the declared total would exceed the paid amount",
            )
        with self._store.transaction():
            self._store.execute(
                "INSERT INTO declarations (client_id, declaration_request_id, payment_id, "
                "currency, amount, customs_code, region, merchant_customs_code, "
                "merchant_customs_name, split_order, sub_order_id, certificate, "
                "customs_payment_id, customs_order_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    client_id, ask.declaration_request_id, ask.payment_id, ask.amount.currency,
                    ask.amount.minor, ask.customs_code, ask.region, ask.merchant_customs_code,
                    ask.merchant_customs_name, int(ask.split_order), ask.sub_order_id,
                    json.dumps(ask.certificate) if ask.certificate else None,
                    new_customs_id(now_ms, "5501"), new_customs_id(now_ms, "5502"), now_ms,
                ),
            )
        row = self._store.one(
            "SELECT * FROM declarations WHERE client_id = ? AND declaration_request_id = ?",
            (client_id, ask.declaration_request_id),
        )
        assert row is not None  # noqa: S101 - inserted just above
        return self._response(row)

    def _response(self, row: Row) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "customsPaymentId": row["customs_payment_id"],
            "customsOrderId": row["customs_order_id"],
            "clearingChannel": "OTHER",
            "clearingTransactionId": row["customs_payment_id"],
            "customsProviderRegistrationId": CUSTOMS_OFFICES.get(row["customs_code"], ""),
        }
        if row["certificate"]:
            fields["identityCheckResult"] = "CHECK_PASSED"
        return fields

    def inquire(self, client_id: str, request_ids: tuple[str, ...], now_ms: int) -> dict[str, Any]:
        """InquiryDeclarationRequests' fields besides `result`."""
        records: list[dict[str, Any]] = []
        missing: list[str] = []
        for request_id in dict.fromkeys(request_ids):
            row = self._store.one(
                "SELECT * FROM declarations WHERE client_id = ? AND declaration_request_id = ?",
                (client_id, request_id),
            )
            if row is None:
                missing.append(request_id)
                continue
            returned = now_ms >= row["created_at"] + _RETURN_AFTER_MS
            record: dict[str, Any] = {
                "declarationRequestId": row["declaration_request_id"],
                "customsPaymentId": row["customs_payment_id"],
                "customsOrderId": row["customs_order_id"],
                "customs": {"customsCode": row["customs_code"], "region": row["region"]},
                "merchantCustomsInfo": {
                    "merchantCustomsCode": row["merchant_customs_code"],
                    "merchantCustomsName": row["merchant_customs_name"],
                },
                "declarationAmount": {"currency": row["currency"], "value": str(row["amount"])},
                "splitOrder": "true" if row["split_order"] else "false",
                "declarationRequestStatus": "SUCCESS" if returned else "PROCESSING",
                "lastModifiedTime": iso(
                    row["created_at"] + (_RETURN_AFTER_MS if returned else 0)
                ),
            }
            if returned:
                record["customsDeclarationResultCode"] = "SUCCESS"
                record["customsDeclarationResultDesc"] = "accepted by customs (sandbox)"
                record["customsDeclarationReturnTime"] = iso(row["created_at"] + _RETURN_AFTER_MS)
            records.append(record)
        fields: dict[str, Any] = {}
        if records:
            fields["declarationRecords"] = records
        if missing:
            fields["declarationRequestsNotFound"] = missing
        return fields

    def list(self, limit: int = 200) -> list[Row]:
        """The latest declarations, newest first."""
        return self._store.all(
            "SELECT * FROM declarations ORDER BY created_at DESC LIMIT ?", (limit,)
        )
