"""The merchant API client against scripted answers (httpx.MockTransport)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tvclient.device.client import MerchantClient, normalise_backend_url
from tvclient.device.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    SlowDownError,
    ValidationError,
)
from tvclient.device.models import BindingState, BindSessionState, PurchaseState, RevokedBy
from tvclient.money import Money, Wallet

BASE = "https://shop.example/api"
T0 = "2026-03-02T04:00:00Z"


def binding_json(**over: Any) -> dict[str, Any]:
    """A binding object, with overrides."""
    data = {
        "ref": "bnd_1",
        "wallet": "ALIPAY_HK",
        "currency": "HKD",
        "state": "ACTIVE",
        "revoked_by": None,
        "account": "852****5678",
        "created_at": T0,
        "limits": {
            "min_per_transaction": {"currency": "HKD", "value": 1},
            "max_per_transaction": {"currency": "HKD", "value": 5000000},
            "remaining_today": None,
            "remaining_this_year": {"currency": "HKD", "value": 19996200},
        },
    }
    data.update(over)
    return data


def session_json(**over: Any) -> dict[str, Any]:
    """A bind session object, with overrides."""
    data = {
        "id": "bs_1",
        "wallet": "ALIPAY_HK",
        "state": "PENDING",
        "qr_text": "https://qr/1",
        "expires_at": "2026-03-02T04:15:00Z",
        "expires_in": 900,
        "interval": 5,
        "long_poll": 25,
        "binding": None,
        "failure": None,
    }
    data.update(over)
    return data


def purchase_json(**over: Any) -> dict[str, Any]:
    """A purchase object, with overrides."""
    data = {
        "id": "pur_1",
        "state": "PROCESSING",
        "product": {"id": "movie-night", "title": "Movie night"},
        "amount": {"currency": "HKD", "value": 3800},
        "wallet": "ALIPAY_HK",
        "binding": "bnd_1",
        "order_ref": "ord_1",
        "created_at": T0,
        "completed_at": None,
        "interval": 2,
        "long_poll": 25,
        "failure": None,
        "refunded": {"currency": "HKD", "value": 0},
        "receipt": None,
    }
    data.update(over)
    return data


class Script:
    """Answers every request with `answer(request)` and keeps the requests."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def make(
    answer: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[MerchantClient, Script]:
    """A client on scripted answers, and the script."""
    script = Script(answer)
    http = httpx.AsyncClient(transport=httpx.MockTransport(script))
    return MerchantClient(http, BASE, credential="tvd_secret", language="zh-HK", **kwargs), script


def ok(body: Any, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    """Answer every request with `body`."""
    return lambda _request: httpx.Response(status, json=body)


# ------------------------------------------------------------------------------ endpoints


async def test_enrol_sends_no_credential_and_returns_the_new_one() -> None:
    """Enrolment is the one call without a credential; its answer carries the credential once."""
    enrolment_json = {"device_id": "dev_1", "credential": "tvd_new", "created_at": T0}
    client, script = make(ok(enrolment_json, 201))
    enrolment = await client.enrol(
        name="TV", platform="linux-x86_64", app_version="0.1.0", enrolment_token="tok"
    )
    request = script.last
    assert (request.method, request.url.path) == ("POST", "/api/v1/devices")
    assert "authorization" not in request.headers
    assert json.loads(request.content) == {
        "name": "TV",
        "platform": "linux-x86_64",
        "app_version": "0.1.0",
        "enrolment_token": "tok",
    }
    assert enrolment.device_id == "dev_1"
    assert enrolment.credential == "tvd_new"
    assert "tvd_new" not in repr(enrolment)


async def test_every_authenticated_call_carries_credential_and_language() -> None:
    """Bearer credential and Accept-Language go with every device API call."""
    client, script = make(ok({"products": []}))
    await client.catalog()
    assert script.last.headers["authorization"] == "Bearer tvd_secret"
    assert script.last.headers["accept-language"] == "zh-HK"
    client.language = "id"
    await client.catalog()
    assert script.last.headers["accept-language"] == "id"


async def test_create_bind_session_posts_the_wallet_and_reads_the_session() -> None:
    """Creating a bind session sends the wallet and returns the QR, expiry and poll numbers."""
    client, script = make(ok(session_json(), 201))
    session = await client.create_bind_session(Wallet.DANA)
    assert (script.last.method, script.last.url.path) == ("POST", "/api/v1/bind-sessions")
    assert json.loads(script.last.content) == {"wallet": "DANA"}
    assert session.state is BindSessionState.PENDING
    assert session.qr_text == "https://qr/1"
    assert (session.expires_in, session.interval, session.long_poll) == (900, 5, 25)
    assert session.expires_at == dt.datetime(2026, 3, 2, 4, 15, tzinfo=dt.UTC)


async def test_get_bind_session_long_polls_with_wait_and_a_longer_timeout() -> None:
    """`wait` becomes ?wait=N and the read timeout outlasts the held request."""
    client, script = make(
        ok(session_json(state="BOUND", qr_text=None, expires_in=0, binding=binding_json()))
    )
    session = await client.get_bind_session("bs/1", wait=25)
    request = script.last
    assert request.url.raw_path.split(b"?")[0] == b"/api/v1/bind-sessions/bs%2F1"
    assert request.url.params["wait"] == "25"
    assert request.extensions["timeout"]["read"] > 25
    assert session.binding is not None
    assert session.binding.ref == "bnd_1"


async def test_wait_is_clamped_to_the_contract_range() -> None:
    """The device never asks for a wait outside 1-25 seconds."""
    client, script = make(ok(session_json()))
    await client.get_bind_session("bs_1", wait=60)
    assert script.last.url.params["wait"] == "25"
    await client.get_bind_session("bs_1")
    assert "wait" not in script.last.url.params


async def test_cancel_bind_session_deletes_it() -> None:
    """Back on the QR screen deletes the session and reads the FAILED/CANCELLED answer."""
    client, script = make(
        ok(
            session_json(
                state="FAILED", qr_text=None, failure={"code": "CANCELLED", "message": "x"}
            )
        )
    )
    session = await client.cancel_bind_session("bs_1")
    assert (script.last.method, script.last.url.path) == ("DELETE", "/api/v1/bind-sessions/bs_1")
    assert session.failure is not None
    assert session.failure.code == "CANCELLED"


async def test_get_and_delete_binding() -> None:
    """Bindings are read and unbound by reference; the reference never shows in repr."""
    client, script = make(ok(binding_json(state="REVOKED", revoked_by="DEVICE")))
    binding = await client.get_binding("bnd_1")
    assert (script.last.method, script.last.url.path) == ("GET", "/api/v1/bindings/bnd_1")
    assert binding.state is BindingState.REVOKED
    assert binding.revoked_by is RevokedBy.DEVICE
    assert binding.limits is not None
    assert binding.limits.remaining_this_year == Money(19996200, "HKD")
    assert "bnd_1" not in repr(binding)
    await client.delete_binding("bnd_1")
    assert (script.last.method, script.last.url.path) == ("DELETE", "/api/v1/bindings/bnd_1")


async def test_catalog_reads_titles_and_prices() -> None:
    """The catalog gives titles per language and prices as Money."""
    client, _ = make(
        ok(
            {
                "products": [
                    {
                        "id": "movie-night",
                        "title": {"en": "Movie night", "zh-HK": "電影之夜"},
                        "description": {"en": "One film"},
                        "image_url": "/v1/catalog/images/movie-night.png",
                        "prices": [
                            {"currency": "HKD", "value": 3800},
                            {"currency": "IDR", "value": 7500000},
                        ],
                    }
                ]
            }
        )
    )
    (product,) = await client.catalog()
    assert product.title("zh-HK") == "電影之夜"
    assert product.title("id") == "Movie night"
    assert product.price_in("IDR") == Money(7500000, "IDR")
    assert product.price_in("USD") is None


async def test_image_is_fetched_relative_to_the_backend_without_credential() -> None:
    """Catalog images come from the backend URL, with no credential."""
    client, script = make(
        lambda _r: httpx.Response(200, content=b"PNG", headers={"content-type": "image/png"})
    )
    assert await client.image("/v1/catalog/images/a.png") == b"PNG"
    assert str(script.last.url) == "https://shop.example/api/v1/catalog/images/a.png"
    assert "authorization" not in script.last.headers


async def test_image_refuses_other_hosts_and_non_images() -> None:
    """The device fetches images only from its backend, and only images."""
    client, script = make(lambda _r: httpx.Response(200, text="<html>"))
    with pytest.raises(ProtocolError):
        await client.image("https://evil.example/x.png")
    assert script.requests == []
    with pytest.raises(ProtocolError):
        await client.image("/v1/catalog/images/a.png")


async def test_create_purchase_sends_key_and_body_and_tells_replays_apart() -> None:
    """The Idempotency-Key header and body go out; 201 is created, 200 a replay."""
    client, script = make(ok(purchase_json(), 201))
    created = await client.create_purchase(
        "key_1", binding="bnd_1", product_id="movie-night", amount=Money(3800, "HKD")
    )
    assert script.last.headers["idempotency-key"] == "key_1"
    assert json.loads(script.last.content) == {
        "binding": "bnd_1",
        "product_id": "movie-night",
        "amount": {"currency": "HKD", "value": 3800},
    }
    assert created.created
    assert created.purchase.state is PurchaseState.PROCESSING
    client2, _ = make(ok(purchase_json(), 200))
    replay = await client2.create_purchase(
        "key_1", binding="bnd_1", product_id="movie-night", amount=Money(3800, "HKD")
    )
    assert not replay.created


async def test_create_purchase_refuses_a_malformed_key_before_sending() -> None:
    """Keys outside the contract's alphabet never reach the backend."""
    client, script = make(ok(purchase_json(), 201))
    with pytest.raises(ValueError, match="idempotency key"):
        await client.create_purchase(
            "no spaces!", binding="b", product_id="p", amount=Money(1, "HKD")
        )
    assert script.requests == []


async def test_get_purchase_reads_the_receipt() -> None:
    """A succeeded purchase carries a ready-to-show receipt."""
    receipt = {
        "order_ref": "ord_1",
        "payment_ref": "pay_1",
        "item": "Movie night",
        "amount": {"currency": "HKD", "value": 3800},
        "wallet": "ALIPAY_HK",
        "account": "852****5678",
        "paid_at": T0,
    }
    client, script = make(ok(purchase_json(state="SUCCEEDED", receipt=receipt, completed_at=T0)))
    purchase = await client.get_purchase("pur_1", wait=10)
    assert script.last.url.params["wait"] == "10"
    assert purchase.paid
    assert purchase.receipt is not None
    assert purchase.receipt.payment_ref == "pay_1"


async def test_purchase_history_pages() -> None:
    """History is asked per binding with limit and cursor; `next` pages on."""
    client, script = make(ok({"purchases": [purchase_json()], "next": 41}))
    page = await client.purchases(binding="bnd_1", limit=5, before="99")
    params = script.last.url.params
    assert (params["binding"], params["limit"], params["before"]) == ("bnd_1", "5", "99")
    assert len(page.purchases) == 1
    assert page.next == "41"


# ------------------------------------------------------------------------------ errors

REQUEST_ERRORS = [
    (400, "VALIDATION_ERROR", ValidationError),
    (400, "SLOW_DOWN", SlowDownError),
    (401, "UNAUTHENTICATED", AuthError),
    (403, "ENROLMENT_REFUSED", AuthError),
    (404, "NOT_FOUND", NotFoundError),
    (409, "IDEMPOTENCY_KEY_REUSED", ConflictError),
    (409, "PRICE_CHANGED", ConflictError),
    (409, "BINDING_REVOKED", ConflictError),
    (409, "BINDING_EXPIRED", ConflictError),
    (409, "CURRENCY_MISMATCH", ConflictError),
    (413, "BODY_TOO_LARGE", ValidationError),
    (429, "RATE_LIMITED", RateLimitedError),
    (503, "BACKEND_UNAVAILABLE", ServerError),
]


@pytest.mark.parametrize(("status", "code", "kind"), REQUEST_ERRORS)
async def test_every_error_code_has_its_class(status: int, code: str, kind: type[ApiError]) -> None:
    """Each stable code of the contract becomes its typed error, code and status kept."""
    body = {"error": {"code": code, "message": "消息", "retryable": status in (429, 503)}}
    client, _ = make(lambda _r: httpx.Response(status, json=body))
    with pytest.raises(kind) as caught:
        await client.create_purchase("k", binding="b", product_id="p", amount=Money(1, "HKD"))
    assert caught.value.code == code
    assert caught.value.status == status
    assert caught.value.backend_message == "消息"
    assert caught.value.retryable is (status in (429, 503))


async def test_error_details_are_typed() -> None:
    """interval, retry_after (member or header), field and revoked_by are readable."""

    def answer(request: httpx.Request) -> httpx.Response:
        kind = request.url.path.rsplit("/", 1)[-1]
        table = {
            "slow": (400, {"code": "SLOW_DOWN", "interval": 10}, {}),
            "rate": (429, {"code": "RATE_LIMITED"}, {"Retry-After": "7"}),
            "field": (400, {"code": "VALIDATION_ERROR", "field": "wallet"}, {}),
            "revoked": (409, {"code": "BINDING_REVOKED", "revoked_by": "WALLET"}, {}),
        }
        status, envelope, headers = table[kind]
        return httpx.Response(status, json={"error": envelope}, headers=headers)

    client, _ = make(answer)
    with pytest.raises(SlowDownError) as slow:
        await client.get_bind_session("slow")
    assert slow.value.interval == 10
    with pytest.raises(RateLimitedError) as rate:
        await client.get_bind_session("rate")
    assert rate.value.retry_after == 7
    with pytest.raises(ValidationError) as bad:
        await client.get_bind_session("field")
    assert bad.value.field == "wallet"
    with pytest.raises(ConflictError) as revoked:
        await client.get_bind_session("revoked")
    assert revoked.value.revoked_by == "WALLET"


async def test_unknown_codes_fall_back_on_the_status() -> None:
    """A code the device does not know is still classed by who must act."""
    client, _ = make(lambda _r: httpx.Response(409, json={"error": {"code": "NEW_THING"}}))
    with pytest.raises(ConflictError):
        await client.catalog()
    client, _ = make(lambda _r: httpx.Response(500, json={"error": {"code": "OOPS"}}))
    with pytest.raises(ServerError) as caught:
        await client.catalog()
    assert caught.value.retryable


async def test_a_5xx_without_envelope_is_a_server_error() -> None:
    """A proxy's HTML 502 page means "try again", not a crash."""
    client, _ = make(lambda _r: httpx.Response(502, text="<html>Bad gateway</html>"))
    with pytest.raises(ServerError) as caught:
        await client.catalog()
    assert caught.value.code == "HTTP_502"


async def test_a_4xx_without_envelope_is_a_protocol_error() -> None:
    """An error status without the envelope is reported as a contract breach."""
    client, _ = make(lambda _r: httpx.Response(405, text="Method Not Allowed"))
    with pytest.raises(ProtocolError) as caught:
        await client.catalog()
    assert caught.value.status == 405


@pytest.mark.parametrize(
    ("failure", "timed_out"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ReadTimeout("slow"), True),
        (httpx.RemoteProtocolError("cut"), False),
        (httpx.ConnectTimeout("slow"), True),
    ],
)
async def test_no_answer_is_a_retryable_network_error(failure: Exception, timed_out: bool) -> None:
    """Refused, cut or timed-out requests become NetworkError (UNREACHABLE, retryable)."""

    def answer(request: httpx.Request) -> httpx.Response:
        raise failure

    client, _ = make(answer)
    with pytest.raises(NetworkError) as caught:
        await client.get_bind_session("bs_1", wait=25)
    assert caught.value.timeout is timed_out
    assert caught.value.code == "UNREACHABLE"
    assert caught.value.retryable


async def test_messages_never_carry_the_query_string() -> None:
    """Network errors name the path only (a query can carry a binding reference)."""

    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client, _ = make(answer)
    with pytest.raises(NetworkError) as caught:
        await client.purchases(binding="bnd_secret")
    assert "bnd_secret" not in str(caught.value)


# ------------------------------------------------------------------------------ malformed

MALFORMED: list[tuple[str, Any]] = [
    ("not json", "<html>portal</html>"),
    ("not an object", [1, 2]),
    ("missing id", {k: v for k, v in session_json().items() if k != "id"}),
    ("unknown state", session_json(state="HALF_BOUND")),
    ("unknown wallet", session_json(wallet="PAYPAL")),
    ("naive time", session_json(expires_at="2026-03-02T04:15:00")),
    ("garbled time", session_json(expires_at="tomorrow")),
    ("negative interval", session_json(interval=-1)),
    ("bool interval", session_json(interval=True)),
    ("bound without binding", session_json(state="BOUND", qr_text=None)),
    ("pending without qr", session_json(qr_text=None)),
    ("bad binding", session_json(state="BOUND", binding={"ref": "x"})),
]


@pytest.mark.parametrize(("name", "body"), MALFORMED, ids=[m[0] for m in MALFORMED])
async def test_malformed_sessions_are_protocol_errors(name: str, body: Any) -> None:
    """A session answer that breaks the contract raises ProtocolError, never anything else."""
    if isinstance(body, str):
        client, _ = make(lambda _r: httpx.Response(200, text=body))
    else:
        client, _ = make(ok(body))
    with pytest.raises(ProtocolError):
        await client.get_bind_session("bs_1")


@pytest.mark.parametrize(
    "body",
    [
        purchase_json(amount={"currency": "HKD", "value": "3800"}),
        purchase_json(amount={"currency": "XXX", "value": 3800}),
        purchase_json(amount={"currency": "IDR", "value": 7500001}),
        purchase_json(amount={"currency": "HKD", "value": -1}),
        purchase_json(product="movie-night"),
        purchase_json(failure={"message": "no code"}),
        purchase_json(state="SUCCEEDED", receipt={"order_ref": "o"}),
    ],
)
async def test_malformed_purchases_are_protocol_errors(body: Any) -> None:
    """Bad money, shapes or receipts in a purchase raise ProtocolError."""
    client, _ = make(ok(body))
    with pytest.raises(ProtocolError):
        await client.get_purchase("pur_1")


async def test_malformed_catalog_and_history_are_protocol_errors() -> None:
    """The catalog and the history are checked item by item."""
    client, _ = make(ok({"products": [{"id": "x", "prices": [{"currency": "HKD"}]}]}))
    with pytest.raises(ProtocolError, match=r"prices\[0\]"):
        await client.catalog()
    client, _ = make(ok({"purchases": [{"id": 1}], "next": None}))
    with pytest.raises(ProtocolError, match=r"purchases\[0\]"):
        await client.purchases()
    client, _ = make(ok({"purchases": [], "next": {"x": 1}}))
    with pytest.raises(ProtocolError):
        await client.purchases()


async def test_extra_members_are_ignored() -> None:
    """The backend may add members without breaking devices."""
    client, _ = make(ok(session_json(new_member={"anything": 1})))
    session = await client.get_bind_session("bs_1")
    assert session.id == "bs_1"


# ------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTPS://Shop.Example/", "https://shop.example"),
        ("http://127.0.0.1:8080/api/", "http://127.0.0.1:8080/api"),
        ("https://[::1]:9/", "https://[::1]:9"),
    ],
)
def test_backend_urls_are_normalised(given: str, expected: str) -> None:
    """One spelling per backend, so the vault finds its secrets whatever the user typed."""
    assert normalise_backend_url(given) == expected


@pytest.mark.parametrize(
    "bad", ["shop.example", "ftp://shop.example", "https://", "https://x/?a=1"]
)
def test_bad_backend_urls_are_refused(bad: str) -> None:
    """A backend URL must be http(s) with a host and no query."""
    with pytest.raises(ValueError, match="backend URL"):
        normalise_backend_url(bad)


# ------------------------------------------------------------------------------ its HTTP client


async def test_a_client_factory_is_called_at_the_first_request_and_closed_by_aclose() -> None:
    """The app hands a factory: no HTTP client exists until the core's first call, one after."""
    script = Script(ok({"products": []}))
    made: list[httpx.AsyncClient] = []

    def factory() -> httpx.AsyncClient:
        made.append(httpx.AsyncClient(transport=httpx.MockTransport(script)))
        return made[-1]

    client = MerchantClient(factory, BASE, credential="tvd_secret")
    assert made == []
    await client.catalog()
    await client.catalog()
    assert len(made) == 1
    assert len(script.requests) == 2
    await client.aclose()
    assert made[0].is_closed
    await client.aclose()  # twice is harmless


async def test_an_injected_http_client_stays_the_callers() -> None:
    """`aclose()` leaves a client the caller passed in open: the caller owns and closes it."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(Script(ok({"products": []}))))
    client = MerchantClient(http, BASE, credential="tvd_secret")
    await client.catalog()
    await client.aclose()
    assert not http.is_closed
    await http.aclose()
