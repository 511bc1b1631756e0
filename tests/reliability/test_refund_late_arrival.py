"""A refund request that reaches Antom late is not written off as failed (found by the campaign).

The chaos campaign holds some refund requests in the sandbox (`latency`) longer than the
backend waits for an answer. The backend then asked `inquiryRefund`, heard ORDER_NOT_EXIST
(the request had not been processed yet), marked the refund FAILED, and when the request was
processed a moment later and the buyer got the money back, the ledger no longer moved: money
paid back that the books said was not. "Not found" is not "never will be": like pay, the
refund is now sent again with the same `refundRequestId` (Antom deduplicates it), and only a
refusal of that is final.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.reliability.stacks import wired_stack

ADMIN = {"Authorization": "Bearer admin-secret"}


async def test_a_refund_held_past_the_timeout_ends_refunded_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, expect_log: None
) -> None:
    """Held 20 s at Antom, the backend gave up after 0.3 s: one refund, ledger REFUNDED."""
    async with wired_stack(tmp_path, antom_timeout=0.3, detach=True) as stack:
        await stack.enrol()
        binding = await stack.bind()
        created = await stack.buy(binding, key="to-refund")
        purchase = await stack.final(created.json()["id"])
        assert purchase["state"] == "SUCCEEDED"
        await stack.fault("refund", "latency", seconds=20)
        refund = asyncio.ensure_future(
            stack.device.post(f"/admin/v1/purchases/{purchase['id']}/refunds", json={},
                              headers=ADMIN)
        )
        while not refund.done():
            await stack.run(0.5)
        assert refund.result().status_code == 201, refund.result().text
        await stack.run(120)
        refunds = (await stack.operator.get("/operator/v1/refunds")).json()["refunds"]
        assert [r["status"] for r in refunds] == ["SUCCESS"]
        ledger = (await stack.device.get(f"/admin/v1/purchases/{purchase['id']}",
                                         headers=ADMIN)).json()
        assert ledger["state"] == "REFUNDED", ledger
        assert [r["state"] for r in ledger["refunds"]] == ["SUCCEEDED"]
        assert ledger["refunded_minor"] == 3800
        assert "outcome unknown" in caplog.text  # the backend did give up waiting
