"""The device core's loop thread: results come back on the GUI thread; cancelled work is silent."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
from pytestqt.qtbot import QtBot

from tvclient.app.worker import AsyncWorker, WorkerStoppedError


def _unexpected(value: object) -> None:
    pytest.fail(f"unexpected callback with {value!r}")


@pytest.fixture
def worker(qtbot: QtBot) -> Iterator[AsyncWorker]:
    """A started worker, stopped at the end."""
    w = AsyncWorker()
    w.start()
    yield w
    w.stop()


def test_results_arrive_on_the_gui_thread(qtbot: QtBot, worker: AsyncWorker) -> None:
    """The coroutine runs on the loop thread; its result is handed over on the GUI thread."""
    gui = threading.get_ident()
    seen: dict[str, int] = {}

    async def work() -> int:
        seen["work"] = threading.get_ident()
        await asyncio.sleep(0)
        return 42

    results: list[int] = []

    def on_result(value: int) -> None:
        seen["result"] = threading.get_ident()
        results.append(value)

    worker.submit(work, on_result, _unexpected)
    qtbot.waitUntil(lambda: results == [42])
    assert seen["work"] != gui
    assert seen["result"] == gui


def test_failures_arrive_as_errors(qtbot: QtBot, worker: AsyncWorker) -> None:
    """An exception in the coroutine reaches on_error, with the exception itself."""

    async def work() -> int:
        raise ValueError("backend said no")

    errors: list[BaseException] = []
    worker.submit(work, lambda _: pytest.fail("no result expected"), errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert isinstance(errors[0], ValueError)
    assert str(errors[0]) == "backend said no"


def test_streams_deliver_every_item_in_order_then_the_end(
    qtbot: QtBot, worker: AsyncWorker
) -> None:
    """An async iterator's items come one by one, then on_done."""

    async def items() -> AsyncIterator[int]:
        for n in range(5):
            await asyncio.sleep(0)
            yield n

    got: list[int] = []
    done: list[bool] = []
    worker.stream(items, got.append, _unexpected, lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True])
    assert got == [0, 1, 2, 3, 4]


def test_cancelled_work_is_cancelled_and_says_nothing(qtbot: QtBot, worker: AsyncWorker) -> None:
    """Cancelling a job cancels its coroutine (clean-up runs) and drops its callbacks."""
    started, cleaned = threading.Event(), threading.Event()

    async def work() -> int:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.set()
        return 1

    job = worker.submit(work, _unexpected, _unexpected)
    assert started.wait(5)
    job.cancel()
    assert cleaned.wait(5)
    qtbot.wait(50)
    assert job.done


def test_stop_cancels_running_work_then_runs_the_last_step(qtbot: QtBot) -> None:
    """stop() lets cancelled work clean up, awaits `last`, and refuses new work afterwards."""
    worker = AsyncWorker()
    worker.start()
    order: list[str] = []

    async def work() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            order.append("cleaned")

    async def last() -> None:
        order.append("closed")

    worker.submit(work, lambda _: None, lambda _: None)
    qtbot.wait(20)
    worker.stop(last=last)
    assert order == ["cleaned", "closed"]
    assert not worker.running
    with pytest.raises(WorkerStoppedError):
        worker.submit(work, lambda _: None, lambda _: None)
