"""What a sandbox is told at start: where its data lives, where it is reached, how time runs."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "NotifyUrls",
    "SandboxSettings",
    "guess_lan_address",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8300
_WILDCARDS = {"0.0.0.0", "::", ""}  # noqa: S104 - names of the wildcard address, not a bind


def _check_url(name: str, url: str | None) -> None:
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{name} must be an absolute http(s) URL, not {url!r}")


@dataclass(frozen=True, slots=True)
class NotifyUrls:
    """The client's default notification URLs, like the Antom dashboard's settings.

    A URL given in a request (`authNotifyUrl`, `paymentNotifyUrl`, `refundNotifyUrl`) wins.
    """

    authorization: str | None = None
    payment: str | None = None
    refund: str | None = None

    def __post_init__(self) -> None:
        _check_url("authorization notify URL", self.authorization)
        _check_url("payment notify URL", self.payment)
        _check_url("refund notify URL", self.refund)

    @property
    def given(self) -> bool:
        """Whether any URL is set."""
        return any((self.authorization, self.payment, self.refund))


@dataclass(frozen=True, slots=True)
class SandboxSettings:
    """Settings of one sandbox; see docs/sandbox.md for each one's flag and default."""

    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_base_url: str | None = None
    """Base URL phones use for the wallet page (the QR text). Default: derived from host/port."""
    operator_token: str | None = None
    """Bearer token of the operator API. Default: the one made on first start (in the DB)."""
    time_scale: float = 1.0
    """Sandbox seconds per real second when the app builds its own clock (`--timescale`)."""
    notify_urls: NotifyUrls = field(default_factory=NotifyUrls)
    """Given on the command line: replaces the client's stored default notification URLs."""
    retry_notifications: bool = True
    """Re-send on Antom's schedule until the fixed success reply (production behaviour)."""
    merchant_name: str = "Sandbox Merchant"
    """Name of the merchant client made on first start (shown on the wallet page)."""
    access_token_ttl: dt.timedelta = dt.timedelta(days=7)
    refresh_token_ttl: dt.timedelta = dt.timedelta(days=365)
    notify_timeout: float = 10.0
    """Real seconds one notification attempt may take before it counts as failed."""
    max_hold: float = 600.0
    """Upper bound, in sandbox seconds, of any latency / timeout / delay fault."""

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0-65535, not {self.port}")
        if not self.time_scale > 0:
            raise ValueError(f"time scale must be positive, not {self.time_scale}")
        _check_url("public base URL", self.public_base_url)
        if self.operator_token is not None and len(self.operator_token) < 8:
            raise ValueError("the operator token must have at least 8 characters")
        if self.access_token_ttl <= dt.timedelta(0) or self.refresh_token_ttl <= dt.timedelta(0):
            raise ValueError("token lifetimes must be positive")

    @property
    def api_base_url(self) -> str:
        """Base URL a merchant backend on this machine calls (loopback for wildcard binds)."""
        host = "127.0.0.1" if self.host in _WILDCARDS else self.host
        return f"http://{_host_in_url(host)}:{self.port}"

    @property
    def wallet_base_url(self) -> str:
        """Base URL of the phone wallet page: the public base URL, else a guess from the bind."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = guess_lan_address() if self.host in _WILDCARDS else self.host
        return f"http://{_host_in_url(host)}:{self.port}"


def _host_in_url(host: str) -> str:
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host


def guess_lan_address() -> str:
    """This machine's address on its default route (what a phone on the LAN reaches).

    Connecting a UDP socket sends nothing; it only asks the kernel which source address it
    would use. Falls back to loopback on a machine with no route.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address: str = sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address
