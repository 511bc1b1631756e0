"""Settlement and reconciliation reports made from the sandbox's own ledger (reference §12).

For a transaction date D (a GMT+8 calendar day) the sandbox writes, per merchant, in the
layout of Antom's SFTP tree under the data dir::

    v1/settlements/<merchantId>/<D>/transactionItems_<D>_000.csv
    v1/settlements/<merchantId>/<D+1>/settlementItems_<CCY>_<batchId>_000.csv
    v1/settlements/<merchantId>/<D+1>/settlementSummary_<CCY>_<batchId>_000.csv

Transactions of D settle in one batch per currency on D+1 (batchId = `<D+1><ISO numeric
currency>`). Each file is UTF-8 CSV: a header row of field names, the data rows, and a last line
`<END>`. Amounts are integer minor units (as in the API's `value`), signed: payments positive,
refunds and cancellations negative. The sandbox charges no fees (fee columns are 0).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

from tvclient.sandbox.store import Row, Store
from tvclient.sandbox.times import ANTOM_ZONE, iso, to_ms

__all__ = [
    "REPORTS_ROOT",
    "SETTLEMENT_ITEM_COLUMNS",
    "SETTLEMENT_SUMMARY_COLUMNS",
    "TRANSACTION_ITEM_COLUMNS",
    "Reports",
    "batch_id",
]

REPORTS_ROOT = Path("v1") / "settlements"
_ACQUIRER = "ANTOM_SANDBOX"
_NUMERIC_CURRENCY = {"HKD": "344", "IDR": "360", "CNY": "156", "USD": "840"}
_SETTLEMENT_HOUR = 10

TRANSACTION_ITEM_COLUMNS: tuple[str, ...] = (
    "transactionId",
    "originalTransactionId",
    "transactionRequestId",
    "originalTransactionRequestId",
    "referenceTransactionId",
    "customerId",
    "transactionType",
    "orderDescription",
    "paymentMethodType",
    "productCode",
    "paymentTime",
    "transactionAmountValue",
    "transactionCurrency",
    "settlementAmountValue",
    "settlementCurrency",
    "quoteCurrencyPair",
    "quotePrice",
    "feeAmountValue",
    "feeCurrency",
)
SETTLEMENT_ITEM_COLUMNS: tuple[str, ...] = (
    "settlementBatchId",
    *TRANSACTION_ITEM_COLUMNS,
    "settlementTime",
)
SETTLEMENT_SUMMARY_COLUMNS: tuple[str, ...] = (
    "settlementBatchId",
    "customerId",
    "acquirer",
    "summaryType",
    "settlementTime",
    "count",
    "settlementAmountValue",
    "settlementCurrency",
    "feeAmountValue",
    "feeCurrency",
)
_SUMMARY_ORDER = ("PAYMENT", "REFUND", "CANCEL")


@dataclass(frozen=True, slots=True)
class _Item:
    """One ledger movement of the day."""

    time_ms: int
    transaction_id: str
    original_transaction_id: str
    request_id: str
    original_request_id: str
    reference_id: str
    kind: str
    description: str
    method_type: str
    amount: int
    currency: str


def batch_id(settlement_day: dt.date, currency: str) -> str:
    """The settlement batch of one currency on one day."""
    return f"{settlement_day:%Y%m%d}{_NUMERIC_CURRENCY.get(currency, '000')}"


def _day_bounds(day: dt.date) -> tuple[int, int]:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=ANTOM_ZONE)
    return to_ms(start), to_ms(start + dt.timedelta(days=1))


def _render(columns: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    buffer.write("<END>\n")
    return buffer.getvalue().encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Reports:
    """Writes and finds report files under `<data dir>/v1/settlements/`."""

    def __init__(self, store: Store, data_dir: Path) -> None:
        self._store = store
        self._data_dir = data_dir

    @property
    def root(self) -> Path:
        """`<data dir>/v1/settlements`."""
        return self._data_dir / REPORTS_ROOT

    def _items(self, client_id: str, start: int, end: int) -> list[_Item]:
        items: list[_Item] = []
        for p in self._store.all(
            "SELECT * FROM payments WHERE client_id = ? AND paid_at >= ? AND paid_at < ?",
            (client_id, start, end),
        ):
            items.append(self._item(
                p, kind="PAYMENT", time_ms=p["paid_at"], transaction_id=p["payment_id"],
                original_id="", request_id=p["payment_request_id"], original_request_id="",
                amount=p["amount"],
            ))
        for p in self._store.all(
            "SELECT * FROM payments WHERE client_id = ? AND cancelled_at >= ? "
            "AND cancelled_at < ? AND cancel_returned > 0",
            (client_id, start, end),
        ):
            items.append(self._item(
                p, kind="CANCEL", time_ms=p["cancelled_at"], transaction_id=p["payment_id"],
                original_id=p["payment_id"], request_id=p["payment_request_id"],
                original_request_id=p["payment_request_id"], amount=-p["cancel_returned"],
            ))
        for r in self._store.all(
            "SELECT r.*, p.payment_request_id, p.reference_order_id, p.order_description, "
            "p.method_type FROM refunds r JOIN payments p ON p.payment_id = r.payment_id "
            "WHERE r.client_id = ? AND r.status = 'SUCCESS' AND r.refund_time >= ? "
            "AND r.refund_time < ?",
            (client_id, start, end),
        ):
            items.append(self._item(
                r, kind="REFUND", time_ms=r["refund_time"], transaction_id=r["refund_id"],
                original_id=r["payment_id"], request_id=r["refund_request_id"],
                original_request_id=r["payment_request_id"], amount=-r["amount"],
            ))
        items.sort(key=lambda item: (item.time_ms, item.transaction_id, item.kind))
        return items

    @staticmethod
    def _item(
        row: Row, *, kind: str, time_ms: int, transaction_id: str, original_id: str,
        request_id: str, original_request_id: str, amount: int,
    ) -> _Item:
        return _Item(
            time_ms=int(time_ms),
            transaction_id=transaction_id,
            original_transaction_id=original_id,
            request_id=request_id,
            original_request_id=original_request_id,
            reference_id=row["reference_order_id"] or "",
            kind=kind,
            description=row["order_description"] or "",
            method_type=row["method_type"],
            amount=int(amount),
            currency=row["currency"],
        )

    @staticmethod
    def _item_row(item: _Item, merchant_id: str) -> list[str]:
        return [
            item.transaction_id,
            item.original_transaction_id,
            item.request_id,
            item.original_request_id,
            item.reference_id,
            merchant_id,
            item.kind,
            item.description,
            item.method_type,
            "AGREEMENT_PAYMENT",
            iso(item.time_ms),
            str(item.amount),
            item.currency,
            str(item.amount),
            item.currency,
            "",
            "",
            "0",
            item.currency,
        ]

    def generate(self, day: dt.date) -> list[Path]:
        """Write the reports of transaction date `day` for every merchant.

        Returns the files written, relative to the data dir. Writing again replaces them with
        the same content.
        """
        start, end = _day_bounds(day)
        settle_day = day + dt.timedelta(days=1)
        settle_time = iso(to_ms(dt.datetime(
            settle_day.year, settle_day.month, settle_day.day, _SETTLEMENT_HOUR,
            tzinfo=ANTOM_ZONE,
        )))
        written: list[Path] = []
        for client in self._store.all("SELECT * FROM clients ORDER BY created_at"):
            merchant = str(client["merchant_id"])
            items = self._items(client["client_id"], start, end)
            tx_dir = REPORTS_ROOT / merchant / f"{day:%Y%m%d}"
            tx_file = tx_dir / f"transactionItems_{day:%Y%m%d}_000.csv"
            _write(self._data_dir / tx_file, _render(
                TRANSACTION_ITEM_COLUMNS, [self._item_row(item, merchant) for item in items]
            ))
            written.append(tx_file)
            settle_dir = REPORTS_ROOT / merchant / f"{settle_day:%Y%m%d}"
            for currency in sorted({item.currency for item in items}):
                batch = batch_id(settle_day, currency)
                mine = [item for item in items if item.currency == currency]
                detail = settle_dir / f"settlementItems_{currency}_{batch}_000.csv"
                _write(self._data_dir / detail, _render(
                    SETTLEMENT_ITEM_COLUMNS,
                    [[batch, *self._item_row(item, merchant), settle_time] for item in mine],
                ))
                summary_rows: list[list[str]] = []
                for kind in _SUMMARY_ORDER:
                    of_kind = [item for item in mine if item.kind == kind]
                    if of_kind:
                        summary_rows.append([
                            batch, merchant, _ACQUIRER, kind, settle_time, str(len(of_kind)),
                            str(sum(item.amount for item in of_kind)), currency, "0", currency,
                        ])
                summary_rows.append([
                    batch, merchant, _ACQUIRER, "TOTAL", settle_time, str(len(mine)),
                    str(sum(item.amount for item in mine)), currency, "0", currency,
                ])
                summary = settle_dir / f"settlementSummary_{currency}_{batch}_000.csv"
                _write(self._data_dir / summary, _render(SETTLEMENT_SUMMARY_COLUMNS, summary_rows))
                written.extend([detail, summary])
        return written

    def files(self) -> list[Path]:
        """Every report file, relative to the data dir, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(
            path.relative_to(self._data_dir)
            for path in self.root.rglob("*.csv")
            if path.is_file() and not path.name.startswith(".")
        )

    def resolve(self, relative: str) -> Path | None:
        """The file for a path below `v1/settlements/` (as listed by `files`), or None.

        Anything that would leave the reports tree (`..`, absolute paths, links) is None.
        """
        if "\x00" in relative:
            return None
        candidate = (self._data_dir / relative).resolve()
        root = self.root.resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate
