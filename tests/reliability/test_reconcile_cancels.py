"""Reconciliation of cancelled purchases is clean when the books agree (found by the campaign).

The chaos campaign's back office cancels purchases that are still in flight, and the backend
itself cancels payments whose outcome stayed unknown until they expired. Antom's reports show
a CANCEL row only when money went back, and a PAYMENT row for every payment that was paid,
even one cancelled later. `tvclient merchant reconcile` expected a cancellation row for every
merchant cancel (a false "missing in report" for a purchase cancelled before it was paid) and
refused a PAYMENT row for any purchase the ledger holds as cancelled (a false "status
mismatch" for a payment that was paid and given back by the cancel).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.merchant.stack import Stack, in_process_stack
from tvclient.merchant.reconcile import read_reports, reconcile

ADMIN = {"Authorization": "Bearer admin-secret"}
DAY = "2026-03-02"  # the fake clock's day in GMT+8


async def _reconciled(stack: Stack, tmp_path: Path) -> dict[str, Any]:
    response = await stack.operator.post("/operator/v1/reports", json={"date": DAY})
    assert response.status_code == 200, response.text
    reports = read_reports(tmp_path / "sandbox" / "v1")
    assert not reports.problems
    async with stack.backend.db.read() as conn:
        return (await reconcile(conn, reports)).as_dict()


async def test_a_purchase_cancelled_before_it_was_paid_reconciles_clean(tmp_path: Path) -> None:
    """Cancelled by the operator while in flight (never paid): no row expected, clean."""
    async with in_process_stack(tmp_path) as stack:
        await stack.enrol()
        binding = await stack.bind()
        await stack.fault("pay", "unknown", seconds=50, outcome="success")
        created = await stack.buy(binding, key="in-flight")
        purchase_id = created.json()["id"]
        await stack.run(1)
        assert (await stack.purchase(purchase_id))["state"] == "PROCESSING"
        cancelled = await stack.device.post(f"/admin/v1/purchases/{purchase_id}/cancel",
                                            headers=ADMIN)
        assert cancelled.json()["state"] == "CANCELLED", cancelled.text
        await stack.run(60)
        [payment] = await stack.sandbox_payments()
        assert payment["status"] == "CANCELLED"
        assert payment["paidAt"] is None  # nothing was taken, nothing given back
        result = await _reconciled(stack, tmp_path)
        assert result["discrepancies"] == [], result


async def test_a_payment_the_backend_cancelled_after_antom_took_it_reconciles_clean(
    tmp_path: Path,
) -> None:
    """Paid at Antom, unknown to us until expiry, then cancelled (money back): clean."""
    # The backend gives up on Antom's answer long before the held answer comes.
    async with in_process_stack(tmp_path, antom_timeout=0.3) as stack:
        await stack.enrol()
        binding = await stack.bind()
        await stack.fault("pay", "timeout", seconds=600, processed=True)
        await stack.fault("inquiryPayment", "http_error", count=50)
        await stack.fault("notifyPayment", "drop")
        created = await stack.buy(binding, key="unknown-then-cancelled")
        final = await stack.final(created.json()["id"], limit=200)
        assert (final["state"], (final["failure"] or {}).get("code")) == (
            "CANCELLED", "PAYMENT_TIMEOUT"
        ), final
        [payment] = await stack.sandbox_payments()
        assert payment["paidAt"] is not None
        assert payment["cancelReturned"] == 3800
        result = await _reconciled(stack, tmp_path)
        assert result["discrepancies"] == [], result
        assert result["matched"] >= 2  # the PAYMENT row and its CANCEL row


async def test_a_cancelled_purchase_whose_money_was_kept_is_still_flagged(
    tmp_path: Path,
) -> None:
    """A PAYMENT row with no CANCEL row for a purchase the ledger holds as cancelled: flagged."""
    async with in_process_stack(tmp_path) as stack:
        await stack.enrol()
        binding = await stack.bind()
        created = await stack.buy(binding, key="paid")
        final = await stack.final(created.json()["id"])
        assert final["state"] == "SUCCEEDED"
        # The ledger is wrong on purpose: it says cancelled, Antom kept the money.
        async with stack.backend.db.write() as tx:
            from sqlalchemy import update

            from tvclient.merchant.store.schema import purchases

            await tx.conn.execute(
                update(purchases)
                .where(purchases.c.id == final["id"])
                .values(state="CANCELLED", failure_code="PAYMENT_TIMEOUT")
            )
        result = await _reconciled(stack, tmp_path)
        assert {d["kind"] for d in result["discrepancies"]} == {"status_mismatch"}, result
