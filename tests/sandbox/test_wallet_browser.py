"""The phone wallet page in headless Chromium: scan, pick a buyer, Agree; then unlink."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest_asyncio
import uvicorn

from tests.helpers.clock import FakeClock
from tests.helpers.services import free_port
from tests.sandbox.conftest import NOTIFY, Receiver, consult_request, expect_success
from tvclient.antom.client import AntomClient
from tvclient.antom.keys import read_private_key, read_public_key
from tvclient.antom.messages import ApplyTokenRequest, GrantType
from tvclient.sandbox.app import create_app, sandbox_of
from tvclient.sandbox.core import Sandbox
from tvclient.sandbox.settings import SandboxSettings

if TYPE_CHECKING:
    from playwright.async_api import Page


@dataclass
class Served:
    """A sandbox served over real HTTP on loopback, notifying an in-process receiver."""

    url: str
    sandbox: Sandbox
    receiver: Receiver
    client: AntomClient


@pytest_asyncio.fixture
async def served(data_dir: Path) -> AsyncIterator[Served]:
    """The sandbox app under uvicorn on a free loopback port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    antom_public = read_public_key(data_dir / "antom-public-key.pem")
    client_id = json.loads((data_dir / "client.json").read_text())["clientId"]
    receiver = Receiver(antom_public, client_id)
    notify = httpx.AsyncClient(transport=httpx.ASGITransport(receiver.app))
    clock = FakeClock()
    app = create_app(
        SandboxSettings(data_dir=data_dir, port=port, public_base_url=url, notify_urls=NOTIFY),
        clock=clock, http_client=notify,
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    api = httpx.AsyncClient(trust_env=False)
    client = AntomClient(api, base_url=url, client_id=client_id,
                         private_key=read_private_key(data_dir / "merchant-private-key.pem"),
                         antom_public_key=antom_public, clock=clock)
    try:
        yield Served(url, sandbox_of(app), receiver, client)
    finally:
        await api.aclose()
        server.should_exit = True
        await task
        await notify.aclose()


async def _wait_for(check: object, what: str) -> None:
    for _ in range(200):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_scan_agree_and_unlink(served: Served, phone_page: Page) -> None:
    """Phone: Agree sends a signed AUTHCODE_CREATED; Unlink a signed TOKEN_CANCELED."""
    requested: list[str] = []
    phone_page.on("request", lambda request: requested.append(request.url))
    consult = expect_success(await served.client.consult(consult_request(state="phone-1")))
    qr_text = consult.auth_code_form.text()
    assert qr_text.startswith(served.url + "/wallet/authorize/")

    await phone_page.goto(qr_text)
    heading = phone_page.get_by_role("heading", level=1)
    assert "Link AlipayHK to Sandbox Merchant" in await heading.inner_text()
    assert await phone_page.get_by_text("Automatic payments (Auto Debit)").count() == 1
    width = await phone_page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    await phone_page.get_by_role("radio", name="Carol Lee").check()
    await phone_page.get_by_role("button", name="Agree").click()
    await phone_page.get_by_role("heading", name="Linked").wait_for()

    await _wait_for(lambda: served.receiver.of("/notify/authorization"), "AUTHCODE_CREATED")
    [created] = served.receiver.of("/notify/authorization")
    assert created.verified, created.error
    assert created.json["authorizationNotifyType"] == "AUTHCODE_CREATED"
    assert created.json["authState"] == "phone-1"
    token = expect_success(await served.client.apply_token(ApplyTokenRequest(
        grant_type=GrantType.AUTHORIZATION_CODE, customer_belongs_to="ALIPAY_HK",
        auth_code=created.json["authCode"],
    )))

    await phone_page.goto(f"{served.url}/wallet/linked?buyer=hk-carol")
    await phone_page.get_by_role("button", name="Unlink").click()
    await phone_page.get_by_text("Sandbox Merchant was unlinked.").wait_for()
    await _wait_for(lambda: len(served.receiver.of("/notify/authorization")) == 2,
                    "TOKEN_CANCELED")
    cancel = served.receiver.of("/notify/authorization")[1]
    assert cancel.verified, cancel.error
    assert cancel.json["authorizationNotifyType"] == "TOKEN_CANCELED"
    assert cancel.json["accessToken"] == token.access_token
    assert all(url.startswith(served.url) for url in requested), requested


async def test_decline_in_chinese(served: Served, phone_page: Page) -> None:
    """The page in Traditional Chinese; 拒絕 (Decline) uses up the QR and notifies nothing."""
    consult = expect_success(await served.client.consult(consult_request(state="phone-2")))
    await phone_page.goto(consult.auth_code_form.text() + "?lang=zh-HK")
    assert await phone_page.evaluate("document.documentElement.lang") == "zh-HK"
    await phone_page.get_by_role("button", name="拒絕").click()
    await phone_page.get_by_role("heading", name="未有連結").wait_for()
    await phone_page.reload()
    await phone_page.get_by_role("heading", name="二維碼已使用").wait_for()
    assert served.receiver.received == []


async def test_indonesian_dana_page(served: Served, phone_page: Page) -> None:
    """A DANA QR in Indonesian lists DANA buyers with rupiah balances; Setuju agrees."""
    consult = expect_success(await served.client.consult(consult_request("DANA", "phone-3")))
    await phone_page.goto(consult.auth_code_form.text() + "?lang=id")
    assert await phone_page.get_by_text("Rp5.000.000").count() == 1
    await phone_page.get_by_role("button", name="Setuju").click()
    await phone_page.get_by_role("heading", name="Terhubung").wait_for()
    await _wait_for(lambda: served.receiver.received, "AUTHCODE_CREATED")
    assert served.receiver.received[0].json["userLoginId"].startswith("+62")
