"""Notifications to the merchant: an outbox in the database and the deliverer that empties it.

A notification is written to the outbox in the same transaction as the change it reports, so
neither is ever lost without the other. The deliverer signs each attempt as Antom does (the
signed path is the notify URL's path, with a fresh `request-time`), POSTs it, and re-sends on
Antom's schedule — 0 s, 2 min, 10 min, 10 min, 1 h, 2 h, 6 h, 15 h after the previous
attempt — until the merchant answers HTTP 200 with the fixed success body. With retries off
(Antom's own sandbox behaviour) one failed attempt is final.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx

from tvclient.antom.headers import epoch_millis
from tvclient.antom.result import is_notification_success_reply
from tvclient.antom.signing import request_headers
from tvclient.clock import Clock
from tvclient.sandbox.datadir import Identity
from tvclient.sandbox.faults import FaultKind, Faults
from tvclient.sandbox.store import Row, Store
from tvclient.sandbox.times import SECOND_MS, to_ms

__all__ = [
    "RETRY_SCHEDULE",
    "Attempt",
    "NotificationStatus",
    "Notifier",
    "NotifyKind",
    "Outbox",
    "compact_json",
    "signed_path",
]

_log = logging.getLogger(__name__)

# Seconds to wait before each attempt, counted from the previous attempt (reference §10.1).
RETRY_SCHEDULE: tuple[int, ...] = (0, 120, 600, 600, 3600, 7200, 21600, 54000)
_MAX_PARALLEL = 32


class NotifyKind(StrEnum):
    """The three notifications, named as their fault targets are."""

    AUTHORIZATION = "notifyAuthorization"
    PAYMENT = "notifyPayment"
    REFUND = "notifyRefund"


class NotificationStatus(StrEnum):
    """Where a notification is in its life."""

    PENDING = "PENDING"
    """Waiting for its next attempt at `next_at`."""
    HELD = "HELD"
    """Held back by an out-of-order fault until a later one is sent (or `next_at`)."""
    SENDING = "SENDING"
    """An attempt is running (PENDING again if the sandbox stops meanwhile)."""
    DELIVERED = "DELIVERED"
    """The merchant answered the fixed success reply."""
    FAILED = "FAILED"
    """Every attempt failed (or the one attempt, with retries off)."""
    DROPPED = "DROPPED"
    """Dropped by a fault: never sent."""


def signed_path(url: str) -> str:
    """The path a notification to `url` is signed with: the URL's path alone.

    Scheme, host and query are left out: the path is what a merchant reads as its request path.
    """
    return urlsplit(url).path or "/"


def compact_json(data: dict[str, Any]) -> bytes:
    """The bytes a notification body travels as."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


class Outbox:
    """Writes notifications (inside the caller's transaction) and tracks their delivery."""

    def __init__(self, store: Store, faults: Faults, wake: Callable[[], None]) -> None:
        self._store = store
        self._faults = faults
        self._wake = wake

    def enqueue(
        self,
        *,
        client_id: str,
        kind: NotifyKind,
        subject: str,
        url: str | None,
        body: dict[str, Any],
        now_ms: int,
    ) -> None:
        """Queue a notification (inside the caller's transaction).

        With no URL (none in the request, none configured) nothing is sent, as with Antom.
        A notification fault armed for `kind` applies here.
        """
        if not url:
            return
        fault = self._faults.take(kind.value)
        status, copies = NotificationStatus.PENDING, 1
        next_at: int | None = now_ms
        if fault is not None:
            if fault.kind is FaultKind.DROP:
                status, next_at = NotificationStatus.DROPPED, None
            elif fault.kind is FaultKind.DUPLICATE:
                copies = 2
            elif fault.kind is FaultKind.DELAY:
                next_at = now_ms + round(fault.seconds * SECOND_MS)
            elif fault.kind is FaultKind.OUT_OF_ORDER:
                status = NotificationStatus.HELD
                next_at = now_ms + round(fault.seconds * SECOND_MS)
        payload = compact_json(body)
        for _ in range(copies):
            self._store.insert(
                "INSERT INTO notifications (client_id, kind, subject, url, body, status, "
                "next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (client_id, kind.value, subject, url, payload, status.value, next_at, now_ms),
            )
        self._wake()

    def take_due(self, now_ms: int) -> list[Row]:
        """Notifications whose next attempt is due, marked SENDING."""
        with self._store.transaction():
            rows = self._store.all(
                "SELECT * FROM notifications WHERE status IN ('PENDING', 'HELD') "
                "AND next_at <= ? ORDER BY next_at, id",
                (now_ms,),
            )
            for row in rows:
                self._store.execute(
                    "UPDATE notifications SET status = 'SENDING' WHERE id = ?", (row["id"],)
                )
        return rows

    def next_due_at(self) -> int | None:
        """When the next attempt is due, if any."""
        value = self._store.scalar(
            "SELECT MIN(next_at) FROM notifications WHERE status IN ('PENDING', 'HELD')"
        )
        return None if value is None else int(value)

    def record(
        self, row: Row, *, now_ms: int, delivered: bool, error: str | None, retry: bool
    ) -> None:
        """Record one attempt and schedule the next (or finish)."""
        attempts = int(row["attempts"]) + 1
        if delivered:
            status, next_at = NotificationStatus.DELIVERED, None
        elif retry and attempts < len(RETRY_SCHEDULE):
            status = NotificationStatus.PENDING
            next_at = now_ms + RETRY_SCHEDULE[attempts] * SECOND_MS
        else:
            status, next_at = NotificationStatus.FAILED, None
        with self._store.transaction():
            self._store.execute(
                "UPDATE notifications SET status = ?, attempts = ?, next_at = ?, "
                "last_attempt_at = ?, delivered_at = ?, last_error = ? WHERE id = ?",
                (
                    status.value, attempts, next_at, now_ms,
                    now_ms if delivered else None, error, row["id"],
                ),
            )
            # An out-of-order notification goes once a later one to the same client went.
            self._store.execute(
                "UPDATE notifications SET status = 'PENDING', next_at = ? "
                "WHERE status = 'HELD' AND client_id = ? AND id < ?",
                (now_ms, row["client_id"], row["id"]),
            )

    def all(self, limit: int = 200) -> list[Row]:
        """The latest notifications, newest first (operator view)."""
        return self._store.all("SELECT * FROM notifications ORDER BY id DESC LIMIT ?", (limit,))


@dataclass(frozen=True, slots=True)
class Attempt:
    """The outcome of one delivery attempt."""

    delivered: bool
    error: str | None


class Notifier:
    """Delivers due notifications from the outbox over an injectable `httpx.AsyncClient`."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        clock: Clock,
        identity: Identity,
        http_client: httpx.AsyncClient,
        retry: bool,
        timeout: float,
        wake: Callable[[], None],
    ) -> None:
        self._outbox = outbox
        self._wake = wake
        self._clock = clock
        self._identity = identity
        self._http = http_client
        self._retry = retry
        self._timeout = timeout
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(_MAX_PARALLEL)

    def start_due(self, now_ms: int) -> None:
        """Start an attempt for every due notification."""
        for row in self._outbox.take_due(now_ms):
            task = asyncio.get_running_loop().create_task(self._deliver(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @property
    def busy(self) -> bool:
        """Whether attempts are running."""
        return bool(self._tasks)

    async def wait_idle(self) -> None:
        """Wait until the attempts running now have finished."""
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel running attempts (they are due again after the next start)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _deliver(self, row: Row) -> None:
        async with self._slots:
            attempt = await self._attempt(row)
        now_ms = to_ms(self._clock.now())
        self._outbox.record(
            row, now_ms=now_ms, delivered=attempt.delivered, error=attempt.error,
            retry=self._retry,
        )
        self._wake()
        attempts = int(row["attempts"]) + 1
        if attempt.delivered:
            return
        if self._retry and attempts < len(RETRY_SCHEDULE):
            _log.info(
                "notification %s #%s to %s not accepted (attempt %s, will retry): %s",
                row["kind"], row["id"], row["url"], attempts, attempt.error,
            )
        else:
            _log.warning(
                "notification %s #%s to %s given up after %s attempt(s): %s",
                row["kind"], row["id"], row["url"], attempts, attempt.error,
            )

    async def _attempt(self, row: Row) -> Attempt:
        url = str(row["url"])
        body = bytes(row["body"])
        headers = request_headers(
            self._identity.antom_private_key,
            method="POST",
            path=signed_path(url),
            client_id=str(row["client_id"]),
            time=epoch_millis(self._clock.now()),
            body=body,
        )
        try:
            response = await self._http.post(url, content=body, headers=headers,
                                             timeout=self._timeout)
        except httpx.HTTPError as exc:
            return Attempt(False, f"{type(exc).__name__}: {exc}"[:500])
        except ValueError as exc:  # an URL httpx cannot use (it was checked when stored)
            return Attempt(False, f"unusable URL: {exc}"[:500])
        if response.status_code != 200:
            return Attempt(False, f"HTTP {response.status_code}")
        if not is_notification_success_reply(response.content):
            return Attempt(False, "the reply is not the fixed success body")
        return Attempt(True, None)
