"""Fuzzing the reconciliation file reader: damaged report trees never crash it or the ledger.

The seed is a real report tree: the sandbox's transaction, settlement and summary files for a
day of the populated world (payments and a partial refund). Each example copies it and damages
it: CSV-level (lines dropped, duplicated or reordered, fields swapped, replaced with hostile
values, added or removed, headers renamed, the `<END>` marker moved or lost) and byte-level
(cuts, flips, invalid UTF-8, NUL, a BOM, CRLF), plus stray files with report-like names.

- `read_reports` never raises for a directory: every damaged file is a `ReportFormatError`
  naming its file (and line where there is one), and then nothing may be reconciled;
- a tree it accepts reconciles without an exception, clean or with named discrepancies;
- reconciliation only reads: the ledger is the same afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import mutate_bytes, nasty_text
from tests.reliability.stacks import World, snapshot
from tvclient.merchant.errors import ReportFormatError
from tvclient.merchant.reconcile import read_reports, reconcile

DAY = "2026-03-02"


@pytest.fixture
async def reports(world: World, tmp_path: Path) -> Path:
    """The sandbox's report tree for the world's day (a clean reconciliation, checked)."""
    response = await world.stack.operator.post("/operator/v1/reports", json={"date": DAY})
    assert response.status_code == 200, response.text
    tree = tmp_path / "sandbox" / "v1"
    clean = read_reports(tree)
    assert not clean.problems
    async with world.stack.backend.db.read() as conn:
        assert (await reconcile(conn, clean)).clean
    return tree


@st.composite
def damaged_csv(draw: st.DrawFn, text: str) -> str:
    """A report file's text with CSV-level damage."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not lines:
            break
        at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        how = draw(st.sampled_from(["drop", "dup", "swap", "field", "extra", "fewer", "rename",
                                    "end", "quote", "crlf", "bom", "spaces"]))
        cells = lines[at].split(",")
        if how == "drop":
            del lines[at]
        elif how == "dup":
            lines.insert(at, lines[at])
        elif how == "swap" and len(cells) > 1:
            i, j = draw(st.permutations(range(len(cells))))[:2]
            cells[i], cells[j] = cells[j], cells[i]
            lines[at] = ",".join(cells)
        elif how == "field":
            cells[draw(st.integers(min_value=0, max_value=len(cells) - 1))] = draw(
                nasty_text | st.sampled_from(["-", "1e5", "12.50", "-0", "9" * 30, "", "NaN"]))
            lines[at] = ",".join(cell.replace("\n", " ") for cell in cells)
        elif how == "extra":
            lines[at] += "," + draw(st.text(max_size=10)).replace("\n", " ")
        elif how == "fewer" and len(cells) > 1:
            lines[at] = ",".join(cells[:-1])
        elif how == "rename":
            lines[0] = lines[0].replace(draw(st.sampled_from(
                ["transactionType", "transactionAmountValue", "transactionRequestId",
                 "settlementBatchId", "count", "summaryType"])), "renamed")
        elif how == "end":
            lines.insert(at, "<END>")
        elif how == "quote":
            lines[at] = '"' + lines[at]
        elif how == "crlf":
            lines[at] += "\r"
        elif how == "bom":
            lines[0] = "\ufeff" + lines[0]
        elif how == "spaces":
            lines[at] = " " + lines[at].replace(",", " , ")
    return "\n".join(lines)


@fuzz(40)
@given(data=st.data())
async def test_damaged_report_trees(world: World, reports: Path, data: st.DataObject) -> None:
    """Damaged trees: problems named per file, or a reconciliation; never a crash or a change."""
    # A few small files in the test's own temporary tree: blocking reads are harmless here.
    files = sorted(p for p in reports.rglob("*.csv"))  # noqa: ASYNC240
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "v1"
        shutil.copytree(reports, tree)
        copies = [tree / p.relative_to(reports) for p in files]
        for target in data.draw(st.lists(st.sampled_from(copies), min_size=1, max_size=3,
                                         unique=True), label="files"):
            if data.draw(st.booleans(), label="byte-level"):
                target.write_bytes(data.draw(mutate_bytes(target.read_bytes()), label="bytes"))
            else:
                target.write_text(data.draw(damaged_csv(target.read_text()), label="text"),
                                  encoding="utf-8", errors="surrogatepass")
        if data.draw(st.booleans(), label="stray file"):
            name = data.draw(st.sampled_from([
                "transactionItems_20260302_001.csv", "transactionItems_2026030_000.csv",
                "settlementItems_HKD_x_000.csv", "settlementSummary_HKD_20260303344_001.csv",
                "transactionItems_20261399_000.csv", ".transactionItems_20260302_000.csv",
            ]))
            (copies[0].parent / name).write_bytes(data.draw(st.binary(max_size=200)))
        before = await snapshot(world.stack)
        found = read_reports(tree)
        for problem in found.problems:
            assert isinstance(problem, ReportFormatError)
            assert str(problem)
        if not found.problems:
            async with world.stack.backend.db.read() as conn:
                result = await reconcile(conn, found)
            for item in result.discrepancies:
                assert item.kind
                assert item.reference is not None
        assert await snapshot(world.stack) == before


def test_a_file_that_is_no_directory_is_refused(tmp_path: Path) -> None:
    """Pointing the reader at a file (or nothing) is a clear error, not a crash."""
    (tmp_path / "file.csv").write_text("x")
    for root in (tmp_path / "file.csv", tmp_path / "missing"):
        with pytest.raises(ReportFormatError):
            read_reports(root)
