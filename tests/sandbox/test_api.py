"""The API envelope: both prefixes, signatures both ways, Antom-shaped refusals of bad calls."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import Harness, result_of
from tvclient.antom.headers import epoch_millis
from tvclient.antom.keys import generate_private_key
from tvclient.antom.paths import Api
from tvclient.antom.signing import request_headers, verify_response

CONSULT = {
    "customerBelongsTo": "ALIPAY_HK", "authRedirectUrl": "https://m.example/r",
    "scopes": ["AGREEMENT_PAY"], "authState": "st", "terminalType": "WEB",
}
BODY = json.dumps(CONSULT).encode()


def _signed_answer(h: Harness, path: str, response: httpx.Response) -> dict[str, Any]:
    verify_response(h.antom_public_key, "POST", path, response.headers, response.content)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.parametrize("live", [False, True])
async def test_both_prefixes_serve_every_api(harness: Harness, live: bool) -> None:
    """Consult works under /ams/api/v1 and /ams/sandbox/api/v1, with a signed response."""
    data = await harness.call(Api.CONSULT, CONSULT, live=live)
    assert result_of(data) == ("S", "SUCCESS")


async def test_response_headers_are_antoms(harness: Harness) -> None:
    """Responses carry client-id, response-time and an RSA256 signature header."""
    response = await harness.raw(Api.CONSULT.sandbox_path, BODY)
    assert response.headers["client-id"] == harness.client_id
    assert response.headers["response-time"].isdigit()
    assert response.headers["signature"].startswith("algorithm=RSA256,keyVersion=1,signature=")


async def test_sdk_style_headers_are_accepted(harness: Harness) -> None:
    """Lower-case header names, ISO 8601 Request-Time and spaces after commas all verify."""
    path = Api.CONSULT.sandbox_path
    time = "2026-03-02T12:00:00+08:00"
    headers = request_headers(harness.merchant_key, method="POST", path=path,
                              client_id=harness.client_id, time=time, body=BODY)
    sent = {k.lower(): v for k, v in headers.items()}
    sent["signature"] = sent["signature"].replace(",", ", ")
    response = await harness.http.post(path, content=BODY, headers=sent)
    assert result_of(_signed_answer(harness, path, response)) == ("S", "SUCCESS")


def _headers(h: Harness, path: str, body: bytes, **changes: str) -> dict[str, str]:
    headers = request_headers(h.merchant_key, method="POST", path=path,
                              client_id=h.client_id, time=epoch_millis(h.clock.now()), body=body)
    for name, value in changes.items():
        if value == "":
            headers.pop(name, None)
        else:
            headers[name] = value
    return headers


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"Client-Id": ""}, "CLIENT_INVALID"),
        ({"Client-Id": "SANDBOX_NOBODY"}, "CLIENT_INVALID"),
        ({"Signature": ""}, "INVALID_SIGNATURE"),
        ({"Request-Time": ""}, "INVALID_SIGNATURE"),
        ({"Signature": "algorithm=RSA256,keyVersion=1,signature=%%%"}, "INVALID_SIGNATURE"),
        ({"Signature": "algorithm=HMAC,keyVersion=1,signature=AAAA"}, "INVALID_SIGNATURE"),
        ({"Request-Time": "1"}, "INVALID_SIGNATURE"),
    ],
)
async def test_bad_envelope_is_refused(
    harness: Harness, changes: dict[str, str], code: str
) -> None:
    """Missing/unknown client or a bad signature part is an F with its code."""
    path = Api.CONSULT.sandbox_path
    response = await harness.http.post(
        path, content=BODY, headers=_headers(harness, path, BODY, **changes)
    )
    if changes.get("Client-Id") == "":
        # No client ID to echo: the answer is still a signed Antom result, for client "".
        assert response.headers["client-id"] == ""
        data = response.json()
    else:
        data = _signed_answer(harness, path, response)
    assert result_of(data) == ("F", code)
    assert harness.sandbox.store.scalar("SELECT COUNT(*) FROM consults") == 0


async def test_other_key_version_is_key_not_found(harness: Harness) -> None:
    """KeyVersion 2 is KEY_NOT_FOUND (one key per client)."""
    path = Api.CONSULT.sandbox_path
    headers = _headers(harness, path, BODY)
    headers["Signature"] = headers["Signature"].replace("keyVersion=1", "keyVersion=2")
    response = await harness.http.post(path, content=BODY, headers=headers)
    assert result_of(_signed_answer(harness, path, response)) == ("F", "KEY_NOT_FOUND")


async def test_wrong_key_tampered_body_or_path_fail(harness: Harness) -> None:
    """A signature by another key, over another body or over another path is INVALID_SIGNATURE."""
    path = Api.CONSULT.sandbox_path
    stranger = request_headers(generate_private_key(), method="POST", path=path,
                               client_id=harness.client_id,
                               time=epoch_millis(harness.clock.now()), body=BODY)
    tampered = _headers(harness, path, BODY)
    other_path = _headers(harness, Api.CONSULT.live_path, BODY)
    for headers, body in ((stranger, BODY), (tampered, BODY.replace(b"st", b"su")),
                          (other_path, BODY)):
        response = await harness.http.post(path, content=body, headers=headers)
        assert result_of(_signed_answer(harness, path, response)) == ("F", "INVALID_SIGNATURE")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b"{not json", "MEDIA_TYPE_NOT_ACCEPTABLE", ""),
        (b"\xff\xfe", "MEDIA_TYPE_NOT_ACCEPTABLE", ""),
        (b"[]", "PARAM_ILLEGAL", "JSON object"),
        (json.dumps({**CONSULT, "scopes": "AGREEMENT_PAY"}).encode(), "PARAM_ILLEGAL", "scopes"),
        (json.dumps({**CONSULT, "authState": 42}).encode(), "PARAM_ILLEGAL", "authState"),
        (json.dumps({**CONSULT, "authState": "s" * 257}).encode(), "PARAM_ILLEGAL", "authState"),
        (json.dumps({**CONSULT, "terminalType": "TV"}).encode(), "PARAM_ILLEGAL", "terminalType"),
        (json.dumps({**CONSULT, "customerBelongsTo": None}).encode(), "PARAM_ILLEGAL",
         "customerBelongsTo"),
    ],
)
async def test_bad_bodies_are_refused(harness: Harness, body: bytes, code: str, field: str) -> None:
    """Malformed JSON, wrong types, too-long fields and unknown enums are F, naming the field."""
    data = _signed_answer(harness, Api.CONSULT.sandbox_path,
                          await harness.raw(Api.CONSULT.sandbox_path, body))
    assert result_of(data) == ("F", code)
    assert field in data["result"]["resultMessage"]


async def test_unknown_path_and_method(harness: Harness) -> None:
    """An unknown API path is NO_INTERFACE_DEF; GET on an API is METHOD_NOT_SUPPORTED."""
    path = "/ams/api/v1/payments/teleport"
    data = _signed_answer(harness, path, await harness.raw(path, BODY))
    assert result_of(data) == ("F", "NO_INTERFACE_DEF")
    get = await harness.http.get(Api.PAY.live_path)
    assert get.status_code == 200
    assert result_of(get.json()) == ("F", "METHOD_NOT_SUPPORTED")


async def test_non_json_content_type(harness: Harness) -> None:
    """A body declared as text/plain is MEDIA_TYPE_NOT_ACCEPTABLE."""
    path = Api.CONSULT.sandbox_path
    headers = _headers(harness, path, BODY, **{"Content-Type": "text/plain"})
    response = await harness.http.post(path, content=BODY, headers=headers)
    assert result_of(response.json()) == ("F", "MEDIA_TYPE_NOT_ACCEPTABLE")


async def test_oversized_body(harness: Harness) -> None:
    """A body over 256 KiB is refused before it is read whole."""
    body = b'{"x":"' + b"a" * (300 * 1024) + b'"}'
    response = await harness.raw(Api.CONSULT.sandbox_path, body)
    assert result_of(response.json()) == ("F", "PARAM_ILLEGAL")
    assert "larger" in response.json()["result"]["resultMessage"]


async def test_health_and_index(harness: Harness) -> None:
    """/healthz answers ok; / names the client."""
    assert (await harness.http.get("/healthz")).json() == {"status": "ok"}
    assert (await harness.http.get("/")).json()["clientId"] == harness.client_id
