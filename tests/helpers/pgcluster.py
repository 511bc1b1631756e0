"""A private, throwaway PostgreSQL cluster for tests and benchmarks (never the machine's own)."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.helpers.processes import LOOPBACK, ServiceError, free_port, tail

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
    run as root). Authentication is `trust`: the cluster is reachable only from this machine
    and lives only as long as the test session.
    """

    def __init__(self, bindir: Path, root: Path, port: int, run_as: str | None) -> None:
        self.bindir = bindir
        self.root = root
        self.port = port
        self.run_as = run_as
        self.host = LOOPBACK

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
    def start(cls, attempts: int = 3) -> PostgresCluster:
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
                cluster._init_and_start()
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
        """Stop the server at once and delete the cluster's files."""
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D",
                        str(self.data_dir),
                        "-m",
                        "immediate",
                        "-w",
                        "stop",
                    ],
                    "stop the server",
                    check=False,
                )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _init_and_start(self) -> None:
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            "initdb",
        )
        settings = dict(SETTINGS)
        settings["listen_addresses"] = f"'{self.host}'"
        settings["port"] = str(self.port)
        settings["unix_socket_directories"] = f"'{self.socket_dir}'"
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# tvclient test cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_path),
                "-w",
                "-t",
                "30",
                "start",
            ],
            "start the server",
        )

    def _admin(self, statement: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise ServiceError("psycopg is not installed; run scripts/setup") from exc
        with psycopg.connect(libpq_url(self.url()), autocommit=True) as conn:
            conn.execute(statement.encode())

    def _run(self, args: list[str], what: str, *, check: bool = True) -> None:
        if self.run_as is not None:
            args = ["runuser", "-u", self.run_as, "--", *args]
        done = subprocess.run(  # noqa: S603 - fixed argv from this module, no shell
            args, capture_output=True, text=True, check=False, cwd=self.root, timeout=60
        )
        if check and done.returncode != 0:
            raise ServiceError(
                f"PostgreSQL test cluster: cannot {what} (exit {done.returncode}):\n"
                f"{done.stdout}{done.stderr}\nserver log:\n{tail(self.log_path)}"
            )


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
