"""Background work the backend owns: payment drivers, token exchanges, upkeep loops.

Tasks are tracked so that shutdown can let in-flight payments finish (up to a grace period)
and then cancel what is left; a failing task is logged, never silently lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

__all__ = ["Tasks"]

log = logging.getLogger(__name__)


class Tasks:
    """A set of named background tasks with graceful draining."""

    def __init__(self) -> None:
        self._critical: set[asyncio.Task[Any]] = set()
        self._loops: set[asyncio.Task[Any]] = set()
        self.closing = False

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str, *, critical: bool = True) -> None:
        """Run `coro` in the background.

        Critical tasks (a payment being resolved, a token being exchanged) are waited for on
        shutdown; loops are cancelled.
        """
        task = asyncio.create_task(coro, name=name)
        bucket = self._critical if critical else self._loops
        bucket.add(task)
        task.add_done_callback(lambda done: self._finished(bucket, done))

    @staticmethod
    def _finished(bucket: set[asyncio.Task[Any]], task: asyncio.Task[Any]) -> None:
        bucket.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("background task %s failed", task.get_name(), exc_info=exc)

    @property
    def in_flight(self) -> int:
        """How many critical tasks are running."""
        return len(self._critical)

    async def drain(self, grace: float) -> None:
        """Stop loops, wait up to `grace` seconds for critical tasks, then cancel the rest."""
        self.closing = True
        for task in list(self._loops):
            task.cancel()
        if self._critical:
            log.info("waiting for %d in-flight payment task(s) to finish", len(self._critical))
            _, pending = await asyncio.wait(set(self._critical), timeout=grace)
            for task in pending:
                log.warning(
                    "task %s still running at shutdown; recovery resumes it", task.get_name()
                )
                task.cancel()
        for task in list(self._loops | self._critical):
            with contextlib.suppress(asyncio.CancelledError):
                await task
