"""A private, throwaway PostgreSQL cluster for tests and benchmarks (never the machine's own)."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import IO

from tests.helpers.processes import (
    LOOPBACK,
    ServiceError,
    free_port,
    leashed,
    stop_process_group,
    tail,
)

PG_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"
# Durability is worthless for a cluster that is deleted after the run; speed is not.
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
}
_VALID_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def find_bindir(root: Path = PG_ROOT) -> Path:
    """The bin directory of the newest PostgreSQL installed under /usr/lib/postgresql."""
    candidates = []
    for initdb in root.glob("*/bin/initdb"):
        version = initdb.parent.parent.name
        if version.isdigit():
            candidates.append((int(version), initdb.parent))
    if not candidates:
        raise ServiceError(
            f"no PostgreSQL server under {root} (Debian package 'postgresql'); run scripts/setup"
        )
    return max(candidates)[1]


def libpq_url(url: str) -> str:
    """The same URL for libpq/psycopg (`postgresql://`), without the SQLAlchemy driver part."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


class PostgresCluster:
    """A PostgreSQL cluster in a temporary directory, on loopback TCP and a private unix socket.

    When the test run is root, the server runs as the `postgres` user (PostgreSQL refuses to
    run as root; `setpriv` switches the user). Authentication is `trust`: the cluster is
    reachable only from this machine and lives only as long as the test session.
    """

    def __init__(self, bindir: Path, root: Path, port: int, run_as: str | None) -> None:
        self.bindir = bindir
        self.root = root
        self.port = port
        self.run_as = run_as
        self.host = LOOPBACK
        self._server: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """The directory holding the server's unix socket."""
        return self.root

    @property
    def log_path(self) -> Path:
        """The server log."""
        return self.root / "postgres.log"

    @classmethod
    def start(cls, attempts: int = 3, deadline: float = 30.0) -> PostgresCluster:
        """Create and start a fresh cluster; retries on another port if the port was taken."""
        bindir = find_bindir()
        run_as = _server_user()
        last: ServiceError | None = None
        for _ in range(attempts):
            root = Path(tempfile.mkdtemp(prefix="tvclient-pg-"))
            if run_as is not None:
                shutil.chown(root, run_as, run_as)
            cluster = cls(bindir, root, free_port(), run_as)
            try:
                cluster._init_and_start(deadline)
            except ServiceError as exc:
                last = exc
                cluster.stop()
                continue
            return cluster
        assert last is not None
        raise last

    def url(self, database: str = "postgres", driver: str = "psycopg") -> str:
        """A SQLAlchemy URL (`postgresql+psycopg://...`) for `database` on this cluster."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a random name unless given); returns its SQLAlchemy URL."""
        name = name or f"t_{secrets.token_hex(6)}"
        if not _VALID_NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever still uses it."""
        if not _VALID_NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server at once (SIGQUIT: immediate shutdown) and delete the cluster's files."""
        try:
            if self._server is not None:
                stop_process_group(self._server, grace=10.0, first_signal=signal.SIGQUIT)
        finally:
            if self._log is not None:
                self._log.close()
            shutil.rmtree(self.root, ignore_errors=True)

    def _init_and_start(self, deadline: float) -> None:
        initdb = [str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER]
        initdb += ["--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        done = subprocess.run(  # noqa: S603 - fixed argv from this module, no shell
            leashed(initdb, user=self.run_as),
            capture_output=True,
            text=True,
            check=False,
            cwd=self.root,
            timeout=120,
        )
        if done.returncode != 0:
            raise ServiceError(
                f"PostgreSQL test cluster: initdb failed (exit {done.returncode}):\n"
                f"{done.stdout}{done.stderr}"
            )
        settings = dict(SETTINGS)
        settings["listen_addresses"] = f"'{self.host}'"
        settings["port"] = str(self.port)
        settings["unix_socket_directories"] = f"'{self.socket_dir}'"
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# tvclient test cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        # The postmaster is our direct child (not daemonised by pg_ctl), so it is stopped by
        # SIGQUIT even when the test run itself is killed.
        self._log = self.log_path.open("ab")
        self._server = subprocess.Popen(  # noqa: S603 - fixed argv from this module, no shell
            leashed(
                [str(self.bindir / "postgres"), "-D", str(self.data_dir)],
                user=self.run_as,
                on_parent_death="QUIT",
            ),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            cwd=self.root,
            start_new_session=True,
        )
        self._wait_ready(deadline)

    def _wait_ready(self, deadline: float) -> None:
        psycopg = _psycopg()
        assert self._server is not None
        end = time.monotonic() + deadline
        while True:
            code = self._server.poll()
            if code is not None:
                raise ServiceError(
                    f"PostgreSQL test server exited with code {code} while starting:\n"
                    f"{tail(self.log_path)}"
                )
            try:
                psycopg.connect(libpq_url(self.url()), connect_timeout=2).close()
            except psycopg.OperationalError as exc:
                if time.monotonic() > end:
                    raise ServiceError(
                        f"PostgreSQL test server did not accept connections within"
                        f" {deadline:.0f} s ({exc}):\n{tail(self.log_path)}"
                    ) from exc
                time.sleep(0.02)
            else:
                return

    def _admin(self, statement: str) -> None:
        psycopg = _psycopg()
        with psycopg.connect(libpq_url(self.url()), autocommit=True) as conn:
            conn.execute(statement.encode())


def _psycopg() -> ModuleType:
    try:
        import psycopg
    except ImportError as exc:
        raise ServiceError("psycopg is not installed; run scripts/setup") from exc
    return psycopg


def _server_user() -> str | None:
    """The user the server must run as: `postgres` when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        pwd.getpwnam(SUPERUSER)
        return SUPERUSER
    raise ServiceError(
        "there is no 'postgres' user to run the test cluster as (PostgreSQL refuses root);"
        " install the Debian package 'postgresql' (run scripts/setup)"
    )
