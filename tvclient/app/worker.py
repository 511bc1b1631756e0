"""The device core's asyncio loop, run in its own thread so the UI thread never waits on it.

The device core is asyncio (httpx) and also makes blocking calls of its own (the keyring talks
D-Bus synchronously, QR and JSON work is CPU). Running it on a dedicated loop thread keeps every
one of those off the GUI thread; results come back to the GUI thread as queued Qt signals, so
view-models only ever run on the GUI thread and need no locks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from tvclient.app.qtcompat import emit

__all__ = ["AsyncWorker", "Job", "WorkerStoppedError"]

_log = logging.getLogger(__name__)

T = TypeVar("T")


class WorkerStoppedError(RuntimeError):
    """Work was submitted after the worker stopped (the app is shutting down)."""


class Job:
    """One piece of submitted work; cancel it when the screen that wanted it goes away.

    After `cancel()` none of its callbacks run, even when the result is already on its way.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._future: concurrent.futures.Future[Any] | None = None
        self.cancelled = False

    def _attach(self, future: concurrent.futures.Future[Any]) -> None:
        self._future = future

    @property
    def done(self) -> bool:
        """True once the work finished, failed or was cancelled."""
        return self.cancelled or (self._future is not None and self._future.done())

    def cancel(self) -> None:
        """Stop the work (its coroutine gets CancelledError) and drop its callbacks."""
        self.cancelled = True
        if self._future is not None and not self._future.done():
            self._future.cancel()


class AsyncWorker(QObject):
    """An asyncio event loop in a daemon thread, with results delivered on the GUI thread.

    Create it on the GUI thread with a parent (the engine), `start()` it, `submit()` or
    `stream()` coroutines, and `stop()` it before the application object goes away.
    """

    _deliver = Signal(object)

    def __init__(self, parent: QObject | None = None, *, name: str = "tvclient-core") -> None:
        super().__init__(parent)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = threading.Event()
        self._stopping = False
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------------ lifecycle
    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The worker's event loop (only touch it through `call_soon_threadsafe`)."""
        return self._loop

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._thread.is_alive() and not self._stopping

    def start(self) -> None:
        """Start the loop thread and wait until it runs."""
        self._thread.start()
        self._started.wait()

    def stop(
        self, timeout: float = 5.0, *, last: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Cancel everything still running, await `last()`, close the loop, join the thread.

        Cancelled work finishes its clean-up first (a bind session is deleted at the backend),
        then `last` runs (closing the HTTP client). Callbacks of work that was still running
        are dropped: nobody is left to show them.
        """
        if self._stopping or not self._thread.is_alive():
            return
        self._stopping = True
        future = asyncio.run_coroutine_threadsafe(self._cancel_all(last), self._loop)
        try:
            future.result(timeout)
        except (concurrent.futures.TimeoutError, concurrent.futures.CancelledError):
            _log.warning("device core tasks did not stop within %.1f s", timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._started.set)
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _cancel_all(self, last: Callable[[], Awaitable[None]] | None) -> None:
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if last is not None:
            try:
                await last()
            except Exception as exc:  # noqa: BLE001 - closing goes on whatever happens
                _log.info("closing the device core's connections failed: %s", exc)

    # ------------------------------------------------------------------ work
    def submit(
        self,
        work: Callable[[], Coroutine[Any, Any, T]],
        on_result: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> Job:
        """Run `work()` on the loop; `on_result` or `on_error` then runs on the GUI thread."""
        job = self._new_job()

        async def _wrapped() -> None:
            try:
                result = await work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure goes to on_error
                self._post(job, _bind(on_error, exc))
            else:
                self._post(job, _bind(on_result, result))

        job._attach(asyncio.run_coroutine_threadsafe(_wrapped(), self._loop))
        return job

    def stream(
        self,
        work: Callable[[], AsyncIterator[T]],
        on_item: Callable[[T], None],
        on_error: Callable[[BaseException], None],
        on_done: Callable[[], None] | None = None,
    ) -> Job:
        """Iterate `work()` on the loop; each item, then the end or failure, on the GUI thread."""
        job = self._new_job()

        async def _wrapped() -> None:
            try:
                async for item in work():
                    self._post(job, _bind(on_item, item))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure goes to on_error
                self._post(job, _bind(on_error, exc))
            else:
                if on_done is not None:
                    self._post(job, on_done)

        job._attach(asyncio.run_coroutine_threadsafe(_wrapped(), self._loop))
        return job

    def run_sync(self, work: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
        """Run `work()` on the loop and wait for it (start-up and tests only, never from a slot)."""
        if not self.running:
            raise WorkerStoppedError("the device core worker is not running")

        async def _call() -> T:
            return await work()

        return asyncio.run_coroutine_threadsafe(_call(), self._loop).result(timeout)

    def call_sync(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Call plain `fn()` on the loop thread and wait (for objects bound to that loop)."""

        async def _call() -> T:
            return fn()

        return self.run_sync(_call, timeout)

    def call_soon(self, fn: Callable[[], object]) -> None:
        """Run plain `fn()` on the loop thread, without waiting (fire and forget)."""
        if self.running:
            self._loop.call_soon_threadsafe(fn)

    def to_gui(self, fn: Callable[[], None]) -> None:
        """From any thread (the loop's, typically): run `fn()` on the GUI thread."""
        if not self._stopping:
            emit(self._deliver, (None, fn))

    def _new_job(self) -> Job:
        if not self.running:
            raise WorkerStoppedError("the device core worker is not running")
        return Job(self._loop)

    def _post(self, job: Job, callback: Callable[[], None]) -> None:
        if not job.cancelled:
            emit(self._deliver, (job, callback))

    @Slot(object)
    def _on_deliver(self, payload: tuple[Job | None, Callable[[], None]]) -> None:
        job, callback = payload
        if (job is not None and job.cancelled) or self._stopping:
            return
        callback()


def _bind(fn: Callable[[T], None], item: T) -> Callable[[], None]:
    return lambda: fn(item)
