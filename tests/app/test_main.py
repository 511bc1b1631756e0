"""`run()` in a process of its own: the store shows, quitting exits 0, nothing is said at exit.

A separate process because `QCoreApplication.exec()` returning leaves Qt's "quit now" flag set
for every later event loop of that process (the test process's included).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r'''
import os, signal, sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
import httpx
from tests.app.conftest import BACKEND_URL, HK, MemoryLanguageStore
from tests.app.fake_backend import FakeBackend
from tests.app.memkeyring import MemoryKeyring
from tests.helpers.clock import FakeClock
from tvclient.app.main import run
from tvclient.app.services import AppOptions, AppServices
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.client import MerchantClient
from tvclient.device.intents import IntentStore
from tvclient.device.safety.cap import SpendingCap
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore
from tvclient.device.vault import BindingVault

clock, state, settings = FakeClock(), MemoryStateStore(), SafetySettings()
backend = FakeBackend(clock)
http = httpx.AsyncClient(transport=backend.transport())
cap = SpendingCap(state, clock, HK)
account = AccountService(
    MerchantClient(http, BACKEND_URL), BindingVault(BACKEND_URL, keyring_backend=MemoryKeyring()),
    IntentStore(state), clock, DeviceInfo(name="t", platform="t", app_version="0"), cap=cap,
)
services = AppServices(
    account=account, clock=clock, pins=PinGuard(state, clock, settings, scrypt_n=16), cap=cap,
    safety_settings=settings, languages=MemoryLanguageStore("en"), demo=True,
    input_settings={"input.controller_navigation": False, "input.cec": "off"}, aclose=http.aclose,
)
app = QGuiApplication(sys.argv[:1])
before = signal.getsignal(signal.SIGINT)

def interrupt():
    # Like Ctrl-C landing while a timer's Python code runs (the controller poll, say): the
    # handler runs right here, and this code must still find its window afterwards.
    windows = app.topLevelWindows()
    os.kill(os.getpid(), signal.SIGINT)
    assert all(window.isVisible() for window in windows)

def quit_when_loaded():
    if "GET /v1/catalog" in backend.requests:
        # let the tiles and their pictures arrive
        QTimer.singleShot(300, interrupt if sys.argv[1] == "sigint" else app.quit)
    else:
        QTimer.singleShot(20, quit_when_loaded)

QTimer.singleShot(20, quit_when_loaded)
code = run(AppOptions(fullscreen=False), services=services)
assert signal.getsignal(signal.SIGINT) is before, "SIGINT handler not restored"
print("RUN RETURNED", code, flush=True)
sys.exit(code)
'''


@pytest.mark.parametrize("how", ["quit", "sigint"])
def test_run_shows_the_store_and_exits_cleanly(tmp_path: Path, how: str) -> None:
    """run() loads the store, returns 0 on quit or Ctrl-C, restores SIGINT, exits without a word."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_BACKEND": "software",
        "PYTHONPATH": str(root), "HOME": str(tmp_path),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT, how], capture_output=True, text=True, env=env, timeout=60,
        check=False, cwd=root,
    )
    assert done.returncode == 0, done.stderr
    assert "RUN RETURNED 0" in done.stdout
    assert done.stderr.strip() == "", done.stderr
