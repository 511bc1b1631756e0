"""Screenshots of every screen, from the real scene on the fake backend, at any window size.

`python -m tests.app.screenshots docs/screens` writes the PNGs the docs show (offscreen, software
renderer); `test_screenshots.py` runs the same walk and checks what the pictures contain.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

import httpx
from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from tests.app.fake_backend import FakeBackend
from tests.app.memkeyring import MemoryKeyring
from tests.app.ui import OK, find_item, send
from tests.helpers.clock import FakeClock
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.client import MerchantClient
from tvclient.device.intents import IntentStore
from tvclient.device.safety.cap import SpendingCap
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore
from tvclient.device.vault import BindingVault
from tvclient.money import Money, Wallet

HK = ZoneInfo("Asia/Hong_Kong")
URL = "http://backend.test"


def wait(ms: int) -> None:
    """Run the event loop for `ms` (releasing the GIL, unlike QTest.qWait)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(check: Callable[[], bool], timeout: int = 5000) -> None:
    """Run the event loop until `check()` holds."""
    waited = 0
    while not check():
        if waited > timeout:
            raise TimeoutError("the screen never got there")
        wait(20)
        waited += 20


class _Languages:
    def __init__(self, language: str | None) -> None:
        self.language = language

    def load(self) -> str | None:
        return self.language

    def save(self, language: str) -> None:
        self.language = language


@dataclass
class Stage:
    """One app on the fake backend, driven like a buyer would."""

    size: tuple[int, int] = (1280, 720)
    language: str | None = "en"
    system_locale: str | None = None
    linked: Wallet | None = None
    pin: str | None = None
    cap: Money | None = None
    clock: FakeClock = field(default_factory=FakeClock)

    def __post_init__(self) -> None:
        self.backend = FakeBackend(self.clock)
        self.state = MemoryStateStore()
        self.vault = BindingVault(URL, keyring_backend=MemoryKeyring())
        if self.linked is not None:
            self.backend.link(self.vault, self.linked)
        settings = SafetySettings()
        http = httpx.AsyncClient(transport=self.backend.transport())
        cap = SpendingCap(self.state, self.clock, HK)
        account = AccountService(
            MerchantClient(http, URL), self.vault, IntentStore(self.state), self.clock,
            DeviceInfo(name="Screens", platform="linux", app_version="0.1.0"), cap=cap,
        )
        pins = PinGuard(self.state, self.clock, settings, scrypt_n=2**4)
        if self.pin:
            pins.set_pin(self.pin)
        if self.cap is not None:
            cap.set_limit(self.cap.currency, self.cap)
        self.services = AppServices(
            account=account, clock=self.clock, pins=pins, cap=cap, safety_settings=settings,
            languages=_Languages(self.language), demo=True,
            input_settings={"input.controller_navigation": False, "input.cec": "off"},
            aclose=http.aclose,
        )
        options = AppOptions(
            fullscreen=False, size=self.size, timezone=HK, system_locale=self.system_locale
        )
        self.shell = AppShell(options, self.services)
        self.shell.show()
        wait_until(self.shell.window.isActive)
        if self.shell.model.navigator.top.value == "home":
            wait_until(lambda: self.shell.model.store_model.rows.rowCount() > 0)
        self.settle()

    @property
    def screen(self) -> str:
        """The screen on show."""
        return self.shell.model.navigator.top.value

    def settle(self, ms: int = 180) -> None:
        """Let transitions end and pictures load."""
        wait(ms)
        stack = self.shell.find("stack")
        wait_until(lambda: stack is not None and not stack.property("busy"))
        wait(50)

    def key(self, key: Qt.Key, times: int = 1) -> None:
        """Press and release a key."""
        for _ in range(times):
            send(self.shell, key)
        self.settle(120)

    def go(self, name: str) -> None:
        """Wait for screen `name`."""
        wait_until(lambda: self.screen == name)
        self.settle()

    def tick(self, seconds: float) -> None:
        """Move the fake clock (on the worker loop)."""
        self.shell.worker.call_sync(lambda: self.clock.advance(seconds))
        wait(50)

    def steer(self, action: Callable[[], object]) -> None:
        """Run a backend steering call on the worker loop."""
        self.shell.worker.call_sync(action)
        wait(50)

    def qr_ready(self) -> None:
        """Wait until the QR picture is loaded."""
        wait_until(lambda: self.shell.model.bind_model.view("phase") == "waiting")
        qr = find_item(self.shell, "qrImage")
        wait_until(lambda: qr is not None and qr.property("progress") == 1.0)
        self.settle()

    def save(self, directory: Path, name: str) -> Path:
        """Grab the window into `directory/name.png`."""
        path = directory / f"{name}.png"
        if not self.shell.window.grabWindow().save(str(path)):
            raise OSError(f"could not write {path}")
        return path

    def close(self) -> None:
        """Take the app down."""
        self.shell.close()


Visit = Callable[["Stage", str], None]


class Stages:
    """Opens stages for a walk and closes whatever is still open at the end, even on failure."""

    def __init__(self) -> None:
        self._open: list[Stage] = []

    def open(self, **kwargs: Any) -> Stage:
        """A new stage (see `Stage`)."""
        stage = Stage(**kwargs)
        self._open.append(stage)
        return stage

    def close(self, stage: Stage) -> None:
        """Close one stage."""
        self._open.remove(stage)
        stage.close()

    def close_all(self) -> None:
        """Close every stage still open."""
        while self._open:
            self._open.pop().close()


def saver(directory: Path, shots: list[Path]) -> Visit:
    """A visit that saves each screen as `directory/<name>.png` and lists the paths."""
    directory.mkdir(parents=True, exist_ok=True)

    def save(stage: Stage, name: str) -> None:
        shots.append(stage.save(directory, name))

    return save


def walk(save: Visit, *, size: tuple[int, int] = (1280, 720)) -> None:
    """Every screen, in the order a buyer meets them; `save(stage, name)` at each."""
    stages = Stages()
    try:
        _walk(save, size, stages)
    finally:
        stages.close_all()


def _walk(save: Visit, size: tuple[int, int], stages: Stages) -> None:

    first = stages.open(size=size, language=None, system_locale="en_HK.UTF-8")
    save(first, "01-language")
    first.key(OK)
    first.go("home")
    save(first, "02-home")
    first.key(OK)
    first.go("product")
    save(first, "03-product-not-linked")
    first.key(OK)
    first.go("wallets")
    save(first, "04-choose-wallet")
    first.key(OK)
    first.go("scan")
    first.qr_ready()
    first.tick(83)
    first.settle()
    save(first, "05-scan-to-bind")
    first.steer(first.backend.approve)
    first.go("bound")
    save(first, "06-bound")
    first.key(OK)
    first.go("product")
    first.tick(1)
    save(first, "07-product-pay")
    first.backend.hold_purchases = True
    first.key(OK)
    first.go("paying")
    first.tick(3)
    first.settle()
    save(first, "08-paying-checking")
    first.steer(first.backend.release_purchases)
    first.go("receipt")
    save(first, "09-receipt")
    first.key(OK)
    first.go("home")
    save(first, "10-home-linked")
    first.key(Qt.Key.Key_Menu)
    first.go("account")
    wait_until(lambda: first.shell.model.account_model.history_rows.rowCount() == 1)
    first.settle()
    save(first, "11-account")
    first.key(Qt.Key.Key_Escape)
    first.go("home")
    first.key(Qt.Key.Key_Escape)
    save(first, "12-leave-dialog")
    stages.close(first)

    safe = stages.open(size=size, linked=Wallet.ALIPAY_HK, pin="2468", cap=Money(20_000, "HKD"))
    safe.key(Qt.Key.Key_Right)
    safe.key(OK)
    safe.go("product")
    save(safe, "13-product-pin-and-limit")
    safe.tick(1)
    safe.key(OK)
    wait_until(lambda: safe.shell.model.pin_model.open_)
    safe.key(Qt.Key.Key_2)
    safe.key(Qt.Key.Key_Down)
    save(safe, "14-pin")
    safe.key(Qt.Key.Key_Escape, 2)
    safe.backend.purchase_outcome = "INSUFFICIENT_BALANCE"
    safe.tick(1)
    safe.key(OK)
    wait_until(lambda: safe.shell.model.pin_model.open_)
    for digit in (Qt.Key.Key_2, Qt.Key.Key_4, Qt.Key.Key_6, Qt.Key.Key_8):
        safe.key(digit)
    safe.go("failure")
    save(safe, "15-failure")
    stages.close(safe)

    expired = stages.open(size=size, language="en")
    expired.shell.model.store_model.open(0)
    expired.go("product")
    expired.key(OK)
    expired.go("wallets")
    expired.key(Qt.Key.Key_Right)
    expired.key(OK)
    expired.go("scan")
    expired.qr_ready()
    expired.steer(expired.backend.expire)
    wait_until(lambda: expired.shell.model.bind_model.view("phase") == "expired")
    expired.settle()
    save(expired, "16-scan-expired")
    expired.backend.offline = True
    expired.key(Qt.Key.Key_HomePage)
    expired.go("home")
    expired.shell.model.store_model.load()
    wait_until(lambda: expired.shell.model.connection_model.offline_)
    expired.settle()
    save(expired, "17-offline")
    stages.close(expired)

    chinese = stages.open(size=size, language="zh-HK", linked=Wallet.ALIPAY_HK)
    save(chinese, "18-home-zh-HK")
    chinese.key(OK)
    chinese.go("product")
    save(chinese, "19-product-zh-HK")
    stages.close(chinese)

    indonesian = stages.open(size=size, language="id", linked=Wallet.DANA)
    indonesian.key(OK)
    indonesian.go("product")
    save(indonesian, "20-product-id")
    stages.close(indonesian)


def main(argv: list[str]) -> int:
    """`python -m tests.app.screenshots DIR [WIDTHxHEIGHT]`."""
    if not argv:
        print("usage: python -m tests.app.screenshots DIR [WIDTHxHEIGHT]", file=sys.stderr)
        return 2
    size = (1280, 720)
    if len(argv) > 1:
        width, height = argv[1].lower().split("x")
        size = (int(width), int(height))
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    shots: list[Path] = []
    walk(saver(Path(argv[0]), shots), size=size)
    for path in shots:
        print(path)
    QCoreApplication.processEvents()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
