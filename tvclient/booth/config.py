"""What the booth is told at start (command line, environment), checked before anything runs.

Precedence for the two settings staff can also change in the staff menu (reset timeout and
default language): the command line, then the staff's last choice (kept in the booth state),
then the built-in default.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tvclient.booth.errors import BoothConfigError
from tvclient.booth.network import (
    DEFAULT_BIND_HOST,
    DEFAULT_WALLET_PORT,
    check_public_url,
    phone_address,
)

__all__ = [
    "COUNTDOWN_SECONDS",
    "DEFAULT_BACKEND_PORT",
    "DEFAULT_LANGUAGE",
    "DEFAULT_RESET_AFTER",
    "LANGUAGES",
    "MAX_RESET_AFTER",
    "MIN_RESET_AFTER",
    "RESET_AFTER_CHOICES",
    "STAFF_PIN_CREDENTIAL",
    "BoothConfig",
    "check_reset_after",
]

# Android's retail demo mode: 90 s of inactivity by default, never under 10 s (tv-anchors §4).
DEFAULT_RESET_AFTER = 90.0
MIN_RESET_AFTER = 10.0
MAX_RESET_AFTER = 3600.0
COUNTDOWN_SECONDS = 10
# What the staff menu cycles through (seconds of inactivity before the countdown).
RESET_AFTER_CHOICES = (30, 60, 90, 120, 180, 300)
# The merchant backend listens on loopback only; a fixed port keeps the keyring entries'
# names (which contain the backend URL) the same from one run to the next.
DEFAULT_BACKEND_PORT = 8301
LANGUAGES = ("en", "zh-HK", "id")
DEFAULT_LANGUAGE = "en"
# systemd's LoadCredential= puts files in $CREDENTIALS_DIRECTORY; this one holds the staff PIN.
STAFF_PIN_CREDENTIAL = "staff-pin"


def check_reset_after(seconds: float) -> float:
    """`seconds` if it is a usable inactivity timeout.

    Raises:
        BoothConfigError: under 10 s (visitors need time to read) or over an hour.
    """
    if not MIN_RESET_AFTER <= seconds <= MAX_RESET_AFTER:
        raise BoothConfigError(
            f"the reset timeout must be {MIN_RESET_AFTER:.0f} to {MAX_RESET_AFTER:.0f} seconds, "
            f"not {seconds:g}"
        )
    return seconds


def _port(name: str, value: object, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        raise BoothConfigError(f"{name} must be a port number 1-65535, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class BoothConfig:
    """The booth's start-up configuration.

    Attributes:
        backend: A merchant backend other than the embedded one (only with
            `--allow-real-backend`); None runs the embedded sandbox + backend.
        bind_host: Address the embedded sandbox (and so the wallet page) listens on.
        wallet_port: Its port.
        backend_port: Loopback port of the embedded merchant backend.
        public_url: Base URL phones use for the wallet page (the QR's prefix).
        phones_can_reach: Whether phones on the LAN can open `public_url`.
        reset_after: Inactivity before the reset countdown, when given on the command line.
        language: The default language, when given on the command line.
        staff_pin_file: A file holding the staff PIN (4-8 digits), if given.
        fullscreen: Fullscreen (False: a window, for trying the booth out while developing).
        data_dir: Where the booth keeps its sandbox, ledger and visit log (None: user data dir).
    """

    backend: str | None = None
    bind_host: str = DEFAULT_BIND_HOST
    wallet_port: int = DEFAULT_WALLET_PORT
    backend_port: int = DEFAULT_BACKEND_PORT
    public_url: str = f"http://127.0.0.1:{DEFAULT_WALLET_PORT}"
    phones_can_reach: bool = False
    reset_after: float | None = None
    language: str | None = None
    staff_pin_file: Path | None = None
    fullscreen: bool = True
    data_dir: Path | None = None

    @property
    def embedded(self) -> bool:
        """The booth runs on its own sandbox (nothing real can be charged)."""
        return self.backend is None

    @classmethod
    def from_options(
        cls, options: argparse.Namespace, environ: Mapping[str, str] | None = None
    ) -> BoothConfig:
        """Check the parsed command line.

        Raises:
            BoothConfigError: a real backend without `--allow-real-backend`, a bad port, public
                URL, reset timeout or language (the message names the option).
        """
        env = os.environ if environ is None else environ
        backend = getattr(options, "backend", None)
        if backend and not getattr(options, "allow_real_backend", False):
            raise BoothConfigError(
                f"--booth runs on its own sandbox and refuses the backend {backend}: a booth must "
                "never charge real money. Start it with --allow-real-backend if that backend is "
                "meant for the booth."
            )
        bind_host = getattr(options, "bind_host", None) or DEFAULT_BIND_HOST
        wallet_port = _port("--wallet-port", getattr(options, "wallet_port", None),
                            DEFAULT_WALLET_PORT)
        backend_port = _port("--backend-port", getattr(options, "backend_port", None),
                             DEFAULT_BACKEND_PORT)
        if wallet_port == backend_port:
            raise BoothConfigError("--wallet-port and --backend-port must differ")
        given_url = getattr(options, "public_url", None)
        try:
            if given_url:
                check_public_url(given_url)
            public_url, reachable = phone_address(bind_host, wallet_port, given_url)
        except ValueError as exc:
            raise BoothConfigError(f"--public-url: {exc}") from None
        reset_after = getattr(options, "reset_after", None)
        if reset_after is not None:
            reset_after = check_reset_after(float(reset_after))
        language = getattr(options, "language", None)
        if language is not None and language not in LANGUAGES:
            raise BoothConfigError(f"--language must be one of {', '.join(LANGUAGES)}")
        pin_file = getattr(options, "staff_pin_file", None)
        if pin_file is None and env.get("CREDENTIALS_DIRECTORY"):
            candidate = Path(env["CREDENTIALS_DIRECTORY"]) / STAFF_PIN_CREDENTIAL
            pin_file = candidate if candidate.exists() else None
        data_dir = getattr(options, "data_dir", None)
        return cls(
            backend=backend or None,
            bind_host=bind_host,
            wallet_port=wallet_port,
            backend_port=backend_port,
            public_url=public_url,
            phones_can_reach=reachable,
            reset_after=reset_after,
            language=language,
            staff_pin_file=Path(pin_file).expanduser() if pin_file else None,
            fullscreen=not getattr(options, "windowed", False),
            data_dir=Path(data_dir).expanduser() if data_dir else None,
        )
