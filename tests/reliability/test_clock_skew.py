"""A backend on the real clock pays through a sandbox whose clock runs ahead (found by chaos).

The chaos campaign (bench/chaos.py) runs `tvclient sandbox serve --timescale 10` against a
`tvclient merchant serve` on the real clock. The backend sends `paymentExpiryTime` (its own
clock + one minute), and the sandbox compared it with its own clock, which runs ahead: after a
few seconds every pay was refused with PARAM_ILLEGAL ("already past") and every buyer was told
PAYMENT_DECLINED. The same happened to a sandbox restarted at scale 1 after a scaled run (its
clock resumes ahead of real time). A sandbox on a scaled or resumed clock now keeps the
expiry's distance from the request's own signed `Request-Time`; on the real clock the sandbox
still compares the expiry with its own clock, as Antom does (tests/sandbox/test_payments.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.reliability.stacks import wired_stack


async def test_a_purchase_succeeds_when_the_sandbox_clock_runs_ahead(tmp_path: Path) -> None:
    """With the sandbox's clock 10 minutes ahead of the backend's, a purchase is paid, once."""
    async with wired_stack(tmp_path, sandbox_ahead=600.0) as stack:
        await stack.enrol()
        binding = await stack.bind()
        created = await stack.buy(binding, key="skewed-1")
        assert created.status_code == 201, created.text
        final = await stack.final(created.json()["id"])
        assert final["state"] == "SUCCEEDED", final
        payments = await stack.sandbox_payments()
        assert [p["status"] for p in payments] == ["SUCCESS"]


async def test_the_expiry_keeps_its_length_on_the_sandbox_clock(tmp_path: Path) -> None:
    """A backend asking for a 30 s expiry gets 30 s on the sandbox's clock, not more or less."""
    async with wired_stack(tmp_path, sandbox_ahead=600.0, payment_expiry=30) as stack:
        await stack.enrol()
        binding = await stack.bind()
        created = await stack.buy(binding, key="short-1")
        await stack.final(created.json()["id"])
        [payment] = await stack.sandbox_payments()
        created_at = dt.datetime.fromisoformat(payment["createdAt"])
        expires_at = dt.datetime.fromisoformat(payment["expiresAt"])
        assert 29 <= (expires_at - created_at).total_seconds() <= 30


async def test_a_pay_that_arrives_after_its_expiry_is_still_refused(tmp_path: Path) -> None:
    """On the shifted clock a pay held past its expiry (latency fault) is refused, not charged.

    The expiry is what stops a pay request that reaches Antom late from charging the buyer
    after the backend gave up and cancelled; moving it onto the sandbox's clock keeps that.
    """
    # The backend waits for the held answer (a long Antom timeout), so the late pay itself
    # reaches the sandbox's expiry check rather than a retry of it.
    async with wired_stack(
        tmp_path, sandbox_ahead=600.0, payment_expiry=10, antom_timeout=60.0
    ) as stack:
        await stack.enrol()
        binding = await stack.bind()
        await stack.fault("pay", "latency", seconds=30)
        created = await stack.buy(binding, key="late-1")
        final = await stack.final(created.json()["id"], limit=120)
        assert final["state"] == "FAILED", final
        assert await stack.sandbox_payments() == []
