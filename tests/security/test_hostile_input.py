"""Bad input gets a clear 4xx and changes nothing, on PostgreSQL too (regressions from fuzzing).

Each case here was first found by the fuzz suite (tests/fuzz/) and fixed; these pin the exact
inputs. PostgreSQL matters: it refuses NUL characters, lone surrogates and over-long values
that SQLite stores without a word, so such a value used to surface as a 500 or a 503.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.stacks import World, snapshot
from tvclient.antom.signing import request_headers
from tvclient.merchant.accounts import mask_account

AUTH_PATH = "/antom/notify/authorization"


@pytest.mark.parametrize("wallet", [["ALIPAY_HK"], {"ALIPAY_HK": 1}, 7, None, "PAYPAL"])
async def test_a_bind_session_for_an_odd_wallet_is_a_validation_error(
    world: World, wallet: object
) -> None:
    """`{"wallet": [...]}` and friends: 400 naming `wallet` (a list used to raise a 500)."""
    before = await snapshot(world.stack)
    response = await world.stack.device.post(
        "/v1/bind-sessions", json={"wallet": wallet}, headers=world.a
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == {**response.json()["error"], "code": "VALIDATION_ERROR",
                                        "field": "wallet"}
    assert await snapshot(world.stack) == before


@pytest.mark.parametrize("name", ["TV\u0000", "\ud800", "x" * 101])
async def test_text_postgres_cannot_store_is_refused_before_it_gets_there(
    pg_world: World, name: str
) -> None:
    """A device name with NUL or a lone surrogate: 400, not 503 "try again" (PostgreSQL)."""
    before = await snapshot(pg_world.stack)
    body = json.dumps({"name": name}).encode()  # JSON escapes keep the surrogate intact
    response = await pg_world.stack.device.post(
        "/v1/devices", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "name"
    assert await snapshot(pg_world.stack) == before


def _signed(world: World, body: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    identity = world.stack.sandbox.identity
    headers = request_headers(identity.antom_private_key, method="POST", path=AUTH_PATH,
                              client_id=identity.client_id, time="1772424000000", body=raw)
    return raw, {**headers, "content-type": "application/json"}


async def _waiting_session(world: World) -> tuple[str, str]:
    from sqlalchemy import select

    from tvclient.merchant.store.schema import bind_sessions

    world.as_device(world.b)
    session = await world.stack.session()
    async with world.stack.backend.db.read() as conn:
        auth_state = (
            await conn.execute(
                select(bind_sessions.c.auth_state).where(bind_sessions.c.id == session["id"])
            )
        ).scalar_one()
    return str(session["id"]), str(auth_state)


async def test_a_signed_notification_with_a_nul_is_refused_not_a_500(
    pg_world: World, expect_log: None
) -> None:
    """AUTHCODE_CREATED whose authCode holds a NUL: refused as malformed, nothing stored."""
    _, auth_state = await _waiting_session(pg_world)
    raw, headers = _signed(pg_world, {
        "authorizationNotifyType": "AUTHCODE_CREATED", "authState": auth_state,
        "authCode": "\u0000", "result": {"resultCode": "SUCCESS", "resultStatus": "S"},
    })
    before = await snapshot(pg_world.stack)
    response = await pg_world.stack.device.post(AUTH_PATH, content=raw, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["result"]["resultStatus"] == "F"
    assert await snapshot(pg_world.stack) == before


async def test_a_long_login_is_stored_cut_to_fit(pg_world: World, expect_log: None) -> None:
    """A login of "x@" + 62 characters (67 once masked) is accepted and stored cut to 64."""
    session_id, auth_state = await _waiting_session(pg_world)
    raw, headers = _signed(pg_world, {
        "authorizationNotifyType": "AUTHCODE_CREATED", "authState": auth_state,
        "authCode": "AC-made-up", "userLoginId": "x@" + "e" * 62,
        "result": {"resultCode": "SUCCESS", "resultStatus": "S"},
    })
    response = await pg_world.stack.device.post(AUTH_PATH, content=raw, headers=headers)
    assert response.status_code == 200, response.text
    # The made-up code is refused by Antom: the session ends, it does not hang.
    await pg_world.stack.wait_session(session_id, "DECLINED")


@given(login=st.text(max_size=300))
def test_a_masked_account_always_fits_its_column(login: str) -> None:
    """Whatever login a wallet reports, its masked form is at most 64 characters."""
    masked = mask_account(login)
    assert masked is None or len(masked) <= 64
