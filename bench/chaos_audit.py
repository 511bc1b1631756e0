"""The chaos campaign's verdict: three views of the money, compared line by line.

- the merchant backend's ledger (its `purchases` table),
- the sandbox's ledger (`GET /operator/v1/payments`, i.e. what Antom says it charged), and
- every device's view of every purchase intent it started (`IntentView`).

Figures that must be zero:

- **double charges**: an intent (device + idempotency key) or a `paymentRequestId` for which
  the buyer was charged more than once;
- **lost payments**: money taken with no successful purchase for it (or no purchase record at
  all), and purchases the backend calls paid that Antom never charged;
- **stuck**: purchases still PROCESSING at the backend, payments still PROCESSING at the
  sandbox, intents a device never saw end;
- **mismatches**: a device's final word that differs from the ledger (success vs failure,
  amount, receipt), a ledger purchase no device knows, an amount that differs between the
  ledgers, a buyer whose balance moved by something else than what was charged.

`self_check()` feeds the comparison a small planted history with one of each fault, so a
campaign whose checker went blind fails instead of reporting zeros.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Audit", "DeviceIntent", "audit", "net_charge", "self_check"]

FINAL_DEVICE = {"succeeded", "failed", "unknown"}
PAID = {"SUCCEEDED", "PARTIALLY_REFUNDED", "REFUNDED"}


def merchant_cancelled(purchase: Mapping[str, Any]) -> bool:
    """The operator cancelled it (paid or not; a paid one was given back in full)."""
    return purchase["state"] == "CANCELLED" and purchase.get("failure_code") == (
        "MERCHANT_CANCELLED"
    )


@dataclass(frozen=True)
class DeviceIntent:
    """A device's view of one intent, flattened for the audit."""

    device: int
    key: str
    amount: int
    currency: str
    phase: str
    purchase_id: str | None
    failure: str | None
    payment_ref: str | None


@dataclass
class Audit:
    """The figures and, for each non-zero one, examples."""

    double_charges: int = 0
    lost_payments: int = 0
    stuck: int = 0
    mismatches: int = 0
    device_unknown: int = 0
    counts: dict[str, Any] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, text: str) -> None:
        """Keep up to ten examples per kind."""
        kept = self.examples.setdefault(kind, [])
        if len(kept) < 10:
            kept.append(text)

    @property
    def clean(self) -> bool:
        """Every figure that must be zero is zero."""
        return not (self.double_charges or self.lost_payments or self.stuck or self.mismatches)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        data = dataclasses.asdict(self)
        data["examples"] = dict(self.examples)
        data["clean"] = self.clean
        return data


def net_charge(payment: Mapping[str, Any]) -> int:
    """What a sandbox payment took from the buyer in the end (minor units)."""
    paid = int(payment["amount"]) if payment.get("paidAt") else 0
    returned = int(payment.get("cancelReturned") or 0) + int(payment.get("refunded") or 0)
    return paid - returned


def audit(
    purchases: Iterable[Mapping[str, Any]],
    payments: Iterable[Mapping[str, Any]],
    intents: Iterable[DeviceIntent],
    balances: Mapping[str, tuple[int, int]],
    *,
    refunds: Iterable[Mapping[str, Any]] = (),
    antom_refunds: Iterable[Mapping[str, Any]] = (),
) -> Audit:
    """Compare the backend's purchases, the sandbox's payments and the devices' intents.

    Args:
        purchases: Rows of the backend's `purchases` table.
        payments: The sandbox's payments (operator API).
        intents: Every intent every device started.
        balances: Buyer id → (balance before, balance after), minor units.
        refunds: Rows of the backend's `refunds` table.
        antom_refunds: The sandbox's refunds (operator API).
    """
    result = Audit()
    purchases = list(purchases)
    payments = list(payments)
    intents = list(intents)
    by_request: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for payment in payments:
        by_request[str(payment["paymentRequestId"])].append(payment)
    purchase_by_request = {str(p["payment_request_id"]): p for p in purchases}
    purchases_by_key: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for purchase in purchases:
        purchases_by_key[str(purchase["idempotency_key"])].append(purchase)
    result.counts = {
        "purchases": len(purchases),
        "purchases_by_state": dict(Counter(str(p["state"]) for p in purchases)),
        "sandbox_payments": len(payments),
        "sandbox_payments_by_status": dict(Counter(str(p["status"]) for p in payments)),
        "device_intents": len(intents),
        "device_intents_by_phase": dict(Counter(i.phase for i in intents)),
        "charged_payments": sum(1 for p in payments if net_charge(p) > 0),
        "purchase_failures": dict(
            Counter(
                f"{p['failure_code']} ({p.get('antom_result_code') or 'no Antom code'})"
                for p in purchases
                if p.get("failure_code")
            )
        ),
    }

    # Double charges: per paymentRequestId, and per intent (device + key).
    for request_id, items in by_request.items():
        charged = [p for p in items if net_charge(p) > 0]
        if len(charged) > 1:
            result.double_charges += len(charged) - 1
            result.note("double_charges", f"paymentRequestId {request_id} charged {len(charged)}x")
    intents_by_key: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for purchase in purchases:
        intents_by_key[(str(purchase["device_id"]), str(purchase["idempotency_key"]))].append(
            purchase
        )
    for (device_id, key), rows in intents_by_key.items():
        times = sum(
            1
            for row in rows
            for payment in by_request.get(str(row["payment_request_id"]), [])
            if net_charge(payment) > 0
        )
        if times > 1:
            result.double_charges += times - 1
            result.note("double_charges", f"intent {device_id}/{key} charged {times}x")

    # Lost payments: what Antom kept from the buyer must be what the ledger says it kept:
    # the amount less recorded refunds for a paid purchase, nothing for any other.
    for request_id, items in by_request.items():
        taken = sum(net_charge(p) for p in items)
        if taken > 0 and request_id not in purchase_by_request:
            result.lost_payments += 1
            result.note("lost_payments", f"{request_id}: charged {taken}, no purchase record")
    for purchase in purchases:
        items = by_request.get(str(purchase["payment_request_id"]), [])
        kept = sum(net_charge(p) for p in items)
        expected = 0
        if purchase["state"] in PAID:
            expected = int(purchase["amount_minor"]) - int(purchase.get("refunded_minor") or 0)
        if kept != expected:
            result.lost_payments += 1
            result.note(
                "lost_payments",
                f"{purchase['id']}: Antom kept {kept}, the ledger ({purchase['state']}"
                f" {purchase.get('failure_code') or ''}) says {expected}",
            )

    # Stuck: anything not final at the end.
    for purchase in purchases:
        if purchase["state"] in {"PROCESSING", "CREATED"}:
            result.stuck += 1
            result.note("stuck", f"backend purchase {purchase['id']} still {purchase['state']}")
    for payment in payments:
        if payment["status"] == "PROCESSING":
            result.stuck += 1
            result.note("stuck", f"sandbox payment {payment['paymentId']} still PROCESSING")
    for intent in intents:
        if intent.phase not in FINAL_DEVICE:
            result.stuck += 1
            result.note("stuck", f"device {intent.device} intent {intent.key} still {intent.phase}")
        elif intent.phase == "unknown":
            result.device_unknown += 1

    # Mismatches between the three views.
    known_keys = {intent.key for intent in intents}
    for intent in intents:
        rows = purchases_by_key.get(intent.key, [])
        if len(rows) > 1:
            result.mismatches += 1
            result.note("mismatches", f"intent {intent.key}: {len(rows)} ledger purchases")
            continue
        row = rows[0] if rows else None
        if row is not None and (
            int(row["amount_minor"]) != intent.amount or row["currency"] != intent.currency
        ):
            result.mismatches += 1
            result.note("mismatches", f"intent {intent.key}: amount differs from the ledger")
        paid_at_antom = row is not None and any(
            p.get("paidAt") for p in by_request.get(str(row["payment_request_id"]), [])
        )
        if intent.phase == "succeeded":
            if row is None or not (
                row["state"] in PAID or (merchant_cancelled(row) and paid_at_antom)
            ):
                result.mismatches += 1
                result.note(
                    "mismatches",
                    f"device {intent.device} shows {intent.key} paid; ledger: "
                    f"{row['state'] if row is not None else 'no purchase'}",
                )
            elif intent.payment_ref != row["payment_id"] or intent.purchase_id != row["id"]:
                result.mismatches += 1
                result.note("mismatches", f"intent {intent.key}: receipt differs from the ledger")
        elif intent.phase == "failed" and row is not None and row["state"] in PAID:
            result.mismatches += 1
            result.note(
                "mismatches",
                f"device {intent.device} shows {intent.key} failed ({intent.failure}); "
                f"ledger: {row['state']}",
            )
    for purchase in purchases:
        if purchase["idempotency_key"] not in known_keys:
            result.mismatches += 1
            result.note("mismatches", f"ledger purchase {purchase['id']} unknown to every device")
        for payment in by_request.get(str(purchase["payment_request_id"]), []):
            if int(payment["amount"]) != int(purchase["amount_minor"]) or (
                payment["currency"] != purchase["currency"]
            ):
                result.mismatches += 1
                result.note("mismatches", f"{purchase['id']}: amount differs between ledgers")
            if purchase["state"] in PAID and purchase.get("payment_id") != payment["paymentId"]:
                result.mismatches += 1
                result.note("mismatches", f"{purchase['id']}: paymentId differs between ledgers")
    _audit_refunds(result, purchases, payments, list(refunds), list(antom_refunds))
    spent: Counter[str] = Counter()
    for payment in payments:
        if payment.get("buyerId"):
            spent[str(payment["buyerId"])] += net_charge(payment)
    for buyer, (before, after) in balances.items():
        if before - after != spent[buyer]:
            result.mismatches += 1
            result.note(
                "mismatches",
                f"buyer {buyer}: balance moved by {before - after}, charges add up to "
                f"{spent[buyer]}",
            )
    return result


def _audit_refunds(
    result: Audit,
    purchases: list[Mapping[str, Any]],
    payments: list[Mapping[str, Any]],
    refunds: list[Mapping[str, Any]],
    antom_refunds: list[Mapping[str, Any]],
) -> None:
    """Refunds: each recorded one matches Antom's, nothing refunded twice or unrecorded."""
    ours = {str(r["refund_request_id"]): r for r in refunds}
    theirs: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for refund in antom_refunds:
        theirs[str(refund["refundRequestId"])].append(refund)
    result.counts["refunds"] = len(refunds)
    result.counts["refunds_by_state"] = dict(Counter(str(r["state"]) for r in refunds))
    result.counts["sandbox_refunds_by_status"] = dict(
        Counter(str(r["status"]) for r in antom_refunds)
    )
    for request_id, items in theirs.items():
        done = [r for r in items if r["status"] == "SUCCESS"]
        if len(done) > 1:
            result.double_charges += len(done) - 1
            result.note("double_charges", f"refund {request_id} paid out {len(done)}x")
        record = ours.get(request_id)
        if done and (record is None or record["state"] != "SUCCEEDED"):
            result.lost_payments += 1
            result.note(
                "lost_payments",
                f"refund {request_id}: paid back by Antom, ledger says "
                f"{record['state'] if record is not None else 'nothing'}",
            )
    for request_id, record in ours.items():
        items = theirs.get(request_id, [])
        if record["state"] == "PROCESSING":
            result.stuck += 1
            result.note("stuck", f"backend refund {record['id']} still PROCESSING")
        elif record["state"] == "SUCCEEDED" and not any(r["status"] == "SUCCESS" for r in items):
            result.lost_payments += 1
            result.note("lost_payments", f"refund {record['id']}: ledger says paid back, Antom no")
        for refund in items:
            if int(refund["amount"]) != int(record["amount_minor"]):
                result.mismatches += 1
                result.note("mismatches", f"refund {record['id']}: amount differs between ledgers")
    for refund in antom_refunds:
        if refund["status"] == "PROCESSING":
            result.stuck += 1
            result.note("stuck", f"sandbox refund {refund['refundId']} still PROCESSING")
    by_request = {str(p["paymentRequestId"]): p for p in payments}
    for purchase in purchases:
        payment = by_request.get(str(purchase["payment_request_id"]))
        ledger = int(purchase.get("refunded_minor") or 0)
        if payment is not None and ledger != int(payment.get("refunded") or 0):
            result.mismatches += 1
            result.note(
                "mismatches",
                f"{purchase['id']}: ledger refunded {ledger}, Antom refunded "
                f"{payment.get('refunded')}",
            )


def self_check() -> None:
    """Prove the comparison sees each kind of fault (raises AssertionError when blind)."""

    def purchase(pid: str, key: str, state: str, request: str, **extra: Any) -> dict[str, Any]:
        row = {"id": pid, "device_id": "dev_1", "idempotency_key": key, "state": state,
               "payment_request_id": request, "payment_id": None, "amount_minor": 100,
               "currency": "HKD", "failure_code": None}
        row.update(extra)
        return row

    def payment(pay_id: str, request: str, status: str, paid: bool) -> dict[str, Any]:
        return {"paymentId": pay_id, "paymentRequestId": request, "status": status,
                "amount": 100, "currency": "HKD", "paidAt": "t" if paid else None,
                "cancelReturned": 0, "refunded": 0, "buyerId": "b"}

    good = [purchase("p1", "k1", "SUCCEEDED", "r1", payment_id="x1")]
    good_pay = [payment("x1", "r1", "SUCCESS", True)]
    good_dev = [DeviceIntent(1, "k1", 100, "HKD", "succeeded", "p1", None, "x1")]
    clean = audit(good, good_pay, good_dev, {"b": (1000, 900)})
    assert clean.clean, clean.as_dict()
    planted = {
        "double_charges": audit(
            good, [*good_pay, payment("x2", "r1", "SUCCESS", True)], good_dev,
            {"b": (1000, 800)},
        ).double_charges,
        "lost_payments": audit(
            [purchase("p1", "k1", "FAILED", "r1")], good_pay,
            [DeviceIntent(1, "k1", 100, "HKD", "failed", "p1", "X", None)], {"b": (1000, 900)},
        ).lost_payments,
        "stuck": audit(
            [purchase("p1", "k1", "PROCESSING", "r1")], [payment("x1", "r1", "PROCESSING", False)],
            [DeviceIntent(1, "k1", 100, "HKD", "checking", "p1", None, None)], {"b": (1000, 1000)},
        ).stuck,
        "mismatches": audit(
            good, good_pay, [DeviceIntent(1, "k1", 100, "HKD", "failed", "p1", "X", None)],
            {"b": (1000, 950)},
        ).mismatches,
    }
    blind = [name for name, value in planted.items() if value == 0]
    assert not blind, f"the audit does not see planted {', '.join(blind)}"
