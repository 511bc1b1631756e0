"""Reading Antom's report files: transaction details, settlement details, settlement summary.

A tree laid out like Antom's SFTP (`v1/settlements/<merchant>/<date>/<file>`) is searched for
`transactionItems_<date>_<seq>.csv`, `settlementItems_<ccy>_<batch>_<seq>.csv` and
`settlementSummary_<ccy>_<batch>_<seq>.csv`. Columns are found by header name (Antom's column
sets differ between versions). Every file is checked completely before anything is used: one
malformed file (bad header, short row, non-integer amount, missing `<END>`) makes the whole
import fail with the file and line, so a reconciliation never runs on half the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from tvclient.merchant.errors import ReportFormatError

__all__ = ["ReportRow", "ReportSet", "SummaryRow", "read_reports"]

_TX_NAME = re.compile(r"^transactionItems_(\d{8})_(\d{3})\.csv$")
_ITEMS_NAME = re.compile(r"^settlementItems_([A-Z]{3})_([A-Za-z0-9]+)_(\d{3})\.csv$")
_SUMMARY_NAME = re.compile(
    r"^settlementSummary_(?:[A-Za-z0-9]+_)?([A-Z]{3})_([A-Za-z0-9]+)_(\d{3})\.csv$"
)
_END = "<END>"
_TX_REQUIRED = (
    "transactionType",
    "transactionRequestId",
    "transactionAmountValue",
    "transactionCurrency",
)
_SUMMARY_REQUIRED = (
    "settlementBatchId",
    "summaryType",
    "count",
    "settlementAmountValue",
    "settlementCurrency",
)
_KINDS = {"PAYMENT", "REFUND", "CANCEL", "CAPTURE", "AUTHORIZATION", "VOID", "DISPUTE"}
_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One transaction row (from transaction details or settlement details)."""

    file: str
    line: int
    kind: str
    request_id: str
    original_request_id: str
    transaction_id: str
    amount: int
    currency: str
    batch: str = ""


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One settlement summary row."""

    file: str
    line: int
    batch: str
    kind: str
    count: int
    amount: int
    currency: str


@dataclass(slots=True)
class ReportSet:
    """Everything read from one report tree."""

    transactions: list[ReportRow] = field(default_factory=list)
    settlement_items: list[ReportRow] = field(default_factory=list)
    summaries: list[SummaryRow] = field(default_factory=list)
    transaction_days: set[dt.date] = field(default_factory=set)
    files: list[str] = field(default_factory=list)
    problems: list[ReportFormatError] = field(default_factory=list)
    """Malformed files; when any, nothing else in the set may be used."""


def read_reports(root: Path) -> ReportSet:
    """Read every report file under `root`; malformed files land in `problems` (one each).

    Raises:
        ReportFormatError: `root` is not a directory.
    """
    if not root.is_dir():
        raise ReportFormatError(str(root), 0, "is not a directory")
    reports = ReportSet()
    candidates = sorted(
        p for p in root.rglob("*.csv") if p.is_file() and not p.name.startswith(".")
    )
    for path in candidates:
        shown = str(path.relative_to(root))
        try:
            _read_one(path, shown, reports)
        except ReportFormatError as exc:
            reports.problems.append(exc)
    return reports


def _read_one(path: Path, shown: str, reports: ReportSet) -> None:
    name = path.name
    if match := _TX_NAME.match(name):
        day = _day(match.group(1), shown)
        rows = _transactions(path, shown, batch=False)
        reports.transaction_days.add(day)
        reports.transactions.extend(rows)
    elif _ITEMS_NAME.match(name):
        reports.settlement_items.extend(_transactions(path, shown, batch=True))
    elif _SUMMARY_NAME.match(name):
        reports.summaries.extend(_summaries(path, shown))
    else:
        return
    reports.files.append(shown)


def _day(text: str, shown: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").replace(tzinfo=dt.UTC).date()
    except ValueError:
        raise ReportFormatError(shown, 0, f"file name date {text} is not a date") from None


def _records(path: Path, shown: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise ReportFormatError(shown, 0, "file is too large to be a report")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ReportFormatError(shown, 0, "file is not UTF-8") from None
    except OSError as exc:
        raise ReportFormatError(shown, 0, f"cannot read: {exc.strerror}") from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or lines[-1].strip() != _END:
        raise ReportFormatError(shown, len(lines), "file does not end with <END> (truncated?)")
    body = lines[:-1]
    if not body:
        raise ReportFormatError(shown, 1, "file has no header row")
    try:
        rows = list(csv.reader(body, strict=True))
    except csv.Error as exc:
        raise ReportFormatError(shown, 0, f"not valid CSV: {exc}") from None
    header = [cell.strip().lstrip("\ufeff") for cell in rows[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise ReportFormatError(shown, 1, f"header lacks {', '.join(missing)}")
    records = []
    for index, cells in enumerate(rows[1:], start=2):
        if cells and cells[0].strip() == _END:
            raise ReportFormatError(shown, index, "<END> before the last line")
        if len(cells) != len(header):
            raise ReportFormatError(
                shown, index, f"has {len(cells)} fields, the header has {len(header)}"
            )
        records.append((index, dict(zip(header, (cell.strip() for cell in cells), strict=True))))
    return records


def _amount(text: str, shown: str, line: int, column: str) -> int:
    if not re.fullmatch(r"-?\d{1,18}", text):
        raise ReportFormatError(shown, line, f"{column} {text!r} is not an integer amount")
    return int(text)


def _currency(text: str, shown: str, line: int) -> str:
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ReportFormatError(shown, line, f"currency {text!r} is not an ISO 4217 code")
    return text


def _transactions(path: Path, shown: str, *, batch: bool) -> list[ReportRow]:
    required = (*_TX_REQUIRED, "settlementBatchId") if batch else _TX_REQUIRED
    rows = []
    for line, record in _records(path, shown, required):
        kind = record["transactionType"]
        if kind not in _KINDS:
            raise ReportFormatError(shown, line, f"transactionType {kind!r} is unknown")
        if not record["transactionRequestId"] and kind in {"PAYMENT", "REFUND", "CANCEL"}:
            raise ReportFormatError(shown, line, "transactionRequestId is empty")
        rows.append(
            ReportRow(
                file=shown,
                line=line,
                kind=kind,
                request_id=record["transactionRequestId"],
                original_request_id=record.get("originalTransactionRequestId", ""),
                transaction_id=record.get("transactionId", ""),
                amount=_amount(
                    record["transactionAmountValue"], shown, line, "transactionAmountValue"
                ),
                currency=_currency(record["transactionCurrency"], shown, line),
                batch=record.get("settlementBatchId", ""),
            )
        )
    return rows


def _summaries(path: Path, shown: str) -> list[SummaryRow]:
    rows = []
    for line, record in _records(path, shown, _SUMMARY_REQUIRED):
        count = record["count"]
        if not count.isdigit():
            raise ReportFormatError(shown, line, f"count {count!r} is not a number")
        rows.append(
            SummaryRow(
                file=shown,
                line=line,
                batch=record["settlementBatchId"],
                kind=record["summaryType"],
                count=int(count),
                amount=_amount(
                    record["settlementAmountValue"], shown, line, "settlementAmountValue"
                ),
                currency=_currency(record["settlementCurrency"], shown, line),
            )
        )
    return rows
