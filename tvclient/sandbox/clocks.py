"""Sandbox time across restarts: never earlier than the last thing that happened.

A time-scaled sandbox runs ahead of the real clock (at `--timescale 60` an hour of running is
two and a half days). Started again, a fresh clock would go back to the real time, before
payments and tokens it already recorded. `resume_clock` starts the sandbox clock at the later of
the real time and the latest time recorded in the database, then runs it at the given scale.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tvclient.clock import Clock, ScaledClock, SystemClock
from tvclient.sandbox.store import DATABASE_FILE, open_read_only
from tvclient.sandbox.times import from_ms

__all__ = ["ShiftedClock", "latest_recorded_ms", "resume_clock"]

# Every table whose times only move forward, and its time columns.
_TIME_COLUMNS = {
    "consults": ("created_at", "decided_at"),
    "auth_codes": ("created_at", "used_at"),
    "bindings": ("created_at", "revoked_at"),
    "access_tokens": ("created_at",),
    "payments": ("created_at", "paid_at", "cancelled_at"),
    "refunds": ("created_at", "refund_time"),
    "declarations": ("created_at",),
    "notifications": ("created_at", "last_attempt_at"),
}


class ShiftedClock:
    """The system clock moved forward by a fixed offset (wall time only)."""

    def __init__(self, offset: dt.timedelta, base: Clock | None = None) -> None:
        self._offset = offset
        self._base = base or SystemClock()

    def now(self) -> dt.datetime:
        """The base clock's time plus the offset."""
        return self._base.now() + self._offset

    def monotonic(self) -> float:
        """The base clock's monotonic seconds."""
        return self._base.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the base clock."""
        await self._base.sleep(seconds)


def latest_recorded_ms(data_dir: Path) -> int | None:
    """The latest time recorded in a sandbox database, or None (no database or nothing yet)."""
    path = data_dir / DATABASE_FILE
    if not path.exists():
        return None
    conn = open_read_only(path)
    try:
        latest: int | None = None
        for table, columns in _TIME_COLUMNS.items():
            # Table and column names come from the constant above, never from input.
            parts = ", ".join(f"MAX({column})" for column in columns)
            row = conn.execute(f"SELECT {parts} FROM {table}").fetchone()  # noqa: S608
            for value in row or ():
                if value is not None and (latest is None or value > latest):
                    latest = int(value)
        return latest
    finally:
        conn.close()


def resume_clock(data_dir: Path, time_scale: float = 1.0, base: Clock | None = None) -> Clock:
    """The clock for a sandbox on `data_dir`, started no earlier than its latest record.

    It runs at real speed times `time_scale`.
    """
    real = base or SystemClock()
    latest = latest_recorded_ms(data_dir)
    offset = dt.timedelta(0)
    if latest is not None:
        ahead = from_ms(latest) - real.now()
        offset = max(offset, ahead)
    start: Clock = real if offset == dt.timedelta(0) else ShiftedClock(offset, real)
    return start if time_scale == 1 else ScaledClock(time_scale, start)
