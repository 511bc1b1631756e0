"""Time as the sandbox stores and shows it: integer epoch milliseconds inside, ISO 8601 outside.

Stored times are milliseconds since the epoch on the sandbox clock, so comparisons in SQL are
integer comparisons. Times on the wire are ISO 8601 with Antom's own offset (GMT+8), which is
also the zone of the cancel window and of the report dates.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "ANTOM_ZONE",
    "EPOCH",
    "MINUTE_MS",
    "SECOND_MS",
    "from_ms",
    "iso",
    "iso_or_none",
    "to_ms",
]

ANTOM_ZONE = dt.timezone(dt.timedelta(hours=8), "GMT+8")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SECOND_MS = 1000
MINUTE_MS = 60 * SECOND_MS


def to_ms(moment: dt.datetime) -> int:
    """Whole milliseconds since the epoch of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r} has no time zone")
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def from_ms(ms: int) -> dt.datetime:
    """The UTC datetime of epoch milliseconds."""
    return EPOCH + dt.timedelta(milliseconds=ms)


def iso(ms: int, zone: dt.tzinfo = ANTOM_ZONE) -> str:
    """ISO 8601 with offset and whole seconds, e.g. `2026-03-02T12:00:00+08:00`."""
    return from_ms(ms).astimezone(zone).isoformat(timespec="seconds")


def iso_or_none(ms: int | None) -> str | None:
    """`iso(ms)`, or None for None."""
    return None if ms is None else iso(ms)
