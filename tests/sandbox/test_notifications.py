"""Notifications: signed, re-sent on Antom's schedule until the fixed reply, faults, restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.clock import FakeClock
from tests.sandbox.conftest import Harness, start_harness
from tvclient.sandbox.faults import FaultKind, FaultSpec
from tvclient.sandbox.notifications import RETRY_SCHEDULE
from tvclient.sandbox.times import to_ms


def _offsets(h: Harness, start_ms: int) -> list[float]:
    return [(int(r.headers["request-time"]) - start_ms) / 1000 for r in h.receiver.received]


async def _one_notification(h: Harness, fail: int = 0, fail_with: str = "status") -> int:
    """Cause one notifyPayment that the receiver refuses `fail` times; returns when it queued."""
    token = (await h.bind(buyer="hk-alice"))["accessToken"]
    h.receiver.received.clear()
    h.receiver.fail_next, h.receiver.fail_with = fail, fail_with
    start = h.sandbox.now_ms()
    await h.pay(token, 100)
    return start


async def _until(check: Callable[[], bool], rounds: int = 500) -> None:
    for _ in range(rounds):
        if check():
            return
        await asyncio.sleep(0)
    raise AssertionError("the background loop did not get there")


async def test_retries_follow_antoms_schedule(harness: Harness) -> None:
    """A receiver failing 3 times gets attempts at 0 s, 2, 12 and 22 min, then none."""
    start = await _one_notification(harness, fail=3)
    await harness.drain()
    for wait in (119, 1, 599, 1, 599, 1):
        await harness.advance(wait)
    assert _offsets(harness, start) == [0, 120, 720, 1320]
    await harness.advance(10 * 3600)
    assert len(harness.receiver.received) == 4
    status = harness.sandbox.store.scalar(
        "SELECT status FROM notifications WHERE kind = 'notifyPayment'"
    )
    assert status == "DELIVERED"


async def test_gives_up_after_eight_attempts(
    harness: Harness, expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A receiver that never accepts gets exactly eight attempts over about 24 hours."""
    # HTTP 200 with another body than the fixed reply is a failure too.
    start = await _one_notification(harness, fail=1000, fail_with="body")
    await harness.drain()
    for gap in RETRY_SCHEDULE[1:]:
        await harness.advance(gap - 1)
        await harness.advance(1)
    await harness.advance(7 * 86400)
    expected, total = [], 0
    for gap in RETRY_SCHEDULE:
        total += gap
        expected.append(float(total))
    assert _offsets(harness, start) == expected
    assert all(r.verified for r in harness.receiver.received)
    row = harness.sandbox.store.one(
        "SELECT status, attempts FROM notifications WHERE kind = 'notifyPayment'"
    )
    assert row is not None
    assert (row["status"], row["attempts"]) == ("FAILED", 8)
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "given up after 8 attempt(s)" in warning.getMessage()


async def test_background_loop_resends_on_its_own(harness: Harness) -> None:
    """Without anyone draining, the background loop re-sends when the clock reaches 2 min."""
    await _one_notification(harness, fail=1)
    await _until(lambda: len(harness.receiver.received) == 1)
    harness.clock.advance(120)
    await _until(lambda: len(harness.receiver.received) == 2)


async def test_without_retries_one_attempt(
    data_dir: Path, clock: FakeClock, expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """With retries off (Antom's own sandbox), a failed notification is not sent again."""
    async for h in start_harness(data_dir, clock, retry_notifications=False):
        start = await _one_notification(h, fail=1)
        await h.drain()
        await h.advance(86400)
        assert _offsets(h, start) == [0]
    assert any("given up after 1 attempt(s)" in r.getMessage() for r in caplog.records)


def _arm(h: Harness, kind: FaultKind, seconds: float | None = None, count: int = 1) -> None:
    h.sandbox.faults.add(
        FaultSpec(target="notifyPayment", kind=kind, seconds=seconds, count=count),
        h.sandbox.now_ms(),
    )


async def test_dropped_notification_is_never_sent(harness: Harness) -> None:
    """A drop fault swallows the next notifyPayment; the one after is sent."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _arm(harness, FaultKind.DROP)
    await harness.pay(token, 100, request_id="dropped")
    await harness.pay(token, 100, request_id="sent")
    await harness.drain()
    await harness.advance(86400)
    assert [r.json["paymentRequestId"] for r in harness.receiver.of("/payment")] == ["sent"]


async def test_duplicated_notification_arrives_twice(harness: Harness) -> None:
    """A duplicate fault sends the same notification body twice."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _arm(harness, FaultKind.DUPLICATE)
    await harness.pay(token, 100, request_id="twice")
    await harness.drain()
    first, second = harness.receiver.of("/payment")
    assert first.body == second.body


async def test_delayed_notification(harness: Harness) -> None:
    """A delay fault holds the notification for its seconds."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _arm(harness, FaultKind.DELAY, seconds=90)
    await harness.pay(token, 100)
    await harness.drain()
    await harness.advance(89)
    assert harness.receiver.of("/payment") == []
    await harness.advance(1)
    assert len(harness.receiver.of("/payment")) == 1


async def test_out_of_order_notification(harness: Harness) -> None:
    """An out_of_order fault holds a notification until a later one was sent."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _arm(harness, FaultKind.OUT_OF_ORDER, seconds=600)
    await harness.pay(token, 100, request_id="first")
    await harness.drain()
    assert harness.receiver.of("/payment") == []
    await harness.advance(5)
    await harness.pay(token, 100, request_id="second")
    await harness.drain()
    await harness.drain()
    order = [r.json["paymentRequestId"] for r in harness.receiver.of("/payment")]
    assert order == ["second", "first"]


async def test_pending_notification_survives_restart(data_dir: Path, clock: FakeClock) -> None:
    """A notification still owed when the sandbox stops is re-sent after it starts again."""
    async for h in start_harness(data_dir, clock):
        start = await _one_notification(h, fail=1)
        await h.drain()
    async for h in start_harness(data_dir, clock):
        await h.advance(120)
        [again] = h.receiver.of("/payment")
        assert int(again.headers["request-time"]) - start == 120_000
        assert again.verified


async def test_notifications_are_signed_for_each_attempt(harness: Harness) -> None:
    """Each attempt carries a fresh request-time and a signature that verifies."""
    await _one_notification(harness, fail=1)
    await harness.drain()
    await harness.advance(120)
    first, second = harness.receiver.of("/payment")
    assert first.verified
    assert second.verified
    assert first.headers["request-time"] != second.headers["request-time"]
    assert to_ms(harness.clock.now()) >= int(second.headers["request-time"])
