"""Waking long-polling requests when the state they wait on changes.

A state change is published under a key (`bs:<id>`, `pur:<id>`) after its transaction commits.
`Wakeups` dispatches keys to the waiters of this process. With PostgreSQL, the data layer sends
keys with `NOTIFY` inside the changing transaction and `PostgresListener` feeds every backend
process's `Wakeups` from `LISTEN`, so a device waiting on one process learns of a notification
handled by another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator

__all__ = ["CHANNEL", "PostgresListener", "Wakeups"]

CHANNEL = "tvclient_merchant"

log = logging.getLogger(__name__)


class Wakeups:
    """Per-process registry of waiters by key; cheap enough for tens of thousands of waiters."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = {}

    @contextlib.contextmanager
    def waiter(self, key: str) -> Iterator[asyncio.Event]:
        """Register interest in `key` for the duration of the block; the event is set on publish.

        Register *before* reading the state you will wait on, so a change that commits between
        the read and the wait is not missed.
        """
        event = asyncio.Event()
        self._waiters.setdefault(key, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._waiters.get(key)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiters[key]

    def publish(self, keys: Iterable[str]) -> None:
        """Wake every waiter of every key."""
        for key in keys:
            for event in self._waiters.get(key, ()):
                event.set()

    def publish_all(self) -> None:
        """Wake every waiter (after a lost link, so each re-reads its state)."""
        self.publish(list(self._waiters))

    @property
    def waiting(self) -> int:
        """How many waiters are registered (for metrics)."""
        return sum(len(events) for events in self._waiters.values())


class PostgresListener:
    """Feeds `Wakeups` from PostgreSQL `LISTEN`; reconnects with back-off when the link drops."""

    def __init__(self, conninfo: str, wakeups: Wakeups) -> None:
        self._conninfo = conninfo
        self._wakeups = wakeups
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Start listening; returns once the first `LISTEN` is in place (or after 10 s)."""
        self._task = asyncio.create_task(self._run(), name="merchant-pg-listen")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 10)

    async def stop(self) -> None:
        """Stop listening."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                async for key in self._listen():
                    delay = 0.5
                    self._wakeups.publish((key,))
            except asyncio.CancelledError:
                raise
            except OSError as exc:
                log.warning("wake-up listener lost its connection (%s); retrying", exc)
            except Exception as exc:  # noqa: BLE001 - psycopg errors vary; the loop must survive
                log.warning("wake-up listener failed (%s); retrying", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _listen(self) -> AsyncIterator[str]:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        try:
            await conn.execute(f"LISTEN {CHANNEL}")
            self._ready.set()
            # A waiter that registered while the link was down may have missed its key:
            # wake everyone once so each re-reads its state.
            self._wakeups.publish_all()
            async for notify in conn.notifies():
                yield notify.payload
        finally:
            await conn.close()
