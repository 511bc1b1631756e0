"""Visit statistics (no Qt): a running summary for the staff menu and a CSV line per visit.

A visit runs from the first input on the attract loop to the reset after it. Time to bind is
measured from that first input to the moment the wallet is linked, like Android's retail demo
metrics count from the first touch. The summary is kept in the booth's state store so it
survives restarts; "reset statistics" starts a new summary. The CSV (under the user data dir)
is the full log: it is only ever appended to, never rewritten.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from tvclient.clock import Clock
from tvclient.device.safety.store import JsonValue, StateStore

__all__ = ["CSV_FIELDS", "STATS_KEY", "Summary", "Visit", "VisitLog"]

_log = logging.getLogger(__name__)

STATS_KEY = "booth.stats"
CSV_FIELDS = (
    "started_at", "ended_at", "seconds", "bound", "seconds_to_bind", "wallet", "purchases",
    "ended_by",
)


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals since `since`."""

    since: dt.datetime
    visits: int = 0
    binds: int = 0
    purchases: int = 0
    bind_seconds: float = 0.0

    @property
    def average_bind_seconds(self) -> float | None:
        """Mean time from a visit's first input to its bind; None before the first bind."""
        return self.bind_seconds / self.binds if self.binds else None

    def to_json(self) -> dict[str, JsonValue]:
        """The stored form."""
        return {
            "since": self.since.isoformat(),
            "visits": self.visits,
            "binds": self.binds,
            "purchases": self.purchases,
            "bind_seconds": round(self.bind_seconds, 3),
        }

    @classmethod
    def from_json(cls, value: JsonValue) -> Summary:
        """Read the stored form.

        Raises:
            ValueError: not a summary this version wrote.
        """
        if not isinstance(value, dict):
            raise ValueError("not an object")
        since, seconds = value.get("since"), value.get("bind_seconds")
        if not isinstance(since, str):
            raise ValueError("no start date")
        moment = dt.datetime.fromisoformat(since)
        if moment.tzinfo is None:
            raise ValueError("date without a time zone")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError("bad bind seconds")
        return cls(
            moment, _count(value, "visits"), _count(value, "binds"), _count(value, "purchases"),
            float(seconds),
        )


def _count(value: dict[str, JsonValue], key: str) -> int:
    count = value.get(key)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"bad {key} count")
    return count


@dataclass(slots=True)
class Visit:
    """The visit in progress."""

    started_at: dt.datetime
    started_mono: float
    bound_after: float | None = None
    wallet: str | None = None
    purchases: int = 0


class VisitLog:
    """Counts visits, binds and purchases; appends one CSV line per finished visit.

    Args:
        store: Where the summary is kept (the booth's state store).
        csv_path: The visit log (created with a header line on first use).
        clock: The booth's clock.
    """

    def __init__(self, store: StateStore, csv_path: Path, clock: Clock) -> None:
        self._store = store
        self._csv = csv_path
        self._clock = clock
        self._visit: Visit | None = None
        self._summary = self._load()

    @property
    def csv_path(self) -> Path:
        """Where visits are logged."""
        return self._csv

    @property
    def current(self) -> Visit | None:
        """The visit in progress, if any."""
        return self._visit

    def summary(self) -> Summary:
        """Totals of finished visits since the last reset of the statistics."""
        return self._summary

    def start(self) -> None:
        """A visitor started a visit (first input on the attract loop)."""
        self._visit = Visit(self._clock.now(), self._clock.monotonic())

    def bound(self, wallet: str) -> None:
        """The visitor linked a wallet (counted once per visit)."""
        visit = self._visit
        if visit is None or visit.bound_after is not None:
            return
        visit.bound_after = max(0.0, self._clock.monotonic() - visit.started_mono)
        visit.wallet = wallet

    def purchased(self) -> None:
        """The visitor bought something (a purchase that succeeded)."""
        if self._visit is not None:
            self._visit.purchases += 1

    def end(self, ended_by: str, *, counted: bool = True) -> Visit | None:
        """The visit is over: add it to the summary and the CSV (unless not `counted`)."""
        visit, self._visit = self._visit, None
        if visit is None or not counted:
            return visit
        summary = self._summary
        bound = visit.bound_after is not None
        self._summary = replace(
            summary,
            visits=summary.visits + 1,
            binds=summary.binds + int(bound),
            purchases=summary.purchases + visit.purchases,
            bind_seconds=summary.bind_seconds + (visit.bound_after or 0.0),
        )
        self._save()
        self._append(visit, ended_by)
        return visit

    def reset(self) -> Summary:
        """Start counting afresh (staff menu); the CSV keeps every earlier visit."""
        self._summary = Summary(since=self._clock.now())
        self._save()
        return self._summary

    # ------------------------------------------------------------------ storage
    def _load(self) -> Summary:
        value = self._store.load(STATS_KEY)
        if value is not None:
            try:
                return Summary.from_json(value)
            except ValueError as exc:
                _log.warning("booth statistics unreadable (%s); starting a new count", exc)
        summary = Summary(since=self._clock.now())
        self._store.save(STATS_KEY, summary.to_json())
        return summary

    def _save(self) -> None:
        self._store.save(STATS_KEY, self._summary.to_json())

    def _append(self, visit: Visit, ended_by: str) -> None:
        ended = self._clock.now()
        row = {
            "started_at": visit.started_at.isoformat(timespec="seconds"),
            "ended_at": ended.isoformat(timespec="seconds"),
            "seconds": f"{(ended - visit.started_at).total_seconds():.0f}",
            "bound": "yes" if visit.bound_after is not None else "no",
            "seconds_to_bind": "" if visit.bound_after is None else f"{visit.bound_after:.1f}",
            "wallet": visit.wallet or "",
            "purchases": str(visit.purchases),
            "ended_by": ended_by,
        }
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
        try:
            self._csv.parent.mkdir(parents=True, exist_ok=True)
            new = not self._csv.exists() or self._csv.stat().st_size == 0
            if new:
                writer.writeheader()
            writer.writerow(row)
            with self._csv.open("a", encoding="utf-8", newline="") as out:
                out.write(buffer.getvalue())
        except OSError as exc:
            # The summary is kept; only the log line is lost, and the operator is told.
            _log.warning("could not append to the visit log %s: %s", self._csv, exc)
