"""systemd's notify protocol, without a library: READY, WATCHDOG and STOPPING messages.

The booth's unit runs `cage` with `NotifyAccess=all` and `WatchdogSec=`; the booth (a child of
cage) pings the watchdog from the GUI thread's timer, so a frozen UI stops the pings and systemd
restarts the whole kiosk. Outside systemd (`NOTIFY_SOCKET` unset) every call does nothing.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping

from tvclient.clock import Clock

__all__ = ["Notifier"]

_log = logging.getLogger(__name__)
_DEFAULT_PING = 10.0


class Notifier:
    """Sends sd_notify messages to `$NOTIFY_SOCKET` when there is one."""

    def __init__(self, environ: Mapping[str, str], clock: Clock) -> None:
        address = environ.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self._clock = clock
        usec = environ.get("WATCHDOG_USEC", "")
        # Half the watchdog period is what sd_watchdog_enabled(3) recommends.
        self._interval = int(usec) / 2e6 if usec.isdigit() and int(usec) > 0 else _DEFAULT_PING
        self._last_ping: float | None = None
        self._broken = False

    @property
    def enabled(self) -> bool:
        """Whether a service manager listens."""
        return bool(self._address) and not self._broken

    def ready(self) -> None:
        """The booth shows its attract loop."""
        self._send("READY=1\nSTATUS=attract loop on screen")

    def stopping(self) -> None:
        """The booth is shutting down on purpose."""
        self._send("STOPPING=1")

    def status(self, text: str) -> None:
        """A one-line status for `systemctl status`."""
        self._send(f"STATUS={text}")

    def ping(self) -> None:
        """Tell the watchdog the UI thread is alive (rate-limited; call it as often as liked)."""
        now = self._clock.monotonic()
        if self._last_ping is not None and now - self._last_ping < self._interval:
            return
        self._last_ping = now
        self._send("WATCHDOG=1")

    def _send(self, message: str) -> None:
        if not self.enabled:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self._address)
                sock.sendall(message.encode("utf-8"))
        except OSError as exc:
            # Told once; the booth itself keeps running without its watchdog.
            self._broken = True
            _log.warning("cannot notify systemd at %s: %s", self._address, exc)
