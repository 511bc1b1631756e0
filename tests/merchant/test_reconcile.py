"""Reconciliation against the sandbox's report files: clean, missing, extra, amount, malformed."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.merchant.stack import Stack, in_process_stack
from tvclient.merchant.commands import run
from tvclient.merchant.reconcile import ReconcileReport, read_reports, reconcile

DAY = "2026-03-02"


@dataclass
class Day:
    """A day of business at the sandbox and its report tree."""

    stack: Stack
    root: Path
    database: str
    sandbox_dir: Path

    def transaction_file(self) -> Path:
        return next(self.root.rglob("transactionItems_*.csv"))

    async def result(self) -> ReconcileReport:
        reports = read_reports(self.root)
        assert not reports.problems, reports.problems
        async with self.stack.backend.db.read() as conn:
            return await reconcile(conn, reports)


@pytest.fixture
async def day(tmp_path: Path) -> AsyncIterator[Day]:
    """Three purchases (one partly refunded, one cancelled) and that day's reports."""
    async with in_process_stack(tmp_path) as stack:
        await stack.enrol()
        binding = await stack.bind()
        admin = {"Authorization": "Bearer admin-secret"}
        ids = []
        for key in ("a", "b", "c"):
            created = await stack.buy(binding, key=key)
            ids.append((await stack.final(created.json()["id"]))["id"])
        refund = await stack.device.post(
            f"/admin/v1/purchases/{ids[0]}/refunds",
            json={"amount": {"currency": "HKD", "value": 800}},
            headers=admin,
        )
        assert refund.status_code == 201, refund.text
        cancel = await stack.device.post(f"/admin/v1/purchases/{ids[1]}/cancel", headers=admin)
        assert cancel.status_code == 200, cancel.text
        generated = await stack.operator.post("/operator/v1/reports", json={"date": DAY})
        assert generated.status_code == 200, generated.text
        root = tmp_path / "sftp"
        shutil.copytree(tmp_path / "sandbox" / "v1", root / "v1")
        yield Day(stack, root, f"sqlite:///{tmp_path / 'merchant.db'}", tmp_path / "sandbox")


async def test_a_clean_day_matches_every_row(day: Day) -> None:
    """Payments, the refund and the cancellation all match; nothing is missing."""
    result = await day.result()
    assert result.discrepancies == []
    assert result.matched == 2 * 5  # 3 payments + 1 refund + 1 cancel, in details and settlement
    assert result.days == [DAY]


async def test_a_row_missing_from_the_report_is_found(day: Day) -> None:
    """A ledger payment absent from the transaction file is `missing_in_report`."""
    path = day.transaction_file()
    lines = path.read_text().splitlines()
    payment_line = next(i for i, line in enumerate(lines) if ",PAYMENT," in line)
    removed = lines.pop(payment_line)
    path.write_text("\n".join(lines) + "\n")
    result = await day.result()
    assert result.count("missing_in_report") == 1
    assert result.discrepancies[0].reference in removed


async def test_an_extra_row_is_missing_in_the_ledger(day: Day) -> None:
    """A report payment the ledger never made is `missing_in_ledger`, with file and line."""
    path = day.transaction_file()
    lines = path.read_text().splitlines()
    payment = next(line for line in lines if ",PAYMENT," in line).split(",")
    payment[0], payment[2] = "p-extra", "pay_not_ours"
    lines.insert(len(lines) - 1, ",".join(payment))
    path.write_text("\n".join(lines) + "\n")
    result = await day.result()
    extra = [item for item in result.discrepancies if item.kind == "missing_in_ledger"]
    assert [item.reference for item in extra] == ["pay_not_ours"]
    assert extra[0].where.endswith(f":{len(lines) - 1}")


async def test_an_amount_mismatch_is_reported(day: Day) -> None:
    """A payment whose amount differs from the ledger is `amount_mismatch`."""
    path = day.transaction_file()
    text = path.read_text()
    path.write_text(text.replace(",3800,HKD,3800,HKD,", ",3900,HKD,3900,HKD,", 1))
    result = await day.result()
    assert result.count("amount_mismatch") == 1
    assert "3900" in result.discrepancies[0].detail


async def test_a_summary_that_does_not_add_up_is_reported(day: Day) -> None:
    """A settlement summary whose total differs from its items is `summary_mismatch`."""
    path = next(day.root.rglob("settlementSummary_*.csv"))
    lines = path.read_text().splitlines()
    total = next(i for i, line in enumerate(lines) if ",TOTAL," in line)
    cells = lines[total].split(",")
    cells[6] = str(int(cells[6]) + 1)
    lines[total] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    result = await day.result()
    assert result.count("summary_mismatch") == 1


async def test_malformed_files_are_reported_with_file_and_line_and_nothing_is_used(
    day: Day,
) -> None:
    """A truncated file and a bad amount are each named with file and line; no reconciliation."""
    tx = day.transaction_file()
    tx.write_text(tx.read_text().replace("<END>\n", ""))
    items = next(day.root.rglob("settlementItems_*.csv"))
    lines = items.read_text().splitlines()
    cells = lines[1].split(",")
    cells[12] = "12.5"
    lines[1] = ",".join(cells)
    items.write_text("\n".join(lines) + "\n")
    reports = read_reports(day.root)
    problems = sorted(str(problem) for problem in reports.problems)
    assert len(problems) == 2
    assert any("transactionItems_20260302_000.csv" in p and "<END>" in p for p in problems)
    assert any("settlementItems_HKD" in p and ":2:" in p and "12.5" in p for p in problems)


async def test_the_command_exits_non_zero_on_discrepancies_and_malformed_files(
    day: Day, capsys: pytest.CaptureFixture[str]
) -> None:
    """`merchant reconcile DIR` exits 0 when clean, 1 on a discrepancy, 2 on a malformed file."""
    argv = [
        "reconcile",
        str(day.root),
        "--database",
        day.database,
        "--sandbox-dir",
        str(day.sandbox_dir),
    ]
    assert await asyncio.to_thread(run, argv) == 0
    assert "clean" in capsys.readouterr().out
    path = day.transaction_file()
    path.write_text(path.read_text().replace(",3800,HKD,3800,HKD,", ",3700,HKD,3700,HKD,", 1))
    assert await asyncio.to_thread(run, argv) == 1
    assert "amount mismatch: 1" in capsys.readouterr().out
    path.write_text("transactionId\n")
    assert await asyncio.to_thread(run, argv) == 2
    assert "malformed report" in capsys.readouterr().err
