"""The real device core (`tvclient.device`) against an in-process stack, for security tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from keyring.backend import KeyringBackend

from tests.merchant.stack import MERCHANT
from tests.reliability.stacks import WiredStack
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.bind import BindPhase, BindSnapshot
from tvclient.device.client import MerchantClient
from tvclient.device.intents import IntentStore
from tvclient.device.purchase import PurchaseSnapshot
from tvclient.device.settings import SettingsStore
from tvclient.device.vault import BindingVault
from tvclient.money import Money, Wallet

__all__ = ["TV", "tv"]


class TV:
    """One TV: its account service, vault, settings file and HTTP client."""

    def __init__(
        self, stack: WiredStack, keyring: KeyringBackend, settings: Path, http: httpx.AsyncClient
    ) -> None:
        self.stack = stack
        self.http = http
        self.settings = SettingsStore(settings)
        self.vault = BindingVault(MERCHANT, keyring_backend=keyring)
        self.account = AccountService(
            MerchantClient(http, MERCHANT, language="en"),
            self.vault,
            IntentStore(self.settings),
            stack.clock,
            DeviceInfo(name="Security TV", platform="linux-x86_64", app_version="0.1.0"),
        )

    async def until(self, task: asyncio.Future[Any], seconds: float = 120) -> Any:
        """Move the shared clock until `task` is done; its result."""
        waited = 0.0
        while not task.done() and waited < seconds:
            await self.stack.run(0.5)
            waited += 0.5
        assert task.done(), f"not done after {seconds} s of clock time"
        return task.result()

    async def bind(self, buyer: str | None = None) -> BindSnapshot:
        """Show a QR, let the buyer's phone agree, wait for BOUND."""
        flow = self.account.bind_flow(tick=None)
        states: list[BindSnapshot] = []
        flow.subscribe(states.append)
        task = asyncio.ensure_future(flow.run(Wallet.ALIPAY_HK))
        for _ in range(40):
            await self.stack.run(0.5)
            if states[-1].phase is BindPhase.SHOWING_QR:
                break
        qr = states[-1].qr_text
        assert qr is not None
        assert (await self.stack.approve(qr, buyer)).status_code == 200
        final: BindSnapshot = await self.until(task)
        assert final.phase is BindPhase.BOUND, final
        return final

    async def pay(self, product: str = "movie-night", price: int = 3800) -> PurchaseSnapshot:
        """One press of Pay, followed to its end."""
        task = asyncio.ensure_future(
            self.account.pay(product, "Movie night", Money(price, "HKD"))
        )
        snapshot: PurchaseSnapshot = await self.until(task, seconds=180)
        return snapshot


def tv(stack: WiredStack, keyring: KeyringBackend, settings: Path) -> TV:
    """A TV on `stack` with its secrets in `keyring` and its settings in `settings`."""
    return TV(stack, keyring, settings, stack.client(("127.0.0.1", 50000)))
