"""Bind sessions: consult, long-poll, RFC 8628 pacing, notifications, terminal states."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.merchant.conftest import Harness
from tests.merchant.fakes import auth_code_created, failed, unknown
from tvclient.merchant.antom_port import Api


async def _create(h: Harness, wallet: str = "ALIPAY_HK") -> dict[str, Any]:
    response = await h.client.post("/v1/bind-sessions", json={"wallet": wallet}, headers=h.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_consult_is_called_as_scan_to_link_requires(harness: Harness) -> None:
    """Consult is sent with terminalType WEB (twice), a fresh authState and our notify URL."""
    session = await _create(harness)
    await _create(harness)
    first, second = harness.antom.bodies(Api.CONSULT)
    assert first["terminalType"] == "WEB"
    assert first["env"] == {"terminalType": "WEB"}
    assert first["scopes"] == ["AGREEMENT_PAY"]
    assert first["authNotifyUrl"] == "http://merchant.test/antom/notify/authorization"
    assert first["authState"] != second["authState"]
    assert len(first["authState"]) >= 24
    assert session["state"] == "PENDING"
    assert session["qr_text"].startswith("https://wallet.example/qr/")
    assert session["interval"] == 5
    assert session["long_poll"] == 25
    assert session["expires_in"] == 900


async def test_long_poll_answers_as_soon_as_the_binding_is_stored(harness: Harness) -> None:
    """A waiting device gets BOUND (binding + masked account) right after AUTHCODE_CREATED."""
    session = await _create(harness)
    poll = asyncio.create_task(
        harness.client.get(
            f"/v1/bind-sessions/{session['id']}", params={"wait": 25}, headers=harness.headers
        )
    )
    await harness.settle()
    assert not poll.done()
    reply = await harness.notify(
        "/antom/notify/authorization", auth_code_created(harness.antom.last_auth_state())
    )
    assert reply.json() == {
        "result": {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"}
    }
    body = (await asyncio.wait_for(poll, 5)).json()
    assert body["state"] == "BOUND"
    assert body["binding"]["state"] == "ACTIVE"
    assert body["binding"]["account"] == "852****5678"
    assert body["binding"]["currency"] == "HKD"
    apply = harness.antom.bodies(Api.APPLY_TOKEN)[0]
    assert apply == {
        "grantType": "AUTHORIZATION_CODE",
        "customerBelongsTo": "ALIPAY_HK",
        "authCode": "code-1",
    }


async def test_long_poll_times_out_with_the_pending_session(harness: Harness) -> None:
    """With nothing happening, ?wait=N returns PENDING after 0.8 N to N seconds of clock time."""
    session = await _create(harness)
    poll = asyncio.create_task(
        harness.client.get(
            f"/v1/bind-sessions/{session['id']}", params={"wait": 10}, headers=harness.headers
        )
    )
    await harness.sleeping(1)
    await harness.run(7.9, step=0.1)
    assert not poll.done()
    await harness.run(2.2, step=0.1)
    body = (await asyncio.wait_for(poll, 5)).json()
    assert body["state"] == "PENDING"


async def test_idle_long_polls_end_spread_over_the_last_fifth_of_the_wait(
    harness: Harness,
) -> None:
    """TVs polled at the same moment are answered at different moments, so they never herd."""
    session = await _create(harness)
    url = f"/v1/bind-sessions/{session['id']}"
    polls = [
        asyncio.create_task(harness.client.get(url, params={"wait": 20}, headers=harness.headers))
        for _ in range(20)
    ]
    await harness.sleeping(20)
    done_at: list[float] = []
    elapsed = 0.0
    while len(done_at) < len(polls):
        assert elapsed <= 20.0, "a long-poll outlived its wait"
        await harness.run(0.25, step=0.25)
        elapsed += 0.25
        done_at += [elapsed] * (sum(p.done() for p in polls) - len(done_at))
    assert min(done_at) >= 16.0
    # 20 holds drawn uniformly over 4 s land in at least 6 of its 16 quarter-second slots
    # (fewer happens with a probability below one in a million).
    assert len(set(done_at)) >= 6
    for poll in polls:
        assert (await poll).json()["state"] == "PENDING"


async def test_plain_polling_too_fast_answers_slow_down(harness: Harness) -> None:
    """RFC 8628: a poll sooner than `interval` is SLOW_DOWN with the interval raised by 5 s."""
    session = await _create(harness)
    url = f"/v1/bind-sessions/{session['id']}"
    harness.clock.advance(5)
    assert (await harness.client.get(url, headers=harness.headers)).status_code == 200
    harness.clock.advance(2)
    fast = await harness.client.get(url, headers=harness.headers)
    assert fast.status_code == 400
    assert fast.json()["error"] == {
        "code": "SLOW_DOWN",
        "message": "Polling too fast.",
        "retryable": True,
        "interval": 10,
    }
    harness.clock.advance(10)
    ok = await harness.client.get(url, headers=harness.headers)
    assert ok.status_code == 200
    assert ok.json()["interval"] == 10


async def test_session_expires_after_fifteen_minutes(harness: Harness) -> None:
    """No authorization within 15 minutes → EXPIRED, and a later AUTHCODE_CREATED binds nothing."""
    session = await _create(harness)
    auth_state = harness.antom.last_auth_state()
    harness.clock.advance(901)
    body = (
        await harness.client.get(f"/v1/bind-sessions/{session['id']}", headers=harness.headers)
    ).json()
    assert body["state"] == "EXPIRED"
    assert body["qr_text"] is None
    late = await harness.notify("/antom/notify/authorization", auth_code_created(auth_state))
    assert late.status_code == 200
    await harness.settle()
    assert harness.antom.count(Api.APPLY_TOKEN) == 0


async def test_cancelled_session_never_binds(harness: Harness) -> None:
    """After the device gives up, the session is FAILED/CANCELLED for good."""
    session = await _create(harness)
    cancelled = await harness.client.delete(
        f"/v1/bind-sessions/{session['id']}", headers=harness.headers
    )
    assert cancelled.json()["state"] == "FAILED"
    assert cancelled.json()["failure"]["code"] == "CANCELLED"
    await harness.notify(
        "/antom/notify/authorization", auth_code_created(harness.antom.last_auth_state())
    )
    await harness.settle()
    again = await harness.client.get(f"/v1/bind-sessions/{session['id']}", headers=harness.headers)
    assert again.json()["state"] == "FAILED"
    assert harness.antom.count(Api.APPLY_TOKEN) == 0


async def test_duplicate_and_replayed_notifications_bind_once(harness: Harness) -> None:
    """A repeated AUTHCODE_CREATED (same or another code) is acknowledged and changes nothing."""
    session = await _create(harness)
    auth_state = harness.antom.last_auth_state()
    for code in ("code-1", "code-1", "code-2"):
        reply = await harness.notify(
            "/antom/notify/authorization", auth_code_created(auth_state, code)
        )
        assert reply.status_code == 200
    await harness.settle()
    assert harness.antom.count(Api.APPLY_TOKEN) == 1
    body = (
        await harness.client.get(
            f"/v1/bind-sessions/{session['id']}", params={"wait": 1}, headers=harness.headers
        )
    ).json()
    assert body["state"] == "BOUND"


@pytest.mark.usefixtures("expect_log")
async def test_bad_signature_and_unknown_auth_state_are_refused(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Forged or foreign notifications are rejected, logged, and change nothing."""
    session = await _create(harness)
    auth_state = harness.antom.last_auth_state()
    forged = await harness.client.post(
        "/antom/notify/authorization",
        json=auth_code_created(auth_state),
        headers={
            "Client-Id": "SANDBOX_MERCHANT_TEST",
            "Request-Time": "1",
            "Signature": "algorithm=RSA256,keyVersion=1,signature=AAAA",
        },
    )
    unknown_state = await harness.notify(
        "/antom/notify/authorization", auth_code_created("not-ours")
    )
    assert forged.status_code == 401
    assert unknown_state.status_code == 400
    assert "refused" in caplog.text
    await harness.settle()
    harness.clock.advance(5)
    body = (
        await harness.client.get(f"/v1/bind-sessions/{session['id']}", headers=harness.headers)
    ).json()
    assert body["state"] == "PENDING"
    assert harness.antom.count(Api.APPLY_TOKEN) == 0


async def test_refused_token_exchange_declines_the_session(harness: Harness) -> None:
    """ApplyToken F → DECLINED (final)."""
    harness.antom.script(Api.APPLY_TOKEN, failed("USER_STATUS_ABNORMAL"))
    session = await _create(harness)
    await harness.notify(
        "/antom/notify/authorization", auth_code_created(harness.antom.last_auth_state())
    )
    await harness.settle()
    body = (
        await harness.client.get(
            f"/v1/bind-sessions/{session['id']}", params={"wait": 1}, headers=harness.headers
        )
    ).json()
    assert body["state"] == "DECLINED"


@pytest.mark.usefixtures("expect_log")
async def test_token_exchange_retries_within_the_auth_code_minute(harness: Harness) -> None:
    """ApplyToken U is retried while the authCode lives; still unknown after → FAILED."""
    harness.antom.script(Api.APPLY_TOKEN, unknown(), unknown())
    session = await _create(harness)
    await harness.notify(
        "/antom/notify/authorization", auth_code_created(harness.antom.last_auth_state())
    )
    await harness.run(5)
    body = (
        await harness.client.get(
            f"/v1/bind-sessions/{session['id']}", params={"wait": 1}, headers=harness.headers
        )
    ).json()
    assert body["state"] == "BOUND"
    assert harness.antom.count(Api.APPLY_TOKEN) == 3

    harness.antom.script(Api.APPLY_TOKEN, *[unknown()] * 40)
    second = await _create(harness)
    await harness.notify(
        "/antom/notify/authorization", auth_code_created(harness.antom.last_auth_state(), "c2")
    )
    await harness.run(70, step=1)
    body = (
        await harness.client.get(
            f"/v1/bind-sessions/{second['id']}", params={"wait": 1}, headers=harness.headers
        )
    ).json()
    assert body["state"] == "FAILED"
    assert body["failure"]["code"] == "AUTHORIZATION_FAILED"


@pytest.mark.usefixtures("expect_log")
async def test_unreachable_antom_fails_the_session_with_wallet_unavailable(
    harness: Harness,
) -> None:
    """Consult that cannot be completed gives FAILED/WALLET_UNAVAILABLE, no QR."""
    harness.antom.script(Api.CONSULT, unknown("TIMEOUT"), unknown("TIMEOUT"))
    session = await _create(harness)
    assert session["state"] == "FAILED"
    assert session["failure"]["code"] == "WALLET_UNAVAILABLE"
    assert session["qr_text"] is None


async def test_sessions_are_private_to_their_device(harness: Harness) -> None:
    """Another device cannot see or cancel a session: 404."""
    session = await _create(harness)
    first = harness.headers
    other = await harness.enrol()
    assert (
        await harness.client.get(f"/v1/bind-sessions/{session['id']}", headers=other)
    ).status_code == 404
    assert (
        await harness.client.delete(f"/v1/bind-sessions/{session['id']}", headers=other)
    ).status_code == 404
    harness.clock.advance(5)
    assert (
        await harness.client.get(f"/v1/bind-sessions/{session['id']}", headers=first)
    ).status_code == 200


async def test_bind_session_creation_is_rate_limited_per_device(harness: Harness) -> None:
    """More than the allowed bind sessions per minute get 429 RATE_LIMITED with Retry-After."""
    statuses = []
    for _ in range(12):
        response = await harness.client.post(
            "/v1/bind-sessions", json={"wallet": "DANA"}, headers=harness.headers
        )
        statuses.append(response.status_code)
    assert statuses.count(201) == 10
    assert statuses[-1] == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "RATE_LIMITED"
