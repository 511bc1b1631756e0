"""Finding, keeping and re-finding a CEC adapter; keys become action events (no Qt).

`CecLink.tick(at)` is called on every poll. Without an adapter it tries its sources in order at
most every `retry_seconds` (10 s, as Kodi and Jellyfin Media Player do); when the adapter goes
away it releases any held key, says so once, and goes back to looking. Absent hardware or
library is one INFO line the first time, then silence.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from tvclient.app.input.actions import InputEvent
from tvclient.app.input.cec.sources import CecLostError, CecSource
from tvclient.app.input.cec.tracker import CecKeyTracker

__all__ = ["CecLink"]

_log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Connection:
    source: CecSource
    adapter: str
    tracker: CecKeyTracker


class CecLink:
    """One CEC connection over a list of candidate sources."""

    def __init__(
        self, sources: Sequence[CecSource], *, retry_seconds: float = 10.0,
        release_timeout: float = 0.55,
    ) -> None:
        self._sources = tuple(sources)
        self._retry = retry_seconds
        self._release_timeout = release_timeout
        self._conn: _Connection | None = None
        self._next_attempt: float | None = None
        self._told_absent = False
        self._waiting: list[CecSource] = []
        self._reasons: dict[str, str] = {}

    @property
    def adapter(self) -> str | None:
        """The connected adapter's description, or None."""
        return self._conn.adapter if self._conn is not None else None

    @property
    def source_name(self) -> str | None:
        """Which source the adapter was reached through."""
        return self._conn.source.name if self._conn is not None else None

    def status(self) -> list[str]:
        """One line per source: why it cannot work, or that it might (for doctor)."""
        lines = []
        for source in self._sources:
            reason = source.unavailable()
            lines.append(f"{source.name}: {reason}" if reason else f"{source.name}: usable")
        return lines

    def tick(self, at: float) -> list[InputEvent]:
        """Connect if due, then turn the adapter's news into events."""
        conn = self._conn
        if conn is None:
            self._connect(at)
            return []
        try:
            keys = conn.source.read()
        except CecLostError as exc:
            return self._lost(conn, at, str(exc))
        events: list[InputEvent] = []
        for key in keys:
            events += conn.tracker.feed(key, at)
        events += conn.tracker.expire(at)
        return events

    def close(self) -> None:
        """Let go of the adapter."""
        if self._conn is not None:
            self._conn.source.close()
        self._conn = None

    def _connect(self, at: float) -> None:
        # Sources opening in the background are asked every tick until they finish.
        waiting = [s for s in self._sources if s.connecting or s in self._waiting]
        if self._next_attempt is None or at >= self._next_attempt:
            self._next_attempt = at + self._retry
            candidates: Sequence[CecSource] = self._sources
        elif waiting:
            candidates = waiting
        else:
            return
        for source in candidates:
            reason = source.unavailable()
            if reason is not None:
                self._reasons[source.name] = reason
                continue
            adapter = source.open()
            if adapter is None:
                self._reasons[source.name] = (
                    "opening" if source.connecting else "no adapter found"
                )
                continue
            self._conn = _Connection(
                source, adapter, CecKeyTracker(f"cec:{adapter}", self._release_timeout)
            )
            self._told_absent = False
            self._waiting = []
            _log.info("HDMI-CEC remote connected: %s (%s)", adapter, source.name)
            return
        self._waiting = [source for source in self._sources if source.connecting]
        if not self._waiting and not self._told_absent:
            self._told_absent = True
            reasons = [
                f"{name}: {'no adapter found' if why == 'opening' else why}"
                for name, why in self._reasons.items()
            ]
            _log.info(
                "HDMI-CEC remote not available (%s); looking again every %g s",
                "; ".join(reasons) or "no sources", self._retry,
            )

    def _lost(self, conn: _Connection, at: float, why: str) -> list[InputEvent]:
        events = conn.tracker.release_all(at)
        _log.info(
            "HDMI-CEC adapter %s went away (%s); looking again every %g s",
            conn.adapter, why, self._retry,
        )
        conn.source.close()
        self._conn = None
        self._told_absent = True
        self._next_attempt = at + self._retry
        return events
