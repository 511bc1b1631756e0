"""A manual clock for tests: time moves only when the test says so."""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools

START = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)  # 12:00 in Hong Kong on a Monday


class FakeClock:
    """Implements `tvclient.clock.Clock`; `sleep` returns once `advance` passes its deadline."""

    def __init__(self, start: dt.datetime = START) -> None:
        self._now = start
        self._mono = 1000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> dt.datetime:
        """The fake current time."""
        return self._now

    def monotonic(self) -> float:
        """The fake monotonic seconds."""
        return self._mono

    async def sleep(self, seconds: float) -> None:
        """Suspend until the clock has been advanced by `seconds`."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._mono + seconds, next(self._seq), future))
        await future

    @property
    def sleepers(self) -> int:
        """How many coroutines are waiting on this clock."""
        return sum(1 for *_, f in self._sleepers if not f.done())

    def set(self, moment: dt.datetime) -> None:
        """Jump the wall clock (and monotonic time by the same amount) to `moment`."""
        self.advance((moment - self._now).total_seconds())

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose deadline has passed."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self._now += dt.timedelta(seconds=seconds)
        self._mono += seconds
        while self._sleepers and self._sleepers[0][0] <= self._mono:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    async def run_for(self, seconds: float, step: float = 0.5) -> None:
        """Advance in steps, letting the event loop run woken tasks between steps."""
        remaining = seconds
        while remaining > 0:
            delta = min(step, remaining)
            self.advance(delta)
            remaining -= delta
            for _ in range(5):
                await asyncio.sleep(0)
