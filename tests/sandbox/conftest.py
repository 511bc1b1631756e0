"""Fixtures of the sandbox tests: a data dir, a fake clock, a merchant-side receiver, a harness.

Making RSA keys takes a moment, so one data dir is made per session and copied per test.
The harness runs the sandbox app in process (its lifespan included, so the background loop
runs on the fake clock) and delivers its notifications to an in-process receiver.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.helpers.clock import FakeClock
from tvclient.antom.client import AntomClient
from tvclient.antom.errors import AntomError
from tvclient.antom.headers import epoch_millis
from tvclient.antom.keys import RSAPrivateKey, RSAPublicKey, read_private_key, read_public_key
from tvclient.antom.messages import (
    ApplyTokenRequest,
    ConsultRequest,
    GrantType,
    PayRequest,
    ScopeType,
    TerminalType,
)
from tvclient.antom.messages.common import Order, PaymentMethod
from tvclient.antom.notifications import NotificationVerifier
from tvclient.antom.outcomes import Outcome, Success
from tvclient.antom.paths import Api
from tvclient.antom.result import NOTIFICATION_SUCCESS_BODY
from tvclient.antom.signing import request_headers, verify_response
from tvclient.money import Money
from tvclient.sandbox.app import create_app, sandbox_of
from tvclient.sandbox.core import Sandbox
from tvclient.sandbox.settings import NotifyUrls, SandboxSettings

SANDBOX_URL = "http://sandbox.test"
MERCHANT_URL = "http://merchant.test"
NOTIFY = NotifyUrls(
    authorization=f"{MERCHANT_URL}/notify/authorization",
    payment=f"{MERCHANT_URL}/notify/payment",
    refund=f"{MERCHANT_URL}/notify/refund",
)


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir made once (keys, client, seeded buyers), copied by `data_dir`."""
    path = tmp_path_factory.mktemp("sandbox-template") / "data"
    sandbox = Sandbox(SandboxSettings(data_dir=path), clock=FakeClock())
    sandbox.close()
    return path


@pytest.fixture
def data_dir(template_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template data dir."""
    target = tmp_path / "data"
    shutil.copytree(template_dir, target)
    return target


@pytest.fixture
def clock() -> FakeClock:
    """Time that moves only when the test says so."""
    return FakeClock()


@dataclass
class Received:
    """One notification as the merchant received it."""

    path: str
    headers: dict[str, str]
    body: bytes
    json: dict[str, Any]
    verified: bool
    error: str | None


@dataclass
class Receiver:
    """A merchant's notification endpoint: verifies, records, and fails on demand."""

    antom_public_key: RSAPublicKey
    client_id: str
    fail_next: int = 0
    fail_with: str = "status"  # "status" (HTTP 500) or "body" (200 with another body)
    received: list[Received] = field(default_factory=list)
    app: Starlette = field(init=False)

    def __post_init__(self) -> None:
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        verifier = NotificationVerifier(self.antom_public_key, client_id=self.client_id)
        try:
            verifier.verify("POST", request.url.path, request.headers, body)
            verified, error = True, None
        except AntomError as exc:
            verified, error = False, str(exc)
        self.received.append(
            Received(request.url.path, dict(request.headers), body, json.loads(body), verified,
                     error)
        )
        if self.fail_next > 0:
            self.fail_next -= 1
            if self.fail_with == "body":
                return Response(b'{"result":{"resultStatus":"F"}}', media_type="application/json")
            return Response(b"busy", status_code=500)
        return Response(NOTIFICATION_SUCCESS_BODY, media_type="application/json")

    def of(self, path_end: str) -> list[Received]:
        """Notifications received on paths ending in `path_end`."""
        return [item for item in self.received if item.path.endswith(path_end)]


@dataclass
class Harness:
    """The sandbox app in process with a signed merchant client and a receiver."""

    app: Starlette
    sandbox: Sandbox
    clock: FakeClock
    http: httpx.AsyncClient
    client: AntomClient
    receiver: Receiver
    merchant_key: RSAPrivateKey
    antom_public_key: RSAPublicKey
    client_id: str

    async def drain(self) -> None:
        """Let due work and notification attempts finish."""
        await self.sandbox.drain()

    async def advance(self, seconds: float) -> None:
        """Move the clock and let what became due happen."""
        self.clock.advance(seconds)
        await self.drain()

    async def raw(
        self,
        path: str,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        sign: bool = True,
        method: str = "POST",
    ) -> httpx.Response:
        """Send bytes to a path, signed as the merchant unless told not to."""
        sent = dict(headers or {})
        if sign:
            signed = request_headers(
                self.merchant_key, method="POST", path=path, client_id=self.client_id,
                time=epoch_millis(self.clock.now()), body=body,
            )
            signed.update(sent)
            sent = signed
        return await self.http.request(method, path, content=body, headers=sent)

    async def call(self, api: Api, body: dict[str, Any], *, live: bool = False) -> dict[str, Any]:
        """Sign and send a JSON body to an API; check the response signature; return its JSON."""
        path = api.live_path if live else api.sandbox_path
        raw = json.dumps(body).encode()
        response = await self.raw(path, raw)
        assert response.status_code == 200
        verify_response(self.antom_public_key, "POST", path, response.headers, response.content)
        data: dict[str, Any] = response.json()
        return data

    async def bind(self, wallet: str = "ALIPAY_HK", buyer: str | None = None) -> dict[str, Any]:
        """Consult → the buyer agrees → AUTHCODE_CREATED → applyToken; returns the tokens."""
        state = f"st-{uuid.uuid4().hex[:12]}"
        consult = expect_success(await self.client.consult(consult_request(wallet, state)))
        assert consult.auth_code_form is not None
        code_value = consult.auth_code_form.text()
        assert code_value is not None
        self.sandbox.auths.approve(
            code_value.rsplit("/", 1)[1], buyer, self.sandbox.now_ms()
        )
        await self.drain()
        notes = [r for r in self.receiver.of("/authorization")
                 if r.json.get("authState") == state]
        assert len(notes) == 1
        auth_code = notes[0].json["authCode"]
        token = expect_success(await self.client.apply_token(ApplyTokenRequest(
            grant_type=GrantType.AUTHORIZATION_CODE, customer_belongs_to=wallet,
            auth_code=auth_code,
        )))
        return {"accessToken": token.access_token, "refreshToken": token.refresh_token,
                "authState": state, "response": token}

    async def pay(
        self, token: str, value: int, currency: str = "HKD", *, wallet: str = "ALIPAY_HK",
        request_id: str | None = None, **extra: Any,
    ) -> dict[str, Any]:
        """Pay as JSON (no client-side validation, so limits can be probed)."""
        body: dict[str, Any] = {
            "productCode": "AGREEMENT_PAYMENT",
            "paymentRequestId": request_id or f"pay-{uuid.uuid4().hex[:16]}",
            "order": {
                "referenceOrderId": "order-1",
                "orderDescription": "A test purchase",
                "orderAmount": {"currency": currency, "value": str(value)},
            },
            "paymentAmount": {"currency": currency, "value": str(value)},
            "paymentMethod": {"paymentMethodType": wallet, "paymentMethodId": token},
        }
        body.update(extra)
        return await self.call(Api.PAY, body)


def consult_request(wallet: str = "ALIPAY_HK", state: str = "st-1") -> ConsultRequest:
    """A Scan to Link consult."""
    return ConsultRequest(
        customer_belongs_to=wallet,
        auth_redirect_url=f"{MERCHANT_URL}/auth/return",
        scopes=(ScopeType.AGREEMENT_PAY,),
        auth_state=state,
        terminal_type=TerminalType.WEB,
    )


def pay_request(token: str, amount: Money, request_id: str, wallet: str = "ALIPAY_HK") -> (
    PayRequest
):
    """A typed pay request."""
    from tvclient.antom.messages import ProductCode

    return PayRequest(
        product_code=ProductCode.AGREEMENT_PAYMENT,
        payment_request_id=request_id,
        order=Order(reference_order_id="order-1", order_description="A test purchase",
                    order_amount=amount),
        payment_amount=amount,
        payment_method=PaymentMethod(payment_method_type=wallet, payment_method_id=token),
    )


def expect_success(outcome: Outcome[Any]) -> Any:
    """The response of a successful outcome (fails the test otherwise)."""
    assert isinstance(outcome, Success), outcome
    return outcome.response


def result_of(data: dict[str, Any]) -> tuple[str, str]:
    """(resultStatus, resultCode) of a response body."""
    return data["result"]["resultStatus"], data["result"]["resultCode"]


async def start_harness(
    data_dir: Path, clock: FakeClock, **settings: Any
) -> AsyncIterator[Harness]:
    """Run a harness until the iterator is closed."""
    antom_public = read_public_key(data_dir / "antom-public-key.pem")
    merchant_key = read_private_key(data_dir / "merchant-private-key.pem")
    client_id = json.loads((data_dir / "client.json").read_text())["clientId"]
    receiver = Receiver(antom_public, client_id)
    options: dict[str, Any] = {"notify_urls": NOTIFY, "public_base_url": SANDBOX_URL}
    options.update(settings)
    notify_http = httpx.AsyncClient(transport=httpx.ASGITransport(receiver.app))
    app = create_app(SandboxSettings(data_dir=data_dir, **options), clock=clock,
                     http_client=notify_http)
    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=SANDBOX_URL)
        client = AntomClient(http, base_url=SANDBOX_URL, client_id=client_id,
                             private_key=merchant_key, antom_public_key=antom_public,
                             clock=clock)
        yield Harness(app, sandbox_of(app), clock, http, client, receiver, merchant_key,
                      antom_public, client_id)
        await http.aclose()
    await notify_http.aclose()


@pytest_asyncio.fixture
async def harness(data_dir: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    """The sandbox in process, notifications retried on Antom's schedule."""
    async for running in start_harness(data_dir, clock):
        yield running
