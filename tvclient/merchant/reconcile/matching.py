"""Matching report rows against the ledger.

Transaction rows are matched by request ID: PAYMENT → `paymentRequestId`, REFUND →
`refundRequestId`, CANCEL → the original `paymentRequestId`. For every transaction date the
files cover (a GMT+8 day, as Antom's reports use), the ledger's payments, successful refunds and
merchant cancellations of paid purchases of that day must appear in the files. A PAYMENT row
for a cancelled purchase matches when the reports also show its CANCEL row (paid, then given
back). Settlement summaries must equal the
sums of their batch's settlement items.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tvclient.merchant.reconcile.report_files import ReportRow, ReportSet
from tvclient.merchant.states import PAID_STATES, PurchaseState, RefundState
from tvclient.merchant.store.schema import purchases, refunds

__all__ = ["Discrepancy", "ReconcileReport", "reconcile"]

REPORT_ZONE = ZoneInfo("Asia/Shanghai")  # GMT+8, no daylight saving: Antom's report day


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One thing that does not match; `kind` is a stable word, `detail` is for people."""

    kind: str
    reference: str
    detail: str
    where: str = ""

    def as_dict(self) -> dict[str, str]:
        """JSON form."""
        return {
            "kind": self.kind,
            "reference": self.reference,
            "detail": self.detail,
            "where": self.where,
        }


@dataclass(slots=True)
class ReconcileReport:
    """The outcome: matched rows and every discrepancy found."""

    files: list[str] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    matched: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing is missing or different."""
        return not self.discrepancies

    def count(self, kind: str) -> int:
        """How many discrepancies of one kind."""
        return sum(1 for item in self.discrepancies if item.kind == kind)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "files": self.files,
            "days": self.days,
            "matched": self.matched,
            "clean": self.clean,
            "discrepancies": [item.as_dict() for item in self.discrepancies],
        }


def _report_day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.astimezone(REPORT_ZONE).date()


class _Ledger:
    def __init__(self, purchase_rows: list[RowMapping], refund_rows: list[RowMapping]) -> None:
        self.by_payment = {row["payment_request_id"]: row for row in purchase_rows}
        self.by_refund = {row["refund_request_id"]: row for row in refund_rows}
        self.purchase_of_refund = {
            row["refund_request_id"]: row["purchase_id"] for row in refund_rows
        }


async def _load(conn: AsyncConnection) -> _Ledger:
    purchase_rows = list((await conn.execute(select(purchases))).mappings().all())
    refund_rows = list((await conn.execute(select(refunds))).mappings().all())
    return _Ledger(purchase_rows, refund_rows)


def _was_paid(row: RowMapping) -> bool:
    if row["state"] in PAID_STATES:
        return True
    # Cancelled after payment by the merchant: Antom shows the payment and its cancellation.
    return bool(
        row["state"] == PurchaseState.CANCELLED and row["failure_code"] == "MERCHANT_CANCELLED"
    )


def _judge(
    report: ReconcileReport,
    reference: str,
    where: str,
    *,
    amount_problem: str | None,
    status_problem: str | None,
) -> None:
    if amount_problem:
        report.discrepancies.append(
            Discrepancy("amount_mismatch", reference, amount_problem, where)
        )
    elif status_problem:
        report.discrepancies.append(
            Discrepancy("status_mismatch", reference, status_problem, where)
        )
    else:
        report.matched += 1


def _amounts(row: ReportRow, sign: int, minor: int, currency: str) -> str | None:
    if row.amount == sign * minor and row.currency == currency:
        return None
    return f"report {row.amount} {row.currency}, ledger {sign * minor} {currency}"


def _check_row(
    row: ReportRow,
    ledger: _Ledger,
    report: ReconcileReport,
    reversed_ids: frozenset[str] = frozenset(),
) -> str | None:
    """Compare one row; the ledger key it matched (None when it matched nothing).

    `reversed_ids` are the payment request IDs the reports show a CANCEL row for.
    """
    where = f"{row.file}:{row.line}"
    if row.kind == "PAYMENT":
        key, record, sign = row.request_id, ledger.by_payment.get(row.request_id), 1
    elif row.kind == "REFUND":
        key, record, sign = row.request_id, ledger.by_refund.get(row.request_id), -1
    elif row.kind == "CANCEL":
        key = row.original_request_id or row.request_id
        record, sign = ledger.by_payment.get(key), -1
    else:
        return None
    if record is None:
        report.discrepancies.append(
            Discrepancy("missing_in_ledger", key, f"{row.kind.lower()} is not in the ledger", where)
        )
        return None
    amount_problem = _amounts(row, sign, int(record["amount_minor"]), record["currency"])
    if row.kind == "PAYMENT":
        # A payment that Antom took and a cancel then gave back is a PAYMENT row plus a CANCEL
        # row, whichever side cancelled it (the backend cancels payments whose outcome stayed
        # unknown until they expired): the ledger's CANCELLED is right for that pair.
        ok = _was_paid(record) or (
            record["state"] == PurchaseState.CANCELLED and key in reversed_ids
        )
    elif row.kind == "REFUND":
        ok = record["state"] == RefundState.SUCCEEDED
    else:
        ok = record["state"] == PurchaseState.CANCELLED
    status_problem = (
        None if ok else f"report shows a {row.kind.lower()}, ledger says {record['state']}"
    )
    _judge(report, key, where, amount_problem=amount_problem, status_problem=status_problem)
    return f"{row.kind[0]}:{key}"


def _expected(ledger: _Ledger, days: set[dt.date]) -> dict[str, str]:
    """Ledger keys that must appear in the transaction files of `days`, with a description."""
    expected: dict[str, str] = {}
    for request_id, row in ledger.by_payment.items():
        paid_day = _report_day(row["paid_at"])
        if row["payment_id"] and _was_paid(row) and paid_day in days:
            expected["P:" + request_id] = f"payment of {row['id']} on {paid_day}"
        # Antom shows a cancellation only when money went back: a purchase cancelled while
        # still in flight (never known to be paid) may have none.
        if (
            row["failure_code"] == "MERCHANT_CANCELLED"
            and row["payment_id"]
            and _report_day(row["completed_at"]) in days
        ):
            expected["C:" + request_id] = f"cancellation of {row['id']}"
    for request_id, row in ledger.by_refund.items():
        if row["state"] == RefundState.SUCCEEDED and _report_day(row["completed_at"]) in days:
            expected["R:" + request_id] = f"refund {row['id']} of {row['purchase_id']}"
    return expected


def _check_summaries(reports: ReportSet, report: ReconcileReport) -> None:
    sums: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in reports.settlement_items:
        for kind in (row.kind, "TOTAL"):
            entry = sums[(row.batch, row.currency, kind)]
            entry[0] += 1
            entry[1] += row.amount
    for summary in reports.summaries:
        count, amount = sums.get((summary.batch, summary.currency, summary.kind), (0, 0))
        if (count, amount) != (summary.count, summary.amount):
            report.discrepancies.append(
                Discrepancy(
                    "summary_mismatch",
                    f"{summary.batch}/{summary.kind}",
                    f"summary says {summary.count} rows, {summary.amount} {summary.currency}; "
                    f"settlement items add up to {count} rows, {amount}",
                    f"{summary.file}:{summary.line}",
                )
            )


async def reconcile(conn: AsyncConnection, reports: ReportSet) -> ReconcileReport:
    """Compare a report set with the ledger read through `conn`."""
    ledger = await _load(conn)
    report = ReconcileReport(
        files=list(reports.files), days=sorted(day.isoformat() for day in reports.transaction_days)
    )
    reversed_ids = frozenset(
        row.original_request_id or row.request_id
        for row in (*reports.transactions, *reports.settlement_items)
        if row.kind == "CANCEL"
    )
    seen: set[str] = set()
    for row in reports.transactions:
        key = _check_row(row, ledger, report, reversed_ids)
        if key is not None:
            if key in seen:
                report.discrepancies.append(
                    Discrepancy(
                        "duplicate_row",
                        key[2:],
                        "the same transaction appears twice",
                        f"{row.file}:{row.line}",
                    )
                )
            seen.add(key)
    for key, description in _expected(ledger, reports.transaction_days).items():
        if key not in seen:
            report.discrepancies.append(
                Discrepancy("missing_in_report", key[2:], f"{description} is not in the reports")
            )
    settled = ReconcileReport()
    for row in reports.settlement_items:
        _check_row(row, ledger, settled, reversed_ids)
    report.discrepancies.extend(settled.discrepancies)
    report.matched += settled.matched
    _check_summaries(reports, report)
    return report
