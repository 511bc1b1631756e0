"""The operator API: its token, listings, balances, approvals, faults and report files."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import Harness, consult_request, expect_success, result_of
from tvclient.antom.paths import Api

P = "/operator/v1"


def _auth(h: Harness) -> dict[str, str]:
    return {"Authorization": f"Bearer {h.sandbox.identity.operator_token}"}


async def _get(h: Harness, path: str) -> Any:
    response = await h.http.get(P + path, headers=_auth(h))
    assert response.status_code == 200, response.text
    return response.json()


async def _send(h: Harness, method: str, path: str, body: Any = None) -> httpx.Response:
    return await h.http.request(method, P + path, json=body, headers=_auth(h))


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc", "Bearer "])
async def test_token_is_required(harness: Harness, header: str | None) -> None:
    """Without the operator token every operator endpoint answers 401."""
    headers = {"Authorization": header} if header else {}
    for path in ("/status", "/buyers", "/payments", "/faults", "/reports"):
        response = await harness.http.get(P + path, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_lists(harness: Harness) -> None:
    """Everything is listed; no access token, refresh token or auth code appears."""
    bound = await harness.bind(buyer="hk-alice")
    paid = await harness.pay(bound["accessToken"], 1234)
    await harness.call(Api.REFUND, {"refundRequestId": "r", "paymentId": paid["paymentId"],
                                    "refundAmount": {"currency": "HKD", "value": "34"}})
    await harness.drain()
    status = await _get(harness, "/status")
    assert status["clientId"] == harness.client_id
    assert status["counts"]["payments"] == 1
    assert (await _get(harness, "/clients"))["clients"][0]["clientId"] == harness.client_id
    buyers = {b["buyerId"]: b for b in (await _get(harness, "/buyers"))["buyers"]}
    assert buyers["hk-alice"]["balance"] == 500_000 - 1234 + 34
    assert (await _get(harness, "/qrs?status=AGREED"))["qrs"][0]["status"] == "AGREED"
    [binding] = (await _get(harness, "/bindings"))["bindings"]
    assert binding["buyerId"] == "hk-alice"
    [payment] = (await _get(harness, "/payments"))["payments"]
    assert payment["amount"] == 1234
    assert payment["refunded"] == 34
    assert (await _get(harness, "/refunds"))["refunds"][0]["amount"] == 34
    notes = (await _get(harness, "/notifications"))["notifications"]
    assert {n["kind"] for n in notes} == {"notifyAuthorization", "notifyPayment", "notifyRefund"}
    everything = str([await _get(harness, p) for p in
                      ("/bindings", "/payments", "/notifications", "/qrs")])
    assert bound["accessToken"] not in everything
    assert bound["refreshToken"] not in everything
    auth_code = harness.receiver.of("/authorization")[0].json["authCode"]
    assert auth_code not in everything


async def test_set_balance(harness: Harness) -> None:
    """PUT balance sets minor units; IDR must end in 00; unknown buyers are 404."""
    ok = await _send(harness, "PUT", "/buyers/hk-ben/balance", {"value": "999"})
    assert ok.status_code == 200
    assert ok.json()["balance"] == 999
    bad = await _send(harness, "PUT", "/buyers/id-eko/balance", {"value": "150"})
    assert bad.status_code == 400
    missing = await _send(harness, "PUT", "/buyers/nobody/balance", {"value": "1"})
    assert missing.status_code == 404
    negative = await _send(harness, "PUT", "/buyers/hk-ben/balance", {"value": "-1"})
    assert negative.status_code == 400


async def test_approve_on_a_buyers_behalf(harness: Harness) -> None:
    """The operator approves a pending QR for a named buyer; the merchant gets AUTHCODE_CREATED."""
    consult = expect_success(await harness.client.consult(consult_request(state="op")))
    code_value = consult.auth_code_form.text()
    response = await _send(harness, "POST", "/approve",
                           {"codeValue": code_value, "buyerId": "hk-carol"})
    assert response.status_code == 200
    assert response.json()["buyerId"] == "hk-carol"
    await harness.drain()
    assert harness.receiver.of("/authorization")[0].json["authState"] == "op"
    again = await _send(harness, "POST", "/approve", {"codeValue": code_value})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "QR_USED"


async def test_unlink_from_operator(harness: Harness) -> None:
    """The operator can unlink a binding as its buyer (TOKEN_CANCELED)."""
    await harness.bind()
    [binding] = (await _get(harness, "/bindings"))["bindings"]
    response = await _send(harness, "POST", f"/bindings/{binding['bindingId']}/unlink")
    assert response.json()["status"] == "REVOKED"
    await harness.drain()
    assert harness.receiver.of("/authorization")[-1].json["authorizationNotifyType"] == (
        "TOKEN_CANCELED"
    )


async def test_fault_crud(harness: Harness) -> None:
    """Faults are armed, listed, removed one by one and cleared."""
    first = await _send(harness, "POST", "/faults", {"target": "pay", "kind": "unknown",
                                                      "count": 2})
    assert first.status_code == 200
    second = await _send(harness, "POST", "/faults", {"target": "notifyRefund", "kind": "drop"})
    listed = (await _get(harness, "/faults"))["faults"]
    assert [(f["target"], f["remaining"]) for f in listed] == [("pay", 2), ("notifyRefund", 1)]
    fault_id = first.json()["fault"]["id"]
    assert (await _send(harness, "DELETE", f"/faults/{fault_id}")).status_code == 200
    assert (await _send(harness, "DELETE", f"/faults/{fault_id}")).status_code == 404
    assert (await _send(harness, "DELETE", "/faults")).json()["removed"] == 1
    assert second.json()["fault"]["kind"] == "drop"
    bad = await _send(harness, "POST", "/faults", {"target": "pay", "kind": "drop"})
    assert bad.status_code == 400


async def test_notify_urls(harness: Harness) -> None:
    """The client's default notification URLs can be changed and cleared."""
    path = f"/clients/{harness.client_id}/notify-urls"
    response = await _send(harness, "PUT", path, {"payment": "http://merchant.test/new",
                                                  "refund": None})
    assert response.json()["notifyUrls"]["payment"] == "http://merchant.test/new"
    assert response.json()["notifyUrls"]["refund"] is None
    assert (await _send(harness, "PUT", path, {"payment": "not a url"})).status_code == 400


async def test_reports_are_generated_and_fetched(harness: Harness) -> None:
    """Reports are written, listed and fetched; nothing outside their tree is served."""
    token = (await harness.bind())["accessToken"]
    await harness.pay(token, 500)
    made = await _send(harness, "POST", "/reports", {"date": "2026-03-02"})
    files = made.json()["files"]
    assert files[0].endswith("/20260302/transactionItems_20260302_000.csv")
    assert (await _get(harness, "/reports"))["files"] == sorted(files)
    text = (await harness.http.get(f"{P}/reports/{files[0]}", headers=_auth(harness))).text
    assert text.splitlines()[-1] == "<END>"
    for path in ("v1/../sandbox.sqlite3", "../client.json", "%2e%2e/client.json",
                 "v1/settlements/../../merchant-private-key.pem"):
        response = await harness.http.get(f"{P}/reports/{path}", headers=_auth(harness))
        assert response.status_code == 404
    assert (await _send(harness, "POST", "/reports", {"date": "yesterday"})).status_code == 400


async def test_bad_operator_bodies(harness: Harness) -> None:
    """Operator endpoints answer 4xx, never 5xx, to bodies that are not what they expect."""
    for method, path in (("POST", "/faults"), ("POST", "/approve"), ("POST", "/reports"),
                         ("PUT", "/buyers/hk-ben/balance")):
        for content in (b"", b"{", b"[]", b'"x"', b"\xff", b"{}" * 10_000):
            response = await harness.http.request(method, P + path, content=content,
                                                  headers=_auth(harness))
            assert 400 <= response.status_code < 500, (path, content[:10], response.text)


async def test_declarations_are_listed(harness: Harness) -> None:
    """Declarations appear in the operator listing."""
    token = (await harness.bind())["accessToken"]
    paid = await harness.pay(token, 5000)
    body = {"declarationRequestId": "d", "paymentId": paid["paymentId"],
            "declarationAmount": {"currency": "HKD", "value": "5000"},
            "customs": {"customsCode": "NINGBO", "region": "CN"},
            "merchantCustomsInfo": {"merchantCustomsCode": "c", "merchantCustomsName": "n"},
            "splitOrder": "false"}
    assert result_of(await harness.call(Api.DECLARE, body))[0] == "S"
    [item] = (await _get(harness, "/declarations"))["declarations"]
    assert item["customsCode"] == "NINGBO"
