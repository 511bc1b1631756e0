"""systemd notifications: READY, WATCHDOG pings at half the watchdog period, STOPPING."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.clock import FakeClock
from tvclient.booth.watchdog import Notifier


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket standing in for systemd's notify socket."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2)
    yield sock, path
    sock.close()


def test_messages_reach_the_service_manager(listener: tuple[socket.socket, str]) -> None:
    """READY once up, WATCHDOG no more often than half of WATCHDOG_USEC, STOPPING at exit."""
    sock, path = listener
    clock = FakeClock()
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000000"}, clock)
    notifier.ready()
    assert sock.recv(256).startswith(b"READY=1")
    notifier.ping()
    notifier.ping()
    clock.advance(9.9)
    notifier.ping()
    clock.advance(0.1)
    notifier.ping()
    notifier.stopping()
    assert [sock.recv(256) for _ in range(3)] == [b"WATCHDOG=1", b"WATCHDOG=1", b"STOPPING=1"]


def test_without_systemd_nothing_happens() -> None:
    """No NOTIFY_SOCKET: every call is a no-op."""
    notifier = Notifier({}, FakeClock())
    assert not notifier.enabled
    notifier.ready()
    notifier.ping()


def test_a_broken_socket_is_reported_once(
    tmp_path: Path, expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A socket that is gone costs one warning, then the booth goes on without a watchdog."""
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")}, FakeClock())
    notifier.ready()
    notifier.ping()
    assert not notifier.enabled
    assert caplog.text.count("cannot notify systemd") == 1
