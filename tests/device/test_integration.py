"""The device core against the real merchant backend and the real sandbox, in process.

Everything shares one FakeClock; the device reaches the backend through httpx's ASGI transport,
exactly the HTTP it would send over a network.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.merchant.stack import MERCHANT, Stack, in_process_stack
from tvclient.device.account import AccountService, BindingChange, DeviceInfo
from tvclient.device.bind import BindPhase, BindSnapshot
from tvclient.device.client import MerchantClient
from tvclient.device.errors import NotBoundError
from tvclient.device.intents import IntentStore
from tvclient.device.memory_keyring import MemoryKeyring
from tvclient.device.models import BindingState, RevokedBy
from tvclient.device.purchase import PurchasePhase, PurchaseSnapshot
from tvclient.device.settings import SettingsStore
from tvclient.device.vault import BindingVault
from tvclient.money import Money, Wallet

PRICE = Money(3800, "HKD")


class LosingTransport(httpx.AsyncBaseTransport):
    """Forwards to the backend; can drop the answer of the next purchase POST after it ran."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lose_next_purchase_answer = False
        self.purchase_keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward; lose the answer when told to."""
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path == "/v1/purchases":
            self.purchase_keys.append(request.headers["idempotency-key"])
            if self.lose_next_purchase_answer:
                self.lose_next_purchase_answer = False
                await response.aread()
                raise httpx.ReadError("connection reset after the request was sent")
        return response


@dataclass
class Device:
    """The device core wired to the in-process stack."""

    stack: Stack
    account: AccountService
    vault: BindingVault
    transport: LosingTransport
    intents: IntentStore


@pytest_asyncio.fixture
async def device(tmp_path: Path) -> AsyncIterator[Device]:
    """An enrolled device core on the real backend + sandbox."""
    async with in_process_stack(tmp_path) as stack:
        inner = stack.device._transport
        transport = LosingTransport(inner)
        async with httpx.AsyncClient(transport=transport) as http:
            client = MerchantClient(http, MERCHANT, language="en")
            vault = BindingVault(MERCHANT, keyring_backend=MemoryKeyring())
            intents = IntentStore(SettingsStore(tmp_path / "settings.json"))
            account = AccountService(
                client,
                vault,
                intents,
                stack.clock,
                DeviceInfo(name="Test TV", platform="linux-x86_64", app_version="0.1.0"),
            )
            await account.start()
            yield Device(stack, account, vault, transport, intents)


async def until(stack: Stack, done: asyncio.Future[Any], seconds: float = 60) -> None:
    """Advance the shared clock until `done` finishes (or fail after `seconds`)."""
    waited = 0.0
    while not done.done() and waited < seconds:
        await stack.run(0.5)
        waited += 0.5
    assert done.done(), f"not finished after {seconds} s of clock time"


async def bind(device: Device) -> BindSnapshot:
    """Show a QR, approve it as the buyer's phone would, wait for BOUND."""
    flow = device.account.bind_flow(tick=None)
    states: list[BindSnapshot] = []
    flow.subscribe(states.append)
    task = asyncio.ensure_future(flow.run(Wallet.ALIPAY_HK))
    for _ in range(40):
        await device.stack.run(0.5)
        if states[-1].phase is BindPhase.SHOWING_QR:
            break
    qr_text = states[-1].qr_text
    assert qr_text is not None
    approved = await device.stack.approve(qr_text)
    assert approved.status_code == 200, approved.text
    await until(device.stack, task)
    return task.result()


async def pay(device: Device) -> PurchaseSnapshot:
    """Buy movie-night once and follow it to the end."""
    task = asyncio.ensure_future(device.account.pay("movie-night", "Movie night", PRICE))
    await until(device.stack, task, seconds=180)
    return task.result()


async def test_scan_bind_then_one_press_buys(device: Device) -> None:
    """Enrol, catalog, bind by QR, pay once, receipt matches the sandbox, history shows it."""
    catalog = await device.account.catalog()
    movie = next(p for p in catalog if p.id == "movie-night")
    assert movie.price_in("HKD") == PRICE

    bound = await bind(device)
    assert bound.phase is BindPhase.BOUND
    assert bound.binding is not None
    assert device.vault.binding_ref() == bound.binding.ref
    status = await device.account.binding()
    assert status.fresh
    assert status.binding is not None
    assert status.binding.active

    final = await pay(device)
    assert final.phase is PurchasePhase.SUCCEEDED
    assert final.receipt is not None
    assert final.receipt.amount == PRICE
    payments = await device.stack.sandbox_payments()
    assert len(payments) == 1
    assert device.intents.all() == []

    assert final.purchase is not None
    page = await device.account.history()
    assert [p.id for p in page.purchases] == [final.purchase.id]


async def test_a_lost_answer_is_retried_once_with_the_same_key(device: Device) -> None:
    """The POST's answer is lost on the way back: the retry reuses the key; one payment."""
    await bind(device)
    device.transport.lose_next_purchase_answer = True
    final = await pay(device)
    assert final.phase is PurchasePhase.SUCCEEDED
    keys = device.transport.purchase_keys
    assert len(keys) == 2
    assert len(set(keys)) == 1
    assert len(await device.stack.sandbox_payments()) == 1


async def test_unlinking_in_the_wallet_reaches_the_device(device: Device) -> None:
    """The buyer unlinks in the wallet: the next refresh forgets the binding and says why."""
    await bind(device)
    events: list[BindingChange] = []
    device.account.subscribe(lambda event: events.append(event.change))
    listed = await device.stack.operator.get("/operator/v1/bindings")
    (binding,) = listed.json()["bindings"]
    unlinked = await device.stack.operator.post(
        f"/operator/v1/bindings/{binding['bindingId']}/unlink"
    )
    assert unlinked.status_code == 200, unlinked.text
    await device.stack.run(2)
    status = await device.account.binding()
    assert status.lost is BindingChange.REVOKED_BY_WALLET
    assert events == [BindingChange.REVOKED_BY_WALLET]
    assert device.vault.binding_ref() is None


async def test_unbind_from_the_device(device: Device) -> None:
    """Unlink from the Account screen: the backend reports the binding revoked by the device."""
    bound = await bind(device)
    assert bound.binding is not None
    await device.account.unbind()
    assert device.vault.binding_ref() is None
    at_backend = await device.account.client.get_binding(bound.binding.ref)
    assert at_backend.state is BindingState.REVOKED
    assert at_backend.revoked_by is RevokedBy.DEVICE
    with pytest.raises(NotBoundError):
        await device.account.history()
