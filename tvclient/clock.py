"""Clocks, injected everywhere time matters so that tests never sleep for real.

`SystemClock` is the real one. `ScaledClock` runs time faster by a constant factor: the sandbox
uses it to compress Antom's minutes-long windows (QR lapse, notification retries, payment expiry)
for demos and end-to-end tests. Unit tests use the manual fake in `tests/helpers/clock.py`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Protocol

__all__ = ["Clock", "ScaledClock", "SystemClock", "utc"]


def utc(moment: dt.datetime) -> dt.datetime:
    """The same instant in UTC; naive datetimes are refused because they cannot be placed."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r} has no time zone")
    return moment.astimezone(dt.UTC)


class Clock(Protocol):
    """What code that waits or stamps times needs from a clock."""

    def now(self) -> dt.datetime:
        """The current wall-clock time, timezone-aware (UTC)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards, for measuring intervals."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        """The current UTC time."""
        return dt.datetime.now(dt.UTC)

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """`asyncio.sleep`."""
        await asyncio.sleep(max(0.0, seconds))


class ScaledClock:
    """A clock whose time runs `factor` times faster than real time from the moment it is made.

    With `factor=60`, one real second is one clock minute: a 15-minute QR lapses in 15 real
    seconds and the notification retry schedule (24 h) completes in 24 real minutes.
    """

    def __init__(self, factor: float, base: Clock | None = None) -> None:
        if factor <= 0:
            raise ValueError(f"time scale must be positive, not {factor}")
        self._factor = factor
        self._base = base or SystemClock()
        self._wall0 = self._base.now()
        self._mono0 = self._base.monotonic()

    @property
    def factor(self) -> float:
        """How many clock seconds pass per real second."""
        return self._factor

    def now(self) -> dt.datetime:
        """Scaled wall-clock time."""
        elapsed = self._base.monotonic() - self._mono0
        return self._wall0 + dt.timedelta(seconds=elapsed * self._factor)

    def monotonic(self) -> float:
        """Scaled monotonic seconds."""
        return self._mono0 + (self._base.monotonic() - self._mono0) * self._factor

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of scaled time, i.e. `seconds / factor` real seconds."""
        await self._base.sleep(max(0.0, seconds) / self._factor)
