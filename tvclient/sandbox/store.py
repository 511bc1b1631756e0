"""The sandbox's SQLite database: schema, one connection, transactions, snapshots.

All state lives in one SQLite file in the data dir, in WAL mode. The app runs on one event
loop and touches the database only from that loop's thread, with no `await` inside a
transaction, so one connection serves everything and transactions never interleave. Each
transaction is `BEGIN IMMEDIATE`: a second process opening the same file (an operator command
reading the token) waits instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tvclient.sandbox.errors import DataDirError

__all__ = ["DATABASE_FILE", "SCHEMA_VERSION", "Row", "Store", "open_read_only"]

DATABASE_FILE = "sandbox.sqlite3"
SCHEMA_VERSION = 1
Row = sqlite3.Row

# Times are epoch milliseconds on the sandbox clock; amounts are integer minor units.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    merchant_name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    auth_notify_url TEXT,
    payment_notify_url TEXT,
    refund_notify_url TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS buyers (
    buyer_id TEXT PRIMARY KEY,
    wallet TEXT NOT NULL,
    name TEXT NOT NULL,
    login_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS spend (
    buyer_id TEXT NOT NULL,
    period TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (buyer_id, period)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consults (
    code TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    wallet TEXT NOT NULL,
    auth_state TEXT NOT NULL,
    scopes TEXT NOT NULL,
    redirect_url TEXT NOT NULL,
    notify_url TEXT,
    auth_client_id TEXT,
    status TEXT NOT NULL,
    buyer_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER
);
CREATE INDEX IF NOT EXISTS consults_pending ON consults (status, expires_at);
CREATE TABLE IF NOT EXISTS auth_codes (
    auth_code TEXT PRIMARY KEY,
    consult_code TEXT NOT NULL,
    client_id TEXT NOT NULL,
    wallet TEXT NOT NULL,
    buyer_id TEXT NOT NULL,
    auth_state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    binding_id TEXT
);
CREATE TABLE IF NOT EXISTS bindings (
    binding_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    wallet TEXT NOT NULL,
    buyer_id TEXT NOT NULL,
    auth_state TEXT NOT NULL,
    auth_client_id TEXT,
    notify_url TEXT,
    refresh_token TEXT NOT NULL UNIQUE,
    refresh_expires_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_by TEXT,
    revoke_reason TEXT
);
CREATE INDEX IF NOT EXISTS bindings_buyer ON bindings (buyer_id, status);
CREATE TABLE IF NOT EXISTS access_tokens (
    access_token TEXT PRIMARY KEY,
    binding_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS access_tokens_binding ON access_tokens (binding_id, created_at);
CREATE TABLE IF NOT EXISTS payments (
    payment_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    payment_request_id TEXT NOT NULL,
    access_token TEXT NOT NULL,
    method_type TEXT NOT NULL,
    binding_id TEXT,
    buyer_id TEXT,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    reference_order_id TEXT,
    order_description TEXT,
    notify_url TEXT,
    status TEXT NOT NULL,
    result_code TEXT NOT NULL,
    result_message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    paid_at INTEGER,
    settle_at INTEGER,
    settle_outcome TEXT,
    cancelled_at INTEGER,
    cancel_returned INTEGER NOT NULL DEFAULT 0,
    refunded INTEGER NOT NULL DEFAULT 0,
    UNIQUE (client_id, payment_request_id)
);
CREATE INDEX IF NOT EXISTS payments_buyer ON payments (buyer_id, created_at);
CREATE INDEX IF NOT EXISTS payments_settle ON payments (settle_at) WHERE settle_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS payments_paid ON payments (paid_at) WHERE paid_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS refunds (
    refund_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    refund_request_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    reference_refund_id TEXT,
    reason TEXT,
    notify_url TEXT,
    status TEXT NOT NULL,
    result_code TEXT NOT NULL,
    result_message TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    refund_time INTEGER,
    settle_at INTEGER,
    settle_outcome TEXT,
    UNIQUE (client_id, refund_request_id)
);
CREATE INDEX IF NOT EXISTS refunds_payment ON refunds (payment_id);
CREATE INDEX IF NOT EXISTS refunds_settle ON refunds (settle_at) WHERE settle_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS declarations (
    client_id TEXT NOT NULL,
    declaration_request_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    customs_code TEXT NOT NULL,
    region TEXT NOT NULL,
    merchant_customs_code TEXT NOT NULL,
    merchant_customs_name TEXT NOT NULL,
    split_order INTEGER NOT NULL,
    sub_order_id TEXT,
    certificate TEXT,
    customs_payment_id TEXT NOT NULL,
    customs_order_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, declaration_request_id)
);
CREATE INDEX IF NOT EXISTS declarations_payment ON declarations (payment_id);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    url TEXT NOT NULL,
    body BLOB NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER,
    created_at INTEGER NOT NULL,
    last_attempt_at INTEGER,
    delivered_at INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (status, next_at);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    remaining INTEGER NOT NULL,
    params TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS faults_target ON faults (target, remaining);
"""


class Store:
    """One SQLite connection to the sandbox database, used from the event loop's thread."""

    def __init__(self, path: Path) -> None:
        try:
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode loses nothing when the process dies, only on power loss.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(_SCHEMA)
            version = self._conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is None:
                self._conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
            elif version[0] != str(SCHEMA_VERSION):
                raise DataDirError(
                    f"{path} has schema version {version[0]}; this sandbox reads {SCHEMA_VERSION}"
                )
        except sqlite3.DatabaseError as exc:
            raise DataDirError(f"cannot open the sandbox database {path}: {exc}") from None
        self.path = path
        self._depth = 0

    def close(self) -> None:
        """Close the connection (a checkpoint folds the WAL back into the file)."""
        self._conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested uses join the outer one. Rolls back on any exception."""
        if self._depth:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self._conn
        except BaseException:
            self._depth = 0
            self._conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self._conn.execute("COMMIT")

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        return self._conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement (inside `transaction()`); returns the rows it changed."""
        return self._conn.execute(sql, params).rowcount

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT (inside `transaction()`); returns the new row id."""
        rowid = self._conn.execute(sql, params).lastrowid
        return int(rowid or 0)

    def get_meta(self, key: str) -> str | None:
        """A value of the meta table."""
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the meta table (inside `transaction()`)."""
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, for tests that check a request changed nothing."""
        tables = [
            row[0]
            for row in self.all(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            # Table names come from sqlite_master above, never from input.
            table: [tuple(row) for row in self.all(f"SELECT * FROM {table} ORDER BY 1")]  # noqa: S608
            for table in tables
        }


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a sandbox database that a running sandbox may hold open."""
    if not path.exists():
        raise DataDirError(f"no sandbox database at {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)
    except sqlite3.DatabaseError as exc:
        raise DataDirError(f"cannot open the sandbox database {path}: {exc}") from None
    conn.row_factory = sqlite3.Row
    return conn
