"""Debian's Chromium driven by Playwright (never a browser Playwright downloads itself)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Playwright

from tests.helpers.processes import ServiceError

CHROMIUM = Path(os.environ.get("TVCLIENT_CHROMIUM", "/usr/bin/chromium"))
# The background-networking flags keep Chromium from calling out on a machine with no internet
# (each failed call is noise and a delay); --no-sandbox because the tests may run as root.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# A mid-size phone held upright (CSS pixels), as the wallet page is opened on a real phone.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-US",
}
DEFAULT_TIMEOUT_MS = 10_000


def require_chromium() -> Path:
    """The Chromium binary, or a ServiceError saying how to install it."""
    if not CHROMIUM.exists():
        raise ServiceError(f"{CHROMIUM} is missing (Debian package 'chromium'); run scripts/setup")
    return CHROMIUM


def require_playwright_driver() -> Path:
    """The node binary inside the playwright wheel, checked to start (it needs libatomic1)."""
    import playwright

    node = Path(playwright.__file__).parent / "driver" / "node"
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [str(node), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        raise ServiceError(f"Playwright's driver {node} cannot run: {exc}") from exc
    if done.returncode != 0:
        raise ServiceError(
            f"Playwright's driver {node} cannot run: {done.stderr.strip()}"
            " (on Debian: package 'libatomic1'); run scripts/setup"
        )
    return node


async def launch_chromium(playwright: Playwright) -> Browser:
    """Launch headless system Chromium; Playwright gives it a fresh temporary profile."""
    return await playwright.chromium.launch(
        executable_path=require_chromium(), headless=True, args=list(CHROMIUM_ARGS)
    )
