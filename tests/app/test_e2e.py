"""End to end on loopback: the real sandbox and merchant backend processes, the real app.

The QR is read from the window with zxing-cpp and approved through the sandbox, as a phone
would; the app shows Bound, one press of Pay buys, and the receipt matches the sandbox ledger.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from pytestqt.qtbot import QtBot

from tests.app.memkeyring import MemoryKeyring
from tests.app.test_scan import decode
from tests.app.ui import OK, find_item, grab, send, settle, wait_focus
from tests.helpers.services import ProcessRunner, free_port
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell
from tvclient.clock import SystemClock
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.client import MerchantClient
from tvclient.device.intents import IntentStore
from tvclient.device.safety.cap import SpendingCap
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore
from tvclient.device.vault import BindingVault
from tvclient.sandbox.remote import approve

pytestmark = pytest.mark.slow

OPERATOR = "operator-app-e2e"
HK = ZoneInfo("Asia/Hong_Kong")


class _Languages:
    def load(self) -> str | None:
        return "en"

    def save(self, language: str) -> None:
        """Not kept in this test."""


@pytest.fixture
def stack(process_runner: ProcessRunner, tmp_path: Path) -> tuple[str, str]:
    """`sandbox serve` and `merchant serve` on loopback; (sandbox URL, merchant URL)."""
    sandbox_port, merchant_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    merchant = f"http://127.0.0.1:{merchant_port}"
    data = tmp_path / "sandbox"
    process_runner.start(
        [sys.executable, "-m", "tvclient.sandbox", "serve", "--host", "127.0.0.1",
         "--port", str(sandbox_port), "--data", str(data), "--operator-token", OPERATOR],
        ready_url=f"{sandbox}/healthz",
        name="sandbox",
    )
    process_runner.start(
        [sys.executable, "-m", "tvclient.merchant", "serve", "--sandbox-dir", str(data),
         "--database", f"sqlite:///{tmp_path / 'merchant.db'}", "--host", "127.0.0.1",
         "--port", str(merchant_port), "--allow-loopback-enrolment"],
        ready_url=f"{merchant}/readyz",
        name="merchant",
    )
    return sandbox, merchant


@pytest.fixture
def app(qtbot: QtBot, stack: tuple[str, str]) -> Iterator[AppShell]:
    """The app with the real device core, pointed at the loopback merchant backend."""
    _, merchant = stack
    clock = SystemClock()
    state = MemoryStateStore()
    settings = SafetySettings()
    http = httpx.AsyncClient(trust_env=False)
    cap = SpendingCap(state, clock, HK)
    account = AccountService(
        MerchantClient(http, merchant),
        BindingVault(merchant, keyring_backend=MemoryKeyring()),
        IntentStore(state),
        clock,
        DeviceInfo(name="e2e TV", platform="linux-x86_64", app_version="0.1.0"),
        cap=cap,
    )
    services = AppServices(
        account=account, clock=clock, pins=PinGuard(state, clock, settings), cap=cap,
        safety_settings=settings, languages=_Languages(), demo=True,
        input_settings={"input.controller_navigation": False, "input.cec": "off"},
        aclose=http.aclose,
    )
    shell = AppShell(AppOptions(fullscreen=False, timezone=HK), services)
    shell.show()
    try:
        yield shell
    finally:
        shell.close()


def test_scan_approve_bound_one_press_receipt_matches_the_ledger(
    qtbot: QtBot, app: AppShell, stack: tuple[str, str]
) -> None:
    """The whole first purchase against real processes, driven by the keyboard alone."""
    sandbox, _ = stack
    qtbot.waitUntil(lambda: app.model.store_model.rows.rowCount() > 0, timeout=15000)
    wait_focus(qtbot, app, first_tile(app))
    send(app, OK)
    settle(qtbot, app, "product")
    send(app, OK)  # "Link a wallet to buy"
    settle(qtbot, app, "wallets")
    send(app, OK)  # AlipayHK
    settle(qtbot, app, "scan", timeout=10000)
    qtbot.waitUntil(lambda: app.model.bind_model.view("phase") == "waiting", timeout=10000)
    qr = find_item(app, "qrImage")
    assert qr is not None
    qtbot.waitUntil(lambda: qr.property("progress") == 1.0)
    qtbot.wait(100)
    texts = decode(grab(app))
    assert texts == [app.model.bind_model.view("qrText")]
    approve(sandbox, texts[0])  # the phone agrees
    settle(qtbot, app, "bound", timeout=15000)
    assert app.model.view("badgeVisible")
    send(app, OK)
    settle(qtbot, app, "product")
    wait_focus(qtbot, app, "payButton")
    qtbot.wait(400)  # a deliberate press comes after the screen has settled
    send(app, OK)
    settle(qtbot, app, "receipt", timeout=20000)
    snapshot = app.model.purchase_model.snapshot
    assert snapshot is not None
    assert snapshot.receipt is not None
    receipt = snapshot.receipt
    rows = {r["key"]: r["value"] for r in app.model.purchase_model.view("receiptRows")}
    assert rows["amount"] == "HK$38.00"
    assert rows["order"] == receipt.order_ref
    ledger = httpx.get(
        f"{sandbox}/operator/v1/payments",
        headers={"Authorization": f"Bearer {OPERATOR}"},
        trust_env=False,
    ).json()["payments"]
    paid = [p for p in ledger if p["status"] == "SUCCESS"]
    assert len(paid) == 1
    assert paid[0]["paymentId"] == receipt.payment_ref
    assert (paid[0]["amount"], paid[0]["currency"]) == (3800, "HKD")
    assert paid[0]["referenceOrderId"] == receipt.order_ref


def first_tile(app: AppShell) -> str:
    """The objectName of the first catalog tile."""
    first = app.model.store_model.rows.row(0)
    assert first is not None
    return f"tile_{first['productId']}"
