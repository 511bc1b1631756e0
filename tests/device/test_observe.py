"""Plain-callback subscriptions and the iterator form the view-models use."""

from __future__ import annotations

import asyncio

import pytest

from tvclient.device.observe import Observable, follow


def test_subscribers_get_the_current_value_then_every_change() -> None:
    """With replay the current value comes at once; unsubscribing stops the calls."""
    values = Observable(0)
    seen: list[int] = []
    unsubscribe = values.subscribe(seen.append)
    values.publish(1)
    unsubscribe()
    unsubscribe()
    values.publish(2)
    assert seen == [0, 1]
    assert values.value == 2


def test_a_failing_subscriber_does_not_stop_the_others(
    expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """One subscriber's bug is logged; the rest still hear about the change."""
    values = Observable("a")
    seen: list[str] = []

    def broken(value: str) -> None:
        raise ValueError("view-model bug")

    values.subscribe(broken, replay=False)
    values.subscribe(seen.append, replay=False)
    values.publish("b")
    assert seen == ["b"]
    assert "subscriber failed" in caplog.text


async def test_follow_yields_until_the_run_ends_and_reraises() -> None:
    """follow() yields each published value and ends with the run (its error re-raised)."""
    values = Observable(0)

    async def run(fail: bool) -> None:
        for n in (1, 2, 3):
            values.publish(n)
            await asyncio.sleep(0)
        if fail:
            raise RuntimeError("boom")

    assert [v async for v in follow(values, run(False))] == [1, 2, 3]
    with pytest.raises(RuntimeError, match="boom"):
        async for _ in follow(values, run(True)):
            pass


async def test_closing_follow_early_cancels_the_run() -> None:
    """Leaving the iteration early cancels what it was following."""
    values = Observable(0)
    cancelled = asyncio.Event()

    async def run() -> None:
        try:
            values.publish(1)
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    stream = follow(values, run())
    assert await stream.__anext__() == 1
    await stream.aclose()
    assert cancelled.is_set()
