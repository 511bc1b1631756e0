"""Forged, re-signed and replayed notifications never move the ledger.

Threats: someone who can reach the backend's notify URLs (they are public: Antom must reach
them) forges a PAYMENT_RESULT "success" to be delivered goods without paying, a TOKEN_CANCELED
to unlink other people's wallets, or an AUTHCODE_CREATED to bind a session to a wallet that
never agreed; or captures a genuine notification and sends it again (a replay), to another
endpoint, or with its body changed.

Defences, each proven here:

- every notification must verify with Antom's public key over the path of *our* notify URL,
  the exact body bytes and the sender's client ID: another key (including our own merchant
  key), another path, another body, another client ID or no signature is refused (HTTP 401,
  Antom result F) and changes nothing;
- a genuine notification replayed byte for byte is recognised as already applied: it is
  acknowledged (Antom would otherwise re-send a genuine duplicate up to eight times) and
  changes nothing, starts no second token exchange and no second payment;
- a genuine, correctly signed notification about something that is not ours (an unknown
  authState or paymentRequestId) is refused and changes nothing.
"""

from __future__ import annotations

import json

import pytest

from tests.reliability.stacks import Sent, World, snapshot
from tvclient.antom.keys import RSAPrivateKey, generate_private_key
from tvclient.antom.signing import request_headers

PATHS = ("/antom/notify/authorization", "/antom/notify/payment", "/antom/notify/refund")


def _genuine(world: World, kind: str) -> Sent:
    """The first notification of `kind` the sandbox sent while the world was built."""
    for sent in world.sent:
        body = json.loads(sent.body)
        if kind in (body.get("authorizationNotifyType"), body.get("notifyType")):
            return sent
    raise AssertionError(f"no {kind} notification was sent")


async def _post(world: World, path: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    response = await world.stack.device.post(
        path, content=body, headers={k: v for k, v in headers.items() if k != "content-length"}
    )
    assert response.status_code < 500, response.text
    result: dict[str, str] = response.json()["result"]
    await world.stack.settle()
    return {**result, "http": str(response.status_code)}


async def _sandbox_counts(world: World) -> tuple[int, int, int]:
    status = (await world.stack.operator.get("/operator/v1/status")).json()["counts"]
    return status["bindings"], status["payments"], status["refunds"]


@pytest.mark.parametrize("kind", ["AUTHCODE_CREATED", "TOKEN_CANCELED", "PAYMENT_RESULT",
                                  "REFUND_RESULT"])
async def test_a_replayed_notification_changes_nothing(world: World, kind: str) -> None:
    """The genuine notification sent again, byte for byte: acknowledged, nothing moves."""
    sent = _genuine(world, kind)
    before, antom_before = await snapshot(world.stack), await _sandbox_counts(world)
    result = await _post(world, sent.path, sent.body, sent.headers)
    await world.stack.run(70)  # a second token exchange or payment would have happened by now
    assert result["resultStatus"] == "S"  # already applied: Antom may stop re-sending
    assert await snapshot(world.stack) == before
    assert await _sandbox_counts(world) == antom_before


@pytest.mark.parametrize("kind", ["AUTHCODE_CREATED", "PAYMENT_RESULT", "TOKEN_CANCELED"])
async def test_a_replay_to_another_endpoint_or_with_another_body_is_refused(
    world: World, kind: str, expect_log: None
) -> None:
    """The signature covers the notify path and the exact bytes: any change is refused."""
    sent = _genuine(world, kind)
    before = await snapshot(world.stack)
    for path in PATHS:
        if path != sent.path:
            result = await _post(world, path, sent.body, sent.headers)
            assert (result["http"], result["resultCode"]) == ("401", "INVALID_SIGNATURE")
    altered = sent.body.replace(b'"S"', b'"F"', 1) if b'"S"' in sent.body else sent.body + b" "
    result = await _post(world, sent.path, altered, sent.headers)
    assert (result["http"], result["resultCode"]) == ("401", "INVALID_SIGNATURE")
    assert await snapshot(world.stack) == before


@pytest.mark.parametrize("signer", ["attacker key", "merchant key", "other client id",
                                    "unsigned"])
async def test_a_forged_payment_success_does_not_deliver_goods(
    world: World, signer: str, expect_log: None
) -> None:
    """A PAYMENT_RESULT "success" for an unpaid purchase, signed wrongly: refused, not paid."""
    stack = world.stack
    await stack.fault("pay", "unknown", seconds=50, outcome="fail")
    created = await stack.buy(world.binding, key=f"forged-{signer.replace(' ', '-')}")
    purchase = created.json()
    assert purchase["state"] == "PROCESSING"
    await stack.settle()  # the pay call reaches Antom: U, the money held while unknown
    [payment] = [p for p in await stack.sandbox_payments() if p["status"] == "PROCESSING"]
    body = json.dumps({
        "notifyType": "PAYMENT_RESULT",
        "result": {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"},
        "paymentRequestId": payment["paymentRequestId"], "paymentId": payment["paymentId"],
        "paymentAmount": {"currency": "HKD", "value": "3800"},
        "paymentCreateTime": "2026-03-02T12:00:00+08:00",
        "paymentTime": "2026-03-02T12:00:01+08:00", "paymentMethodType": "ALIPAY_HK",
    }).encode()
    identity = stack.sandbox.identity
    path = "/antom/notify/payment"
    keys = {"attacker key": generate_private_key(),
            "merchant key": _merchant_key(world),
            "other client id": identity.antom_private_key}
    headers: dict[str, str] = {"content-type": "application/json"}
    if signer != "unsigned":
        client_id = "SANDBOX_SOMEONE_ELSE" if signer == "other client id" else identity.client_id
        headers.update(request_headers(keys[signer], method="POST", path=path,
                                       client_id=client_id, time="1772424000000", body=body))
    before = await snapshot(stack)
    result = await _post(world, path, body, headers)
    assert result["resultStatus"] == "F"
    assert result["http"] == "401"
    assert await snapshot(stack) == before
    final = await stack.final(purchase["id"], limit=120)
    assert final["state"] == "FAILED"  # Antom's own word: the payment failed
    assert final["receipt"] is None


async def test_a_forged_unlink_does_not_revoke_a_binding(world: World, expect_log: None) -> None:
    """A TOKEN_CANCELED signed with another key, even naming a real token, changes nothing."""
    genuine = _genuine(world, "TOKEN_CANCELED")
    body = genuine.body  # it names a real (already revoked) token; B's is never seen by anyone
    headers = request_headers(generate_private_key(), method="POST", path=genuine.path,
                              client_id=world.stack.sandbox.identity.client_id,
                              time="1772424000000", body=body)
    before = await snapshot(world.stack)
    result = await _post(world, genuine.path, body, headers)
    assert (result["http"], result["resultCode"]) == ("401", "INVALID_SIGNATURE")
    assert await snapshot(world.stack) == before
    own = await world.stack.device.get(f"/v1/bindings/{world.b_binding}", headers=world.b)
    assert own.json()["state"] == "ACTIVE"


@pytest.mark.parametrize("kind", ["AUTHCODE_CREATED", "PAYMENT_RESULT", "REFUND_RESULT"])
async def test_a_signed_notification_about_something_not_ours_is_refused(
    world: World, kind: str, expect_log: None
) -> None:
    """Correctly signed, but for an unknown authState / request id: refused, nothing changes."""
    sent = _genuine(world, kind)
    document = json.loads(sent.body)
    for field in ("authState", "paymentRequestId", "refundRequestId"):
        if field in document:
            document[field] = "not-one-of-ours-" + "0" * 16
    body = json.dumps(document).encode()
    identity = world.stack.sandbox.identity
    headers = request_headers(identity.antom_private_key, method="POST", path=sent.path,
                              client_id=identity.client_id, time="1772424000000", body=body)
    before = await snapshot(world.stack)
    result = await _post(world, sent.path, body, {**headers, "content-type": "application/json"})
    assert (result["http"], result["resultStatus"]) == ("400", "F")
    assert await snapshot(world.stack) == before


def _merchant_key(world: World) -> RSAPrivateKey:
    from tvclient.antom.keys import read_private_key

    path = world.stack.backend.config.private_key
    assert path is not None
    return read_private_key(path)
