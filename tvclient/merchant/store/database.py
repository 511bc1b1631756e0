"""The data layer: engines, transactions with wake-ups, and schema migration at start-up.

SQLite (the embedded default) runs in WAL mode with two engines: readers with deferred
transactions, and one writer whose transactions begin `IMMEDIATE`, so concurrent writers queue
instead of failing on a stale snapshot. PostgreSQL uses one pooled engine; state changes that
wake long-polls are announced with `NOTIFY` inside their transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tvclient.merchant.errors import ConfigError
from tvclient.merchant.wakeups import CHANNEL, PostgresListener, Wakeups

__all__ = ["Database", "Tx", "database_url"]

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "merchant_schema_version"
_MIGRATION_LOCK = 0x7476_6D63  # an arbitrary advisory-lock number for "tvmc"


def database_url(text_or_path: str) -> str:
    """The SQLAlchemy async URL for what a person wrote.

    Accepts `sqlite:///file.db`, a bare file path, `postgresql://...` / `postgres://...` and
    URLs that already name the async driver.

    Raises:
        ConfigError: the URL names another database or cannot be read.
    """
    raw = text_or_path.strip()
    if "://" not in raw:
        return f"sqlite+aiosqlite:///{Path(raw).expanduser().resolve()}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"database URL {raw!r} cannot be read") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in {"postgresql", "postgres"}:
        if importlib.util.find_spec("psycopg") is None:
            # The packaged device app leaves the PostgreSQL driver out; say so plainly rather
            # than let SQLAlchemy fail deep inside with "No module named 'psycopg'".
            raise ConfigError(
                "PostgreSQL needs the psycopg driver, which this installation does not have: "
                "install tvclient with the [server] extra (pip install 'tvclient[server]'), "
                "or use an SQLite database (sqlite:///path/to/merchant.db)"
            )
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ConfigError(f"database {backend!r} is not supported; use sqlite:/// or postgresql://")


class Tx:
    """One write transaction: its connection and the wake-up keys to publish once it commits."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.keys: list[str] = []

    def wake(self, key: str) -> None:
        """Wake the waiters of `key` after this transaction commits."""
        if key not in self.keys:
            self.keys.append(key)


class Database:
    """The ledger's database: SQLite or PostgreSQL behind the same calls."""

    def __init__(self, url: str, wakeups: Wakeups, *, pool_size: int = 10) -> None:
        self.url = database_url(url)
        self.wakeups = wakeups
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self._listener: PostgresListener | None = None
        self._write_lock = asyncio.Lock()
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self._read = create_async_engine(
                self.url, pool_size=8, max_overflow=24, pool_timeout=60
            )
            self._write = create_async_engine(self.url, pool_size=1, max_overflow=0)
            _sqlite_setup(self._read, "BEGIN")
            _sqlite_setup(self._write, "BEGIN IMMEDIATE")
        else:
            self._read = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True
            )
            self._write = self._read

    @property
    def is_postgres(self) -> bool:
        """Whether this is PostgreSQL (several backend processes may share it)."""
        return self.dialect == "postgresql"

    def describe(self) -> str:
        """The URL without its password, for logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction."""
        async with self._read.connect() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        """A write transaction; its wake-up keys are published once it has committed."""
        if self.is_postgres:
            async with self._write.begin() as conn:
                tx = Tx(conn)
                yield tx
                for key in tx.keys:
                    await conn.execute(select(func.pg_notify(CHANNEL, key)))
            if self._listener is None:
                self.wakeups.publish(tx.keys)
            return
        async with self._write_lock, self._write.begin() as conn:
            tx = Tx(conn)
            yield tx
        self.wakeups.publish(tx.keys)

    async def migrate(self) -> None:
        """Bring the schema to the newest migration (safe to run from several processes)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        config.set_main_option("version_table", VERSION_TABLE)

        def upgrade(conn: Any) -> None:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

        async with self._write_lock, self._write.begin() as conn:
            if self.is_postgres:
                await conn.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
            await conn.run_sync(upgrade)
        log.info("database schema is current (%s)", self.describe())

    async def schema_version(self) -> str | None:
        """The applied migration, or None on an empty database."""
        async with self.read() as conn:
            try:
                query = text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 - constant
                row = (await conn.execute(query)).first()
            except Exception:  # noqa: BLE001 - "no such table" differs per engine
                return None
            return None if row is None else str(row[0])

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def start_listening(self) -> None:
        """Start cross-process wake-ups (PostgreSQL only; SQLite wakes in process)."""
        if self.is_postgres and self._listener is None:
            conninfo = make_url(self.url).set(drivername="postgresql")
            self._listener = PostgresListener(
                conninfo.render_as_string(hide_password=False), self.wakeups
            )
            await self._listener.start()

    async def close(self) -> None:
        """Stop listening and close every connection."""
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        await self._read.dispose()
        if self._write is not self._read:
            await self._write.dispose()


def _sqlite_setup(engine: AsyncEngine, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so `begin` below decides the mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)
