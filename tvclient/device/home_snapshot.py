"""The store's tiles as the buyer last saw them, kept so that the next start shows them at once.

A TV that has run once starts straight into a full store: the tiles (title, price text, picture)
of the last catalog the backend sent, in the language they were shown in, while the device core
is still loading and asking the backend again. When the backend answers, the tiles are updated
in place. The snapshot is a cache, not a record: it holds what was on screen and nothing else (no
credential, binding or account), belongs to one backend URL and one language, and is ignored
when it does not match, cannot be read or looks wrong. What the buyer can *do* still waits for
the backend: OK on a tile before the catalog is fresh opens that product once it is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["HomeSnapshot", "MemorySnapshotStore", "SnapshotFile", "SnapshotStore"]

_log = logging.getLogger(__name__)

_FORMAT = 1
# A store of hundreds of products is a few hundred kB; anything far beyond is not ours.
MAX_ROWS = 1000
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HomeSnapshot:
    """What the store showed: for which backend, in which language, and its rows.

    Attributes:
        backend_url: The merchant backend the catalog came from (normalised).
        language: The language tag the rows are written in.
        rows: One mapping of role → text per tile, in order.
    """

    backend_url: str
    language: str
    rows: tuple[Mapping[str, str], ...]

    def matches(self, backend_url: str, language: str) -> bool:
        """Whether this snapshot may be shown for `backend_url` in `language`."""
        return self.backend_url == backend_url and self.language == language


class SnapshotStore(Protocol):
    """Where the last home screen is kept between runs."""

    def load(self) -> HomeSnapshot | None:
        """The last snapshot saved, or None (none yet, unreadable, or malformed)."""
        ...

    def save(self, snapshot: HomeSnapshot) -> None:
        """Replace the kept snapshot (failures are logged, never raised: it is only a cache)."""
        ...


class MemorySnapshotStore:
    """A snapshot store in memory (tests, and devices that keep nothing between runs)."""

    def __init__(self, snapshot: HomeSnapshot | None = None) -> None:
        self.snapshot = snapshot
        self.saves = 0

    def load(self) -> HomeSnapshot | None:
        """The snapshot held, if any."""
        return self.snapshot

    def save(self, snapshot: HomeSnapshot) -> None:
        """Hold `snapshot` (and count the saves, for tests)."""
        self.snapshot = snapshot
        self.saves += 1


class SnapshotFile:
    """The snapshot as a small JSON file in the user cache dir, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._warned = False

    def load(self) -> HomeSnapshot | None:
        """The snapshot in the file; None when there is none or it cannot be trusted."""
        try:
            if self.path.stat().st_size > MAX_BYTES:
                _log.info("ignoring %s: larger than a home screen can be", self.path)
                return None
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            _log.info("ignoring the home snapshot %s: %s", self.path, exc)
            return None
        snapshot = _parse(data)
        if snapshot is None:
            _log.info("ignoring the home snapshot %s: not in the expected shape", self.path)
        return snapshot

    def save(self, snapshot: HomeSnapshot) -> None:
        """Write `snapshot` (temporary file + rename, so a reader never sees half of it)."""
        data = {
            "format": _FORMAT,
            "backend_url": snapshot.backend_url,
            "language": snapshot.language,
            "rows": [dict(row) for row in snapshot.rows],
        }
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            temporary.replace(self.path)
        except OSError as exc:
            # When the directory itself is the problem there is nothing to remove.
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            if not self._warned:
                self._warned = True
                _log.warning(
                    "cannot keep the home screen for the next start in %s (%s); the app "
                    "still works, it only starts without tiles until the backend answers",
                    self.path, exc,
                )


def _parse(data: object) -> HomeSnapshot | None:
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    backend, language, rows = data.get("backend_url"), data.get("language"), data.get("rows")
    if not isinstance(backend, str) or not isinstance(language, str):
        return None
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        return None
    parsed = _rows(rows)
    return None if parsed is None else HomeSnapshot(backend, language, parsed)


def _rows(rows: Sequence[object]) -> tuple[Mapping[str, str], ...] | None:
    parsed: list[Mapping[str, str]] = []
    for row in rows:
        if not isinstance(row, dict):
            return None
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in row.items()):
            return None
        parsed.append(dict(row))
    return tuple(parsed)
