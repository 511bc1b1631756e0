"""The cross-device QR flow: what a phished or replayed QR can and cannot do.

Threat (reference tv-anchors §1.4, "device-code phishing"; IETF cross-device flows BCP): an
attacker starts a bind on their own TV and gets a victim to scan the QR and agree on their
phone, so the victim's wallet pays for the attacker's purchases. Or a QR is photographed and
scanned again later, or on behalf of another session.

What the system does about it, each proven below (the wallet page naming the merchant and
what the buyer allows is tests/sandbox/test_wallet_page.py):

- a QR is single use and short-lived: a second agreement is refused, and after 15 minutes
  the QR is dead at the wallet and the session EXPIRED at the backend;
- the QR carries no secret of the TV and no `authState`; the agreement reaches only the
  session that asked for it, and that TV alone can see and use the binding;
- a TV that gave up (Back) before the phone agreed gets no binding, and no token stays alive
  at Antom: refused before the exchange, revoked when the exchange beats the cancel;
- the buyer ends a binding from the wallet at any time: the next purchase is refused and
  nothing is charged.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.reliability.stacks import World, unlink_in_wallet
from tvclient.merchant.store.schema import bind_sessions


async def _antom_bindings(world: World) -> list[dict[str, object]]:
    listed = await world.stack.operator.get("/operator/v1/bindings")
    return list(listed.json()["bindings"])


async def test_a_qr_works_once(world: World) -> None:
    """The second agreement to the same QR is refused; one binding results."""
    stack = world.stack
    world.as_device(world.b)
    session = await stack.session()
    first = await stack.approve(session["qr_text"])
    second = await stack.approve(session["qr_text"], buyer="hk-carol")
    assert first.status_code == 200
    assert (second.status_code, second.json()["error"]["code"]) == (409, "QR_USED")
    bound = await stack.wait_session(session["id"], "BOUND")
    ours = [b for b in await _antom_bindings(world) if b["status"] == "ACTIVE"]
    assert sum(1 for b in ours if b["buyerId"] == "hk-carol") == 0
    assert bound["binding"]["account"] == "+852****01"  # hk-alice's, the first agreement


async def test_a_qr_dies_after_fifteen_minutes(world: World) -> None:
    """At 15 minutes the wallet refuses the QR and the TV's session is EXPIRED."""
    stack = world.stack
    world.as_device(world.b)
    session = await stack.session()
    assert session["expires_in"] == 900
    await stack.run(900, step=30)
    late = await stack.approve(session["qr_text"])
    assert (late.status_code, late.json()["error"]["code"]) == (410, "QR_EXPIRED")
    polled = await stack.device.get(f"/v1/bind-sessions/{session['id']}", headers=world.b)
    assert polled.json()["state"] == "EXPIRED"


async def test_the_qr_holds_no_secret_and_binds_only_its_own_session(world: World) -> None:
    """The QR text holds neither authState nor credentials; agreeing binds only that session."""
    stack = world.stack
    world.as_device(world.a)
    a_session = await stack.session()
    world.as_device(world.b)
    b_session = await stack.session()
    async with stack.backend.db.read() as conn:
        states = dict((await conn.execute(
            select(bind_sessions.c.id, bind_sessions.c.auth_state)
        )).all())
    qr = a_session["qr_text"]
    for secret in (states[a_session["id"]], world.a["Authorization"].split()[1],
                   world.b["Authorization"].split()[1], world.binding):
        assert secret not in qr
    assert (await stack.approve(qr)).status_code == 200
    world.as_device(world.a)
    bound = await stack.wait_session(a_session["id"], "BOUND")
    ref = bound["binding"]["ref"]
    stack.clock.advance(6)  # a plain poll, no sooner than the interval
    still = await stack.device.get(f"/v1/bind-sessions/{b_session['id']}", headers=world.b)
    assert still.json()["state"] == "PENDING"
    assert (await stack.device.get(f"/v1/bindings/{ref}", headers=world.b)).status_code == 404
    assert (await stack.device.get(f"/v1/bind-sessions/{a_session['id']}",
                                   headers=world.b)).status_code == 404


async def test_a_tv_that_gave_up_gets_no_binding_and_leaves_no_token(world: World) -> None:
    """Cancelled before the phone agreed: the agreement binds nothing, Antom holds no token."""
    stack = world.stack
    world.as_device(world.b)
    session = await stack.session()
    before = len(await _antom_bindings(world))
    cancelled = await stack.device.delete(f"/v1/bind-sessions/{session['id']}", headers=world.b)
    assert cancelled.json()["failure"]["code"] == "CANCELLED"
    assert (await stack.approve(session["qr_text"])).status_code == 200  # the phone agrees
    await stack.run(90)
    after = await stack.device.get(f"/v1/bind-sessions/{session['id']}", headers=world.b)
    assert (after.json()["state"], after.json()["binding"]) == ("FAILED", None)
    assert len(await _antom_bindings(world)) == before  # the authCode was never exchanged


async def test_a_token_that_beat_the_cancel_is_revoked(world: World, expect_log: None) -> None:
    """The exchange was already under way when the TV gave up: the new token is revoked.

    Antom then reports the revocation (TOKEN_CANCELED) for a token the backend never kept,
    which it refuses with a WARNING: hence `expect_log`.
    """
    stack = world.stack
    world.as_device(world.b)
    session = await stack.session()
    await stack.fault("applyToken", "latency", seconds=5)
    assert (await stack.approve(session["qr_text"])).status_code == 200
    await stack.settle()  # AUTHCODE_CREATED arrives; the exchange waits on Antom
    cancelled = await stack.device.delete(f"/v1/bind-sessions/{session['id']}", headers=world.b)
    assert cancelled.json()["state"] == "FAILED"
    await stack.run(20)
    newest = (await _antom_bindings(world))[0]  # newest first
    assert newest["status"] == "REVOKED"
    after = await stack.device.get(f"/v1/bind-sessions/{session['id']}", headers=world.b)
    assert after.json()["binding"] is None


async def test_the_buyer_can_end_a_binding_from_the_wallet(world: World) -> None:
    """Unlinked in the wallet app: the TV's next purchase is refused and nothing is charged."""
    stack = world.stack
    await unlink_in_wallet(stack, world.b_binding)
    payments = await stack.sandbox_payments()
    world.as_device(world.b)
    refused = await stack.buy(world.b_binding, key="after-unlink")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "BINDING_REVOKED"
    assert refused.json()["error"]["revoked_by"] == "WALLET"
    assert await stack.sandbox_payments() == payments
