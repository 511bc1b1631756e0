"""Settlement and reconciliation reports from the sandbox ledger, in the §12 file format."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from tests.sandbox.conftest import Harness
from tvclient.antom.paths import Api
from tvclient.sandbox.reports import (
    SETTLEMENT_ITEM_COLUMNS,
    SETTLEMENT_SUMMARY_COLUMNS,
    TRANSACTION_ITEM_COLUMNS,
    batch_id,
)

HK_TZ = dt.timezone(dt.timedelta(hours=8))


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    lines = path.read_text("utf-8").splitlines()
    assert lines[-1] == "<END>"
    reader = csv.reader(io.StringIO("\n".join(lines[:-1])))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


async def _day_of_business(h: Harness) -> dict[str, str]:
    """On 2 March (GMT+8): pay HK$100, HK$50 and Rp50,000; refund HK$30; cancel the HK$50."""
    hk = (await h.bind(buyer="hk-alice"))["accessToken"]
    dana = (await h.bind("DANA", buyer="id-dewi"))["accessToken"]
    big = await h.pay(hk, 10_000, request_id="big")
    small = await h.pay(hk, 5_000, request_id="small")
    await h.pay(dana, 5_000_000, "IDR", wallet="DANA", request_id="idr")
    await h.pay(hk, 1_000_000_000, request_id="refused")  # over the limit: not in reports
    refund = await h.call(Api.REFUND, {"refundRequestId": "rf", "paymentId": big["paymentId"],
                                       "refundAmount": {"currency": "HKD", "value": "3000"}})
    await h.call(Api.CANCEL, {"paymentId": small["paymentId"]})
    return {"big": big["paymentId"], "small": small["paymentId"], "refund": refund["refundId"]}


async def test_transaction_details(harness: Harness) -> None:
    """transactionItems_<date>_000.csv lists the day's payments (+), refunds and cancels (-)."""
    ids = await _day_of_business(harness)
    files = harness.sandbox.reports.generate(dt.date(2026, 3, 2))
    merchant = harness.sandbox.identity.merchant_id
    tx = harness.sandbox.settings.data_dir / files[0]
    assert files[0] == Path(f"v1/settlements/{merchant}/20260302/transactionItems_20260302_000.csv")
    header, rows = _read(tx)
    assert tuple(header) == TRANSACTION_ITEM_COLUMNS
    by_kind = sorted((r["transactionType"], r["transactionAmountValue"], r["transactionCurrency"])
                     for r in rows)
    assert by_kind == sorted([
        ("PAYMENT", "10000", "HKD"), ("PAYMENT", "5000", "HKD"), ("PAYMENT", "5000000", "IDR"),
        ("REFUND", "-3000", "HKD"), ("CANCEL", "-5000", "HKD"),
    ])
    refund = next(r for r in rows if r["transactionType"] == "REFUND")
    assert refund["transactionId"] == ids["refund"]
    assert refund["originalTransactionId"] == ids["big"]
    assert refund["transactionRequestId"] == "rf"
    assert refund["originalTransactionRequestId"] == "big"
    assert all(r["customerId"] == merchant for r in rows)


async def test_settlement_files_per_currency(harness: Harness) -> None:
    """Each currency settles next day in one batch: details rows and a summary that adds up."""
    await _day_of_business(harness)
    files = harness.sandbox.reports.generate(dt.date(2026, 3, 2))
    batch = batch_id(dt.date(2026, 3, 3), "HKD")
    merchant = harness.sandbox.identity.merchant_id
    base = f"v1/settlements/{merchant}/20260303"
    assert Path(f"{base}/settlementItems_HKD_{batch}_000.csv") in files
    assert Path(f"{base}/settlementSummary_HKD_{batch}_000.csv") in files
    assert any(p.name.startswith("settlementItems_IDR_") for p in files)
    data = harness.sandbox.settings.data_dir
    header, items = _read(data / f"{base}/settlementItems_HKD_{batch}_000.csv")
    assert tuple(header) == SETTLEMENT_ITEM_COLUMNS
    assert {r["settlementBatchId"] for r in items} == {batch}
    header, summary = _read(data / f"{base}/settlementSummary_HKD_{batch}_000.csv")
    assert tuple(header) == SETTLEMENT_SUMMARY_COLUMNS
    totals = {r["summaryType"]: (r["count"], r["settlementAmountValue"]) for r in summary}
    assert totals == {
        "PAYMENT": ("2", "15000"), "REFUND": ("1", "-3000"), "CANCEL": ("1", "-5000"),
        "TOTAL": ("4", "7000"),
    }


async def test_day_boundary_is_gmt8(harness: Harness) -> None:
    """A payment at 23:59 GMT+8 belongs to that day; one at 00:00 to the next."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    harness.clock.set(dt.datetime(2026, 3, 2, 23, 59, tzinfo=HK_TZ))
    await harness.pay(token, 100, request_id="late")
    harness.clock.set(dt.datetime(2026, 3, 3, 0, 0, tzinfo=HK_TZ))
    await harness.pay(token, 200, request_id="next")
    reports = harness.sandbox.reports
    _, day1 = _read(harness.sandbox.settings.data_dir / reports.generate(dt.date(2026, 3, 2))[0])
    _, day2 = _read(harness.sandbox.settings.data_dir / reports.generate(dt.date(2026, 3, 3))[0])
    assert [r["transactionRequestId"] for r in day1] == ["late"]
    assert [r["transactionRequestId"] for r in day2] == ["next"]


async def test_empty_day_and_regeneration(harness: Harness) -> None:
    """An empty day has a header-only file; writing a day again gives the same bytes."""
    reports = harness.sandbox.reports
    [only] = reports.generate(dt.date(2026, 1, 1))
    path = harness.sandbox.settings.data_dir / only
    header, rows = _read(path)
    assert rows == []
    assert tuple(header) == TRANSACTION_ITEM_COLUMNS
    before = path.read_bytes()
    reports.generate(dt.date(2026, 1, 1))
    assert path.read_bytes() == before
