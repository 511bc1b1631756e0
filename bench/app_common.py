"""Shared pieces of the app benchmarks: the app on a fake or a loopback backend, frame waits.

The app runs offscreen with the software renderer, like the tests, so the numbers are those of
a TV without a GPU driver (the worst case). Waiting never uses `QTest.qWait`, which keeps the
GIL and would starve the device core's worker thread.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication, QWindow

from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell
from tvclient.clock import Clock, SystemClock
from tvclient.coldstart import CollectorPause
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.client import MerchantClient
from tvclient.device.home_snapshot import SnapshotStore
from tvclient.device.intents import IntentStore
from tvclient.device.safety.cap import SpendingCap
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore
from tvclient.device.vault import BindingVault

if TYPE_CHECKING:
    # Imported where used: the cold-start benchmark must not load them before the first frame
    # (the app itself loads httpx and keyring only after it, see docs/app.md "Cold start").
    import httpx
    from keyring.backend import KeyringBackend

HK = ZoneInfo("Asia/Hong_Kong")
OPERATOR = "bench-operator"


def app() -> QGuiApplication:
    """The process's QGuiApplication."""
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        return existing
    return QGuiApplication(sys.argv[:1])


def wait(ms: int) -> None:
    """Run the event loop for `ms`, releasing the GIL."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Run the event loop until `check()` holds."""
    end = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > end:
            raise TimeoutError("benchmark step never completed")
        wait(2)


def next_frame(window: QWindow, act: Callable[[], object], timeout_ms: int = 5000) -> float:
    """Seconds from `act()` to the next frame the window swaps (perf_counter)."""
    loop = QEventLoop()
    seen: list[float] = []

    def swapped() -> None:
        if not seen:
            seen.append(time.perf_counter())
            loop.quit()

    window.frameSwapped.connect(swapped)  # type: ignore[attr-defined]
    QTimer.singleShot(timeout_ms, loop.quit)
    start = time.perf_counter()
    act()
    if not seen:
        loop.exec()
    window.frameSwapped.disconnect(swapped)  # type: ignore[attr-defined]
    if not seen:
        raise TimeoutError("no frame after the action")
    return seen[0] - start


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(name: str, values_ms: list[float]) -> str:
    """`name: median .. p95 .. max` in ms."""
    return (
        f"{name}: n={len(values_ms)} median {statistics.median(values_ms):.1f} ms, "
        f"p95 {percentile(values_ms, 95):.1f} ms, max {max(values_ms):.1f} ms"
    )


def services_for(
    http: httpx.AsyncClient | Callable[[], httpx.AsyncClient],
    url: str,
    clock: Clock,
    *,
    keyring: KeyringBackend | None = None,
    home_snapshot: SnapshotStore | None = None,
) -> AppServices:
    """The app's services with the real device core over `http` (a client or a factory).

    `keyring` None: the vault asks `keyring.get_keyring()`, as the app does (the caller points
    PYTHON_KEYRING_BACKEND at an in-memory backend).
    """
    state = MemoryStateStore()
    settings = SafetySettings()
    cap = SpendingCap(state, clock, HK)
    client = MerchantClient(http, url)
    account = AccountService(
        client,
        BindingVault(url, keyring_backend=keyring),
        IntentStore(state),
        clock,
        DeviceInfo(name="bench TV", platform="linux-x86_64", app_version="0.1.0"),
        cap=cap,
    )
    return AppServices(
        account=account, clock=clock, pins=PinGuard(state, clock, settings), cap=cap,
        safety_settings=settings, languages=_English(), demo=True,
        input_settings={"input.controller_navigation": False, "input.cec": "off"},
        aclose=client.aclose if callable(http) else http.aclose,
        home_snapshot=home_snapshot,
    )


class _English:
    def load(self) -> str | None:
        return "en"

    def save(self, language: str) -> None:
        """Not kept by benchmarks."""


def fake_shell(size: tuple[int, int] = (1280, 720), *, linked: bool = False) -> AppShell:
    """The app on the in-memory backend (real device core), shown, store loaded."""
    shell = fake_shell_unshown(size, linked=linked)
    shell.show()
    wait_until(lambda: shell.model.store_model.rows.rowCount() > 0)
    return shell


def fake_shell_unshown(
    size: tuple[int, int] = (1280, 720), *, linked: bool = False
) -> AppShell:
    """The app on the in-memory backend (real device core), built but not shown yet."""
    import httpx

    from tests.app.fake_backend import FakeBackend
    from tests.app.memkeyring import MemoryKeyring

    app()
    clock = SystemClock()
    backend = FakeBackend(clock)
    keyring = MemoryKeyring()
    url = "http://backend.bench"
    if linked:
        backend.link(BindingVault(url, keyring_backend=keyring))
    http = httpx.AsyncClient(transport=backend.transport())
    return AppShell(
        AppOptions(fullscreen=False, size=size, timezone=HK),
        services_for(http, url, clock, keyring=keyring),
    )


def cold_shell_unshown(
    home_snapshot: SnapshotStore, startup: CollectorPause | None
) -> AppShell:
    """The app built the way `tvclient` builds it, on the in-memory backend, not shown yet.

    As in the app, nothing of HTTP or the keyring is loaded before the first frame: the fake
    backend's HTTP client is made at the first request, on the core's worker thread, and the
    vault asks `keyring.get_keyring()` (set PYTHON_KEYRING_BACKEND to an in-memory backend).
    """
    app()
    clock = SystemClock()

    def http() -> httpx.AsyncClient:
        import httpx

        from tests.app.fake_backend import FakeBackend

        return httpx.AsyncClient(transport=FakeBackend(clock).transport())

    return AppShell(
        AppOptions(fullscreen=False, timezone=HK),
        services_for(http, "http://backend.bench", clock, home_snapshot=home_snapshot),
        startup=startup,
    )


@contextlib.contextmanager
def loopback_stack(directory: Path) -> Iterator[tuple[str, str]]:
    """`sandbox serve` + `merchant serve` as real processes on loopback: (sandbox, merchant)."""
    from tests.helpers.processes import ProcessRunner, free_port

    runner = ProcessRunner(directory / "logs")
    sandbox_port, merchant_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    merchant = f"http://127.0.0.1:{merchant_port}"
    data = directory / "sandbox"
    try:
        runner.start(
            [sys.executable, "-m", "tvclient.sandbox", "serve", "--host", "127.0.0.1",
             "--port", str(sandbox_port), "--data", str(data), "--operator-token", OPERATOR],
            ready_url=f"{sandbox}/healthz", name="sandbox",
        )
        runner.start(
            [sys.executable, "-m", "tvclient.merchant", "serve", "--sandbox-dir", str(data),
             "--database", f"sqlite:///{directory / 'merchant.db'}", "--host", "127.0.0.1",
             "--port", str(merchant_port), "--allow-loopback-enrolment"],
            ready_url=f"{merchant}/readyz", name="merchant",
        )
        yield sandbox, merchant
    finally:
        runner.stop_all()


def loopback_shell(merchant: str) -> AppShell:
    """The app with the real device core against the loopback merchant backend."""
    import httpx

    from tests.app.memkeyring import MemoryKeyring

    app()
    http = httpx.AsyncClient(trust_env=False)
    shell = AppShell(
        AppOptions(fullscreen=False, timezone=HK),
        services_for(http, merchant, SystemClock(), keyring=MemoryKeyring()),
    )
    shell.show()
    wait_until(lambda: shell.model.store_model.rows.rowCount() > 0)
    return shell
