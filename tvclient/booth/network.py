"""Where visitors' phones reach the booth's wallet page, and whether they can reach it at all.

The QR on the TV encodes `<wallet base URL>/wallet/authorize/<code>`. A phone on the booth's
Wi-Fi can open it only when that base URL names an address of this machine on that network:
never loopback. This module has no Qt and no server dependencies, so `tvclient doctor` can use
it on any device.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_BIND_HOST",
    "DEFAULT_WALLET_PORT",
    "check_public_url",
    "is_loopback",
    "is_wildcard",
    "lan_address",
    "phone_address",
]

DEFAULT_BIND_HOST = "0.0.0.0"  # noqa: S104 - the booth serves phones on the LAN on purpose
DEFAULT_WALLET_PORT = 8300
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - names, not a bind


def is_wildcard(host: str) -> bool:
    """Whether `host` means "every address of this machine"."""
    return host in _WILDCARDS


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def lan_address() -> str:
    """This machine's address on its default route; loopback when it has no network.

    Connecting a UDP socket sends nothing: the kernel only picks the source address it would
    use for that destination.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1, never routed anywhere real
            address: str = sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address


def _host_in_url(host: str) -> str:
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host


def check_public_url(url: str) -> str:
    """`url` without a trailing slash, if it can be the base of the wallet page.

    Raises:
        ValueError: not an absolute http(s) URL, or it has a path, query or fragment (the
            sandbox serves the wallet page at the root of its address).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"the public URL must be an absolute http(s) URL, not {url!r}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ValueError(
            f"the public URL must be just scheme, host and port (no path), not {url!r}"
        )
    return url.rstrip("/")


def phone_address(
    bind_host: str | None,
    port: int = DEFAULT_WALLET_PORT,
    public_url: str | None = None,
) -> tuple[str, bool]:
    """The base URL phones will open, and whether phones on the LAN can reach it.

    Args:
        bind_host: Address the booth's sandbox listens on (None: the booth's default, every
            address).
        port: Port it listens on.
        public_url: The operator's explicit base URL (a name, a reverse proxy...), which wins.

    Returns:
        `(url, reachable)`; `reachable` is False when the URL names this machine's loopback
        (only the booth itself could open it) or the sandbox listens on loopback only.
    """
    if public_url:
        url = check_public_url(public_url)
        host = urlsplit(url).hostname or ""
        return url, not is_loopback(host)
    host = DEFAULT_BIND_HOST if bind_host is None else bind_host
    if is_loopback(host):
        return f"http://{_host_in_url(host)}:{port}", False
    shown = lan_address() if is_wildcard(host) else host
    return f"http://{_host_in_url(shown)}:{port}", not is_loopback(shown)
