import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.antom.samples import SAMPLES
from tests.antom.sdk_recipe import sdk_verify
from tests.helpers.clock import FakeClock
from tvclient.antom import messages as m
from tvclient.antom.client import AntomClient
from tvclient.antom.keys import RSAPrivateKey, RSAPublicKey, generate_private_key
from tvclient.antom.outcomes import Failure, Success, Unknown, UnknownReason
from tvclient.antom.paths import ASIA, Api
from tvclient.antom.result import ResultStatus
from tvclient.antom.signing import response_headers, verify_request
from tvclient.antom.wire import Message
from tvclient.money import Money

SANDBOX_CLIENT = "SANDBOX_5YEXAMPLE00000"
LIVE_CLIENT = "2022061510000000"
PAY = m.PayRequest.from_json(SAMPLES[m.PayRequest])


@dataclass
class FakeAntom:
    """A tiny Antom: checks the merchant's signature, answers signed JSON."""

    merchant_public_key: Any
    antom_key: RSAPrivateKey
    body: bytes = b""
    status: int = 200
    signed: bool = True
    tamper: Callable[[bytes], bytes] | None = None
    raise_error: Exception | None = None
    client_id_override: str | None = None
    requests: list[httpx.Request] = field(default_factory=list)

    def answer(self, obj: Any) -> None:
        self.body = json.dumps(obj).encode()

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.raise_error is not None:
            raise self.raise_error
        verify_request(
            self.merchant_public_key, request.method, request.url.path, request.headers,
            request.content,
        )
        headers: dict[str, str] = {"content-type": "application/json"}
        if self.signed:
            headers = response_headers(
                self.antom_key,
                method=request.method,
                path=request.url.path,
                client_id=self.client_id_override or request.headers["client-id"],
                time="1772424000123",
                body=self.body,
            )
        sent = self.tamper(self.body) if self.tamper else self.body
        return httpx.Response(self.status, content=sent, headers=headers)


@pytest.fixture
def antom(merchant_public_key, antom_key):
    """The fake Antom, answering a pay success unless told otherwise."""
    fake = FakeAntom(merchant_public_key, antom_key)
    fake.answer(SAMPLES[m.PayResponse])
    return fake


@pytest.fixture
async def http(antom):
    """An httpx client whose transport is the fake Antom."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(antom.handler)) as client:
        yield client


def _client(
    http: httpx.AsyncClient,
    merchant_key: RSAPrivateKey,
    antom_public_key: RSAPublicKey,
    **kwargs: Any,
) -> AntomClient:
    options: dict[str, Any] = {
        "base_url": "https://antom.test",
        "client_id": SANDBOX_CLIENT,
        "private_key": merchant_key,
        "antom_public_key": antom_public_key,
        "clock": FakeClock(),
        **kwargs,
    }
    return AntomClient(http, **options)


@pytest.fixture
def client(http, merchant_key, antom_public_key):
    """A sandbox client against the fake Antom."""
    return _client(http, merchant_key, antom_public_key)


async def test_success_returns_the_typed_response(client, antom, merchant_public_key):
    """S → Success with the parsed response; the request is signed over the bytes it carries."""
    outcome = await client.pay(PAY)
    assert isinstance(outcome, Success)
    assert outcome.response == m.PayResponse.from_json(SAMPLES[m.PayResponse])
    assert outcome.result.result_status is ResultStatus.SUCCESS
    sent = antom.requests[0]
    assert sent.content == PAY.to_bytes()
    assert m.PayRequest.from_bytes(sent.content) == PAY
    assert sent.headers["content-type"] == "application/json; charset=UTF-8"
    assert sent.headers["request-time"] == "1772424000000"  # FakeClock start, epoch ms
    assert sent.headers["client-id"] == SANDBOX_CLIENT
    assert sdk_verify(merchant_public_key, "POST", sent.url.path, SANDBOX_CLIENT,
                      sent.headers["request-time"], sent.content.decode(),
                      sent.headers["signature"])


async def test_sandbox_client_ids_use_and_sign_the_sandbox_path(
    antom, http, merchant_key, antom_public_key
):
    """`SANDBOX_` IDs call /ams/sandbox/api/...; other IDs the live path (signed as sent)."""
    sandbox = _client(http, merchant_key, antom_public_key)
    live = _client(http, merchant_key, antom_public_key, client_id=LIVE_CLIENT, base_url=ASIA)
    assert isinstance(await sandbox.pay(PAY), Success)
    assert isinstance(await live.pay(PAY), Success)
    assert str(antom.requests[0].url) == "https://antom.test/ams/sandbox/api/v1/payments/pay"
    assert str(antom.requests[1].url) == (
        "https://open-sea-global.alipay.com/ams/api/v1/payments/pay"
    )
    assert live.path(Api.REVOKE) == "/ams/api/v1/authorizations/revoke"


async def test_a_base_path_is_kept_and_signed(antom, http, merchant_key, antom_public_key):
    """A sandbox mounted under a prefix is called (and signed) with the prefix."""
    mounted = _client(http, merchant_key, antom_public_key, base_url="http://127.0.0.1:9/antom/")
    antom.answer({"result": SAMPLES[m.RevokeResponse]["result"]})
    outcome = await mounted.revoke(m.RevokeRequest(access_token="at-1"))
    assert isinstance(outcome, Success)
    assert antom.requests[0].url.path == "/antom/ams/sandbox/api/v1/authorizations/revoke"


async def test_failure_carries_the_result_and_response(client, antom):
    """F → Failure with the result code (and the typed response when it parses)."""
    antom.answer({
        "result": {"resultCode": "USER_BALANCE_NOT_ENOUGH", "resultStatus": "F",
                   "resultMessage": "balance"},
        "paymentRequestId": PAY.payment_request_id,
    })
    outcome = await client.pay(PAY)
    assert isinstance(outcome, Failure)
    assert outcome.code == "USER_BALANCE_NOT_ENOUGH"
    assert outcome.response is not None
    assert outcome.response.payment_request_id == PAY.payment_request_id
    antom.answer({"result": {"resultCode": "ORDER_NOT_EXIST", "resultStatus": "F"},
                  "paymentAmount": "broken"})
    broken = await client.pay(PAY)
    assert isinstance(broken, Failure)
    assert broken.response is None


async def test_result_u_is_unknown_with_the_result(client, antom):
    """U → Unknown(RESULT_UNKNOWN) carrying Antom's result."""
    antom.answer({"result": {"resultCode": "PAYMENT_IN_PROCESS", "resultStatus": "U",
                             "resultMessage": "processing"}})
    outcome = await client.pay(PAY)
    assert isinstance(outcome, Unknown)
    assert outcome.reason is UnknownReason.RESULT_UNKNOWN
    assert outcome.result is not None
    assert outcome.result.result_code == "PAYMENT_IN_PROCESS"
    assert outcome.detail == "PAYMENT_IN_PROCESS: processing"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ReadTimeout("slow"), UnknownReason.TIMEOUT),
        (httpx.ConnectTimeout("slow"), UnknownReason.TIMEOUT),
        (httpx.ConnectError("refused"), UnknownReason.CONNECTION_ERROR),
        (httpx.RemoteProtocolError("reset"), UnknownReason.CONNECTION_ERROR),
    ],
)
async def test_transport_problems_are_unknown(client, antom, error, reason):
    """Timeouts and connection errors become Unknown outcomes, not exceptions."""
    antom.raise_error = error
    outcome = await client.pay(PAY)
    assert isinstance(outcome, Unknown)
    assert outcome.reason is reason
    assert outcome.http_status is None


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, UnknownReason.SERVER_ERROR), (503, UnknownReason.SERVER_ERROR),
     (404, UnknownReason.HTTP_STATUS), (302, UnknownReason.HTTP_STATUS)],
)
async def test_non_200_statuses_are_unknown(client, antom, status, reason):
    """HTTP 5xx and any other non-200 status are Unknown, with the status kept."""
    antom.status = status
    outcome = await client.pay(PAY)
    assert isinstance(outcome, Unknown)
    assert outcome.reason is reason
    assert outcome.http_status == status
    assert str(status) in outcome.detail


async def test_tampered_or_foreign_signed_responses_are_unknown(client, antom, caplog, expect_log):
    """A response that does not verify is Unknown(BAD_SIGNATURE) and logged as a warning."""
    antom.tamper = lambda body: body.replace(b"5000", b"9000")
    outcome = await client.pay(PAY)
    assert isinstance(outcome, Unknown)
    assert outcome.reason is UnknownReason.BAD_SIGNATURE
    antom.tamper = None
    antom.antom_key = generate_private_key()
    foreign = await client.pay(PAY)
    assert isinstance(foreign, Unknown)
    assert foreign.reason is UnknownReason.BAD_SIGNATURE
    assert any(r.levelno == logging.WARNING and "bad_signature" in r.getMessage()
               for r in caplog.records)


async def test_response_for_another_client_is_refused(client, antom, expect_log):
    """A response signed for another client ID is Unknown(BAD_SIGNATURE)."""
    antom.client_id_override = "SANDBOX_SOMEONE_ELSE"
    outcome = await client.pay(PAY)
    assert isinstance(outcome, Unknown)
    assert outcome.reason is UnknownReason.BAD_SIGNATURE
    assert "SANDBOX_SOMEONE_ELSE" in outcome.detail


async def test_unsigned_responses_are_refused_by_default(
    antom, http, merchant_key, antom_public_key, expect_log
):
    """No signature → Unknown(UNSIGNED), unless the client was told to accept it."""
    antom.signed = False
    strict = _client(http, merchant_key, antom_public_key)
    outcome = await strict.pay(PAY)
    assert isinstance(outcome, Unknown)
    assert outcome.reason is UnknownReason.UNSIGNED
    lenient = _client(http, merchant_key, antom_public_key, require_signed_responses=False)
    assert isinstance(await lenient.pay(PAY), Success)


@pytest.mark.parametrize(
    "body",
    [b"<html>oops</html>", b"[]", b'{"no":"result"}',
     b'{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}'],
)
async def test_unusable_bodies_are_unknown(client, antom, body):
    """Non-JSON, no result, or an S body missing what S requires → Unknown(BAD_RESPONSE)."""
    antom.body = body
    outcome = await client.inquiry_payment(m.InquiryPaymentRequest(payment_request_id="p-1"))
    assert isinstance(outcome, Unknown)
    assert outcome.reason is UnknownReason.BAD_RESPONSE


async def test_timeout_default_and_per_call(antom, http, merchant_key, antom_public_key):
    """The default timeout applies unless a call sets its own."""
    client = _client(http, merchant_key, antom_public_key, timeout_seconds=7)
    await client.pay(PAY)
    await client.pay(PAY, timeout_seconds=2.5)
    first, second = (r.extensions["timeout"] for r in antom.requests)
    assert first["read"] == 7
    assert second["read"] == 2.5


async def test_every_api_method_posts_to_its_path(client, antom):
    """Each API method posts its request to its own path and parses its own response."""
    calls: list[tuple[Any, type[Message], Api]] = [
        (client.consult, m.ConsultRequest, Api.CONSULT),
        (client.apply_token, m.ApplyTokenRequest, Api.APPLY_TOKEN),
        (client.revoke, m.RevokeRequest, Api.REVOKE),
        (client.pay, m.PayRequest, Api.PAY),
        (client.inquiry_payment, m.InquiryPaymentRequest, Api.INQUIRY_PAYMENT),
        (client.cancel, m.CancelRequest, Api.CANCEL),
        (client.refund, m.RefundRequest, Api.REFUND),
        (client.inquiry_refund, m.InquiryRefundRequest, Api.INQUIRY_REFUND),
        (client.declare, m.DeclareRequest, Api.DECLARE),
        (client.inquiry_declaration_requests, m.InquiryDeclarationRequestsRequest,
         Api.INQUIRY_DECLARATION_REQUESTS),
    ]
    for method, request_cls, api in calls:
        response_cls = m.response_type(api)
        antom.answer(SAMPLES[response_cls])
        outcome = await method(request_cls.from_json(SAMPLES[request_cls]))
        assert isinstance(outcome, Success), (api, outcome)
        assert type(outcome.response) is response_cls
        assert antom.requests[-1].url.path == api.sandbox_path


async def test_wrong_request_type_is_a_programming_error(client):
    """Passing another API's request raises TypeError before anything is sent."""
    with pytest.raises(TypeError, match="pay takes PayRequest"):
        await client.call(Api.PAY, m.RevokeRequest(access_token="t"), m.PayResponse)


async def test_calls_are_logged_at_debug_without_secrets(client, antom, caplog):
    """Each call logs API, request id, outcome and duration at DEBUG; tokens never appear."""
    caplog.set_level(logging.DEBUG, logger="tvclient.antom")
    await client.pay(PAY)
    antom.answer({"result": {"resultCode": "INVALID_ACCESS_TOKEN", "resultStatus": "F"}})
    await client.revoke(m.RevokeRequest(access_token="at-secret-1"))
    antom.answer(SAMPLES[m.ApplyTokenResponse])
    await client.apply_token(m.ApplyTokenRequest.from_json(SAMPLES[m.ApplyTokenRequest]))
    messages = [r.getMessage() for r in caplog.records if r.name == "tvclient.antom.client"]
    assert messages[0].startswith("antom pay paymentRequestId=pay_20260901_0001 -> S SUCCESS in ")
    assert messages[0].endswith(" ms")
    assert messages[1].startswith("antom revoke - -> F INVALID_ACCESS_TOKEN")
    assert messages[2].startswith("antom applyToken grantType=AUTHORIZATION_CODE -> S")
    assert not any("secret" in text for r in caplog.records for text in [r.getMessage()])


async def test_client_works_over_an_asgi_transport(merchant_key, merchant_public_key, antom_key,
                                                   antom_public_key):
    """Against an in-process ASGI app (how tests reach the sandbox) the exchange verifies."""
    seen: list[tuple[str, bytes]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        verify_request(merchant_public_key, scope["method"], scope["path"], headers, body)
        seen.append((scope["path"], body))
        answer = json.dumps(SAMPLES[m.CancelResponse]).encode()
        signed = response_headers(antom_key, method="POST", path=scope["path"],
                                  client_id=headers["client-id"], time="1", body=answer)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(k.encode(), v.encode()) for k, v in signed.items()]})
        await send({"type": "http.response.body", "body": answer})

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as http:
        client = _client(http, merchant_key, antom_public_key, base_url="http://sandbox")
        outcome = await client.cancel(m.CancelRequest(payment_request_id="pay-1"))
    assert isinstance(outcome, Success)
    assert seen == [("/ams/sandbox/api/v1/payments/cancel", b'{"paymentRequestId":"pay-1"}')]


def test_base_url_must_be_absolute(http, merchant_key, antom_public_key):
    """A base URL without scheme and host is refused at construction."""
    with pytest.raises(ValueError, match="absolute"):
        _client(http, merchant_key, antom_public_key, base_url="antom.test")


async def test_money_of_a_success_is_typed(client, antom):
    """Amounts in a success come back as Money."""
    outcome = await client.pay(PAY)
    assert isinstance(outcome, Success)
    assert outcome.response.payment_amount == Money(5000, "HKD")
