"""Fuzzing the backend's notification endpoints: no 5xx, and a refusal changes nothing.

Seeds are the genuine notifications the sandbox sent while the world was built
(AUTHCODE_CREATED, TOKEN_CANCELED, PAYMENT_RESULT, REFUND_RESULT). Each example damages one
(JSON corruptions or byte damage), signs it with Antom's real key, with another key, or not at
all, and posts it to its endpoint or another one. Whatever arrives:

- the answer is never 5xx and always carries an Antom `result`;
- a refusal (anything but SUCCESS) changes nothing in the ledger;
- an acceptance never touches a purchase, refund, session or device, and never creates a row:
  the only thing a notification may still change here is an active binding becoming REVOKED
  by the wallet (a genuinely signed TOKEN_CANCELED for its token).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import mutate_bytes, mutate_json
from tests.reliability.stacks import World, snapshot
from tvclient.antom.keys import generate_private_key
from tvclient.antom.signing import request_headers

PATHS = ["/antom/notify/authorization", "/antom/notify/payment", "/antom/notify/refund"]
OTHER_KEY = generate_private_key()


def _changed_bindings_only_revoked(before: list[Any], after: list[Any]) -> bool:
    """Bindings: same rows, except ACTIVE ones that became REVOKED by the WALLET."""
    if len(before) != len(after):
        return False
    for old, new in zip(before, after, strict=True):
        if old == new:
            continue
        # Row layout from the schema: ref, device_id, bind_session_id, wallet, currency, state,
        # revoked_by, ... updated_at: only state, revoked_by and updated_at may differ.
        if old[0] != new[0] or (old[5], new[5], new[6]) != ("ACTIVE", "REVOKED", "WALLET"):
            return False
    return True


@fuzz(40)
@given(data=st.data())
async def test_hostile_notifications(world: World, data: st.DataObject, expect_log: None) -> None:
    """Damaged, re-signed, unsigned and misdirected notifications: no 5xx, refusals inert.

    Refusals are logged at WARNING by design, hence `expect_log`.
    """
    stack = world.stack
    seed = data.draw(st.sampled_from(world.sent), label="seed")
    document = json.loads(seed.body)
    damage = data.draw(st.sampled_from(["json", "bytes", "none"]), label="damage")
    body = seed.body
    if damage == "json":
        mutated = data.draw(mutate_json(document, max_changes=3), label="document")
        try:
            body = json.dumps(mutated, allow_nan=True).encode()
        except (TypeError, ValueError):
            body = b"{}"
    elif damage == "bytes":
        body = data.draw(mutate_bytes(seed.body), label="bytes")
    path = data.draw(st.sampled_from([seed.path, *PATHS]), label="path")
    how = data.draw(st.sampled_from(["antom", "antom", "other key", "unsigned", "stale"]))
    client_id = stack.sandbox.identity.client_id
    if how == "unsigned":
        headers = {"content-type": "application/json"}
    elif how == "stale":  # the genuine headers, over another body or path (a replay)
        headers = dict(seed.headers)
    else:
        key = stack.sandbox.identity.antom_private_key if how == "antom" else OTHER_KEY
        headers = request_headers(key, method="POST", path=path, client_id=client_id,
                                  time=data.draw(st.sampled_from(
                                      ["1772424000000", "0", "2026-03-02T12:00:00+08:00"])),
                                  body=body)
        headers["content-type"] = "application/json"
    headers.pop("content-length", None)
    before = await snapshot(stack)
    response = await stack.device.post(path, content=body, headers=headers)
    await stack.settle(2)
    after = await snapshot(stack)
    assert response.status_code < 500, response.text
    result = response.json()["result"]
    accepted = (result["resultCode"], result["resultStatus"]) == ("SUCCESS", "S")
    if not accepted or how in ("other key", "unsigned"):
        assert not accepted, (how, result)
        assert after == before
        return
    for table, rows in before.items():
        if table == "bindings":
            assert _changed_bindings_only_revoked(rows, after[table])
        else:
            assert after[table] == rows, table


login_ids = st.sampled_from([
    "+852-55500101", "a" * 256, "@" + "d" * 255, "x@" + "e" * 254, "💸" * 256, "", " ",
    "****", "j***@example.com",
]) | st.text(max_size=256)


@fuzz(25)
@given(login=login_ids, auth_code=st.text(min_size=1, max_size=130) | st.sampled_from(
    ["AC" + "0" * 126, "x" * 128]), extra=st.dictionaries(st.text(max_size=10),
                                                         st.text(max_size=20), max_size=3))
async def test_authcode_notifications_for_a_waiting_session(
    world: World, login: str, auth_code: str, extra: dict[str, str], expect_log: None
) -> None:
    """A signed AUTHCODE_CREATED with odd fields for a waiting session: no 5xx, session ends.

    The values reach the database only for a session still waiting, so each example opens
    one. Whatever the wallet says the buyer's login is, the backend stores what fits; the
    made-up authCode is then refused by Antom and the session ends DECLINED, never stuck.
    """
    from sqlalchemy import select

    from tvclient.merchant.store.schema import bind_sessions

    stack = world.stack
    world.as_device(world.b)
    stack.clock.advance(6.5)  # stay under the bind-session rate limit
    session = await stack.session()
    async with stack.backend.db.read() as conn:
        auth_state = (
            await conn.execute(
                select(bind_sessions.c.auth_state).where(bind_sessions.c.id == session["id"])
            )
        ).scalar_one()
    body = json.dumps({**extra, "authorizationNotifyType": "AUTHCODE_CREATED",
                       "authState": auth_state, "authCode": auth_code, "userLoginId": login,
                       "result": {"resultCode": "SUCCESS", "resultStatus": "S"}}).encode()
    path = "/antom/notify/authorization"
    headers = request_headers(stack.sandbox.identity.antom_private_key, method="POST", path=path,
                              client_id=stack.sandbox.identity.client_id,
                              time="1772424000000", body=body)
    before = await snapshot(stack)
    response = await stack.device.post(path, content=body,
                                       headers={**headers, "content-type": "application/json"})
    assert response.status_code < 500, response.text
    result = response.json()["result"]
    if result["resultStatus"] != "S":
        await stack.settle(2)
        assert await snapshot(stack) == before
        return
    final = await stack.wait_session(session["id"], "DECLINED")
    assert final["binding"] is None
