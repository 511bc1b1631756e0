"""Building a booth the way `tvclient --booth` does, for tests and the screenshot script.

The real embedded stack on loopback, the real device core (`cli.build_device`), the real app
and the booth over it. Only the booth's own clock is a `FakeClock` (inactivity, countdown,
staff lockouts, statistics move when the caller says so), and the keyring is whatever the
caller passes (in memory unless a test wants the real Secret Service).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from keyring.backend import KeyringBackend

from tests.helpers.clock import FakeClock
from tests.helpers.processes import free_port
from tvclient.booth.config import BoothConfig
from tvclient.booth.kiosk import Booth
from tvclient.booth.sandbox import SandboxAccess
from tvclient.booth.stack import EmbeddedStack, StackUrls
from tvclient.booth.staff import staff_guard
from tvclient.booth.stats import VisitLog
from tvclient.cli import build_device, build_parser
from tvclient.device.settings import SettingsStore

HK = ZoneInfo("Asia/Hong_Kong")
STAFF_PIN = "2468"


@dataclass
class BoothRig:
    """A running booth and what a test inspects around it."""

    booth: Booth
    urls: StackUrls
    clock: FakeClock
    device_store: SettingsStore
    booth_store: SettingsStore
    keyring: KeyringBackend
    csv_path: Path
    service: str

    def keyring_entries(self) -> dict[str, str | None]:
        """The booth device's two keyring entries (None: absent)."""
        return {
            name: self.keyring.get_password(self.service, name)
            for name in ("device-credential", "binding-ref")
        }

    def active_bindings(self) -> list[dict[str, object]]:
        """Bindings the sandbox holds as ACTIVE."""
        response = httpx.get(
            f"{self.urls.sandbox_url}/operator/v1/bindings",
            headers={"Authorization": f"Bearer {self.urls.operator_token}"},
            trust_env=False, timeout=10,
        )
        assert response.status_code == 200, response.text
        return [b for b in response.json()["bindings"] if b["status"] == "ACTIVE"]


def loopback_config() -> BoothConfig:
    """`tvclient --booth --windowed` on loopback ports of its own, as parsed by the CLI."""
    options = build_parser().parse_args([
        "--booth", "--windowed", "--bind-host", "127.0.0.1",
        "--wallet-port", str(free_port()), "--backend-port", str(free_port()),
    ])
    return BoothConfig.from_options(options, environ={})


def start_stack(data_dir: Path, config: BoothConfig) -> EmbeddedStack:
    """The embedded sandbox + merchant backend, wired from the config as run.py does."""
    stack = EmbeddedStack(
        data_dir, sandbox_host=config.bind_host, sandbox_port=config.wallet_port,
        public_url=config.public_url, backend_port=config.backend_port,
    )
    stack.start()
    return stack


def write_pin_file(path: Path) -> Path:
    """The staff PIN file, readable by its owner only."""
    path.write_text(STAFF_PIN + "\n")
    path.chmod(0o600)
    return path


def write_device_settings(path: Path) -> None:
    """No game controllers and no CEC polling (the keyboard path is the same)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "format": 1, "controller_navigation": False, "options": {"input.cec": "off"},
    }))


def build_booth(
    root: Path, config: BoothConfig, urls: StackUrls, clock: FakeClock, keyring: KeyringBackend,
    *, pin_file: Path, reset_after: float = 90.0, language: str | None = None,
) -> BoothRig:
    """A booth (not started yet) with its files under `root`."""
    device_path = root / "config" / "device.json"
    write_device_settings(device_path)
    device_store = SettingsStore(device_path)
    booth_store = SettingsStore(root / "config" / "booth.json")
    services = build_device(
        urls.backend_url, demo=True, store=device_store, keyring_backend=keyring
    )
    csv_path = root / "data" / "visits.csv"
    booth = Booth(
        replace(config, reset_after=reset_after, language=language), services,
        device_store=device_store, booth_store=booth_store,
        staff=staff_guard(booth_store, clock, pin_file, scrypt_n=2**4),
        visits=VisitLog(booth_store, csv_path, clock), clock=clock,
        sandbox=SandboxAccess(urls.sandbox_url, urls.operator_token), timezone=HK,
    )
    return BoothRig(
        booth=booth, urls=urls, clock=clock, device_store=device_store,
        booth_store=booth_store, keyring=keyring, csv_path=csv_path,
        service=f"tvclient {urls.backend_url}",
    )
