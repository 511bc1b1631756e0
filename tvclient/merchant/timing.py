"""Waiting on an event or an injected clock, whichever comes first."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from tvclient.clock import Clock

__all__ = ["antom_time", "iso", "parse_antom_time", "wait_event"]


async def wait_event(event: asyncio.Event, seconds: float, clock: Clock) -> bool:
    """Wait until `event` is set or `seconds` of clock time pass; True if the event was set."""
    if event.is_set():
        return True
    if seconds <= 0:
        return False
    waiter = asyncio.ensure_future(event.wait())
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    try:
        await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiter, sleeper):
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    return event.is_set()


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z`, to the second (the device API's time format)."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_antom_time(value: object) -> dt.datetime | None:
    """An Antom ISO 8601 time (`2026-03-02T12:00:00+08:00`) as aware UTC; None if unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(dt.UTC)


def antom_time(moment: dt.datetime) -> str:
    """A time as Antom writes it: ISO 8601 with offset, to the second."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()
