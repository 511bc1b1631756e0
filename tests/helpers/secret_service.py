"""A private Secret Service for tests: its own D-Bus session bus and an unlocked gnome-keyring."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from jeepney import DBusAddress, new_method_call  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]
from keyring.backend import KeyringBackend

from tests.helpers.processes import (
    ServiceError,
    leashed,
    require_binary,
    stop_process_group,
    tail,
)

SECRETS_BUS_NAME = "org.freedesktop.secrets"
BACKEND = "keyring.backends.SecretService.Keyring"


class SecretServiceSession:
    """A D-Bus session bus plus `gnome-keyring-daemon --unlock`, with a throwaway HOME.

    Nothing here touches the developer's own keyring: the daemons see only the temporary HOME
    and XDG directories, and the bus address is handed out explicitly.
    """

    def __init__(self, root: Path, password: str) -> None:
        self.root = root
        self.home = root / "home"
        self.password = password
        self.bus_address = ""
        self._bus: subprocess.Popen[str] | None = None
        self._keyring_daemon: subprocess.Popen[str] | None = None
        self._logs: list[IO[str]] = []

    @property
    def log_path(self) -> Path:
        """Where both daemons write their output."""
        return self.root / "daemons.log"

    @classmethod
    def start(cls, password: str = "tvclient-test", deadline: float = 15.0) -> SecretServiceSession:
        """Start the bus and the keyring daemon; returns once the Secret Service answers."""
        dbus_daemon = require_binary("dbus-daemon", "dbus")
        keyring_daemon = require_binary("gnome-keyring-daemon", "gnome-keyring")
        session = cls(Path(tempfile.mkdtemp(prefix="tvclient-keyring-")), password)
        try:
            session._start(dbus_daemon, keyring_daemon, deadline)
        except BaseException:
            session.stop()
            raise
        return session

    def environment(self) -> dict[str, str]:
        """Variables that point a process (this one or a child) at this Secret Service."""
        return {
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "PYTHON_KEYRING_BACKEND": BACKEND,
        }

    def backend(self) -> KeyringBackend:
        """A new `keyring.backends.SecretService.Keyring` (it connects through the bus variable)."""
        from keyring.backends import SecretService

        backend: KeyringBackend = SecretService.Keyring()  # type: ignore[no-untyped-call]
        return backend

    def clear(self) -> None:
        """Delete every item in every collection, so the next test starts empty."""
        import secretstorage

        with contextlib.closing(open_dbus_connection(self.bus_address)) as conn:
            for collection in secretstorage.get_all_collections(conn):
                for item in collection.get_all_items():
                    item.delete()

    def stop(self) -> None:
        """Kill both daemons and delete the temporary HOME."""
        for popen in (self._keyring_daemon, self._bus):
            if popen is not None:
                stop_process_group(popen, grace=3.0)
        for log in self._logs:
            log.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _daemon_env(self) -> dict[str, str]:
        runtime = self.root / "run"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
        }
        env.update(
            HOME=str(self.home),
            XDG_RUNTIME_DIR=str(runtime),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
        )
        return env

    def _start(self, dbus_daemon: str, keyring_daemon: str, deadline: float) -> None:
        self.home.mkdir()
        (self.root / "run").mkdir(mode=0o700)
        (self.root / "bus").mkdir()
        env = self._daemon_env()
        log = self.log_path.open("a")
        self._logs.append(log)

        self._bus = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            leashed(
                [
                    dbus_daemon,
                    "--session",
                    "--nofork",
                    "--nopidfile",
                    "--print-address=1",
                    f"--address=unix:dir={self.root / 'bus'}",
                ]
            ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            text=True,
            start_new_session=True,
        )
        assert self._bus.stdout is not None
        self.bus_address = self._bus.stdout.readline().strip()
        self._bus.stdout.close()
        if not self.bus_address:
            raise ServiceError(
                f"dbus-daemon printed no bus address (exit {self._bus.poll()}):\n"
                f"{tail(self.log_path)}"
            )
        env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address

        # --unlock reads the login keyring's password from stdin; without it the daemon would
        # ask gcr-prompter, which cannot open a window here.
        self._keyring_daemon = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            leashed([keyring_daemon, "--foreground", "--unlock", "--components=secrets"]),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=log,
            env=env,
            text=True,
            cwd=self.home,
            start_new_session=True,
        )
        assert self._keyring_daemon.stdin is not None
        self._keyring_daemon.stdin.write(self.password)
        self._keyring_daemon.stdin.close()
        self._wait_for_secrets_name(deadline)

    def _wait_for_secrets_name(self, deadline: float) -> None:
        bus = DBusAddress(
            "/org/freedesktop/DBus",
            bus_name="org.freedesktop.DBus",
            interface="org.freedesktop.DBus",
        )
        end = time.monotonic() + deadline
        with contextlib.closing(open_dbus_connection(self.bus_address)) as conn:
            while True:
                reply = conn.send_and_get_reply(
                    new_method_call(bus, "NameHasOwner", "s", (SECRETS_BUS_NAME,))
                )
                if reply.body[0]:
                    return
                assert self._keyring_daemon is not None
                code = self._keyring_daemon.poll()
                if code is not None or time.monotonic() > end:
                    why = f"exited with code {code}" if code is not None else "timed out"
                    raise ServiceError(
                        f"gnome-keyring-daemon did not offer the Secret Service ({why}):\n"
                        f"{tail(self.log_path)}"
                    )
                time.sleep(0.02)
