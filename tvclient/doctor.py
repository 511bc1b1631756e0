"""`tvclient doctor`: checks what this machine needs to run tvclient and says how to fix gaps.

Each check is a small function returning `Finding`s. Checks that could crash the process (Qt
aborts when it has no display platform) run in a child process, so the doctor itself always
finishes and reports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["Finding", "Level", "collect", "run"]


class Level(StrEnum):
    """How a finding affects running tvclient."""

    OK = "ok"
    NOTE = "note"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the doctor's report, with the fix when something is missing."""

    level: Level
    topic: str
    detail: str
    fix: str = ""

    def render(self) -> str:
        """The line as printed."""
        line = f"{self.level.value:<4}  {self.topic}: {self.detail}"
        return f"{line}\n      fix: {self.fix}" if self.fix else line


_QT_PROBE = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication(sys.argv[:1])\n"
    "print(app.platformName())\n"
)

_XCB_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 "
    "libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0"
)


def check_display(env: dict[str, str]) -> list[Finding]:
    """Can Qt open its display platform here?"""
    chosen = env.get("QT_QPA_PLATFORM", "")
    if not chosen and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return [
            Finding(
                Level.FAIL,
                "display",
                "no DISPLAY, no WAYLAND_DISPLAY and no QT_QPA_PLATFORM: Qt would abort",
                "run on the TV's desktop session, or under Xvfb (make run-xvfb), or set "
                "QT_QPA_PLATFORM=offscreen for a headless self-test",
            )
        ]
    try:
        probe = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", _QT_PROBE],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [Finding(Level.FAIL, "display", "Qt did not start within 30 s", "")]
    if probe.returncode != 0:
        tail = (probe.stderr.strip().splitlines() or ["(no output)"])[-1]
        return [
            Finding(
                Level.FAIL,
                "display",
                f"Qt could not open its platform ({tail})",
                f"sudo apt install libgl1 libegl1 {_XCB_PACKAGES}; "
                "QT_DEBUG_PLUGINS=1 shows the library that is really missing",
            )
        ]
    return [Finding(Level.OK, "display", f"Qt platform {probe.stdout.strip() or chosen}")]


def check_fonts(run: Callable[[list[str]], str] | None = None) -> list[Finding]:
    """Are there fonts at all, and fonts for Traditional Chinese?"""
    if shutil.which("fc-list") is None and run is None:
        return [
            Finding(
                Level.FAIL,
                "fonts",
                "fontconfig is not installed, so every glyph may render as a box",
                "sudo apt install fontconfig fonts-dejavu-core fonts-noto-cjk",
            )
        ]
    runner = run or _fc_list
    findings = []
    latin = runner([":lang=en", "family"])
    findings.append(
        Finding(Level.OK, "fonts", "Latin text fonts present")
        if latin.strip()
        else Finding(
            Level.FAIL, "fonts", "no fonts installed", "sudo apt install fonts-dejavu-core"
        )
    )
    cjk = runner([":lang=zh-hk", "family"])
    findings.append(
        Finding(Level.OK, "fonts", f"Traditional Chinese: {cjk.splitlines()[0].strip()}")
        if cjk.strip()
        else Finding(
            Level.FAIL,
            "fonts",
            "no font covers Traditional Chinese; zh-HK text would show as boxes",
            "sudo apt install fonts-noto-cjk",
        )
    )
    return findings


def _fc_list(args: list[str]) -> str:
    result = subprocess.run(  # noqa: S603 - fixed program and arguments
        ["fc-list", *args], capture_output=True, text=True, timeout=30, check=False  # noqa: S607
    )
    return result.stdout


def check_keyring() -> list[Finding]:
    """Is there a keyring backend that keeps secrets properly?"""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return [
            Finding(
                Level.FAIL,
                "keyring",
                "no keyring backend: the device cannot keep its credential and binding",
                "install and unlock a Secret Service: sudo apt install gnome-keyring dbus, then "
                "log in to a desktop session (or see docs/device.md for kiosks)",
            )
        ]
    if "plaintext" in name.lower() or "keyrings.alt" in name:
        return [
            Finding(
                Level.WARN,
                "keyring",
                f"{name} stores secrets unencrypted",
                "use a Secret Service (gnome-keyring) unless this fallback is deliberate",
            )
        ]
    return [Finding(Level.OK, "keyring", name)]


def check_backend(url: str | None, timeout: float = 5.0) -> list[Finding]:
    """Does the configured merchant backend answer its health check?"""
    if not url:
        return [Finding(Level.NOTE, "backend", "none configured: tvclient starts the demo stack")]
    import httpx

    health = url.rstrip("/") + "/healthz"
    try:
        response = httpx.get(health, timeout=timeout)
    except httpx.HTTPError as exc:
        return [
            Finding(
                Level.FAIL,
                "backend",
                f"{url} is unreachable ({type(exc).__name__})",
                "check the URL, the network and that `tvclient merchant serve` runs there",
            )
        ]
    if response.status_code != 200:
        return [Finding(Level.FAIL, "backend", f"{health} answered HTTP {response.status_code}")]
    return [Finding(Level.OK, "backend", f"{url} is healthy")]


def check_input(config_dir: Path) -> list[Finding]:
    """Input devices seen here and what their buttons do."""
    try:
        from tvclient.app.input.doctor import input_report
        from tvclient.app.input.settings import InputSettings
    except ImportError as exc:
        return [Finding(Level.WARN, "input", f"input layer unavailable ({exc})")]
    return [
        Finding(Level.NOTE, "input", line)
        for line in input_report(config_dir=config_dir, settings=InputSettings.from_mapping({}))
    ]


def check_booth_address(
    bind_host: str | None, wallet_port: int | None = None, public_url: str | None = None,
) -> list[Finding]:
    """The address visitors' phones will open, and whether they can reach it."""
    try:
        from tvclient.booth.network import DEFAULT_WALLET_PORT, phone_address
    except ImportError:
        return []
    try:
        address, reachable = phone_address(
            bind_host, wallet_port or DEFAULT_WALLET_PORT, public_url
        )
    except ValueError as exc:
        return [Finding(Level.FAIL, "booth", str(exc), "give --public-url as http(s)://host:port")]
    if not reachable:
        return [
            Finding(
                Level.WARN,
                "booth",
                f"phones would open {address}, which only this machine can reach",
                "connect the booth to the visitors' network and start with "
                "--public-url http://<lan-address>:<port>",
            )
        ]
    return [Finding(Level.OK, "booth", f"phones will open the wallet page at {address}")]


def collect(args: argparse.Namespace, env: dict[str, str]) -> Iterable[Finding]:
    """Run every check, in the order a person would fix them."""
    from platformdirs import user_config_dir

    yield from check_display(env)
    yield from check_fonts()
    yield from check_keyring()
    yield from check_input(Path(user_config_dir("tvclient")))
    yield from check_backend(args.backend)
    yield from check_booth_address(args.bind_host, args.wallet_port, args.public_url)


def run(argv: Sequence[str]) -> int:
    """`tvclient doctor [--backend URL]`: print findings; exit 1 if anything must be fixed."""
    parser = argparse.ArgumentParser(prog="tvclient doctor", description=run.__doc__)
    parser.add_argument("--backend", metavar="URL", help="merchant backend to check")
    parser.add_argument("--bind-host", help="booth: the address the sandbox will listen on")
    parser.add_argument("--wallet-port", type=int, metavar="PORT",
                        help="booth: the port of the wallet page (default 8300)")
    parser.add_argument("--public-url", metavar="URL",
                        help="booth: the base URL phones will open, as given to --booth")
    args = parser.parse_args(list(argv))
    failed = False
    for finding in collect(args, dict(os.environ)):
        print(finding.render())
        failed |= finding.level is Level.FAIL
    return 1 if failed else 0
