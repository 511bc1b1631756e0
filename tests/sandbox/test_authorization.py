"""consult, the buyer's answer, authCodes, applyToken, refresh, revoke and unlink."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import SANDBOX_URL, Harness, consult_request, expect_success, result_of
from tvclient.antom.messages import ApplyTokenRequest, GrantType, RevokeRequest
from tvclient.antom.outcomes import Failure
from tvclient.antom.paths import Api
from tvclient.sandbox.errors import OperatorError


def _code(value: str) -> str:
    return value.rsplit("/", 1)[1]


async def _consult(h: Harness, wallet: str = "ALIPAY_HK", state: str = "st-1") -> str:
    response = expect_success(await h.client.consult(consult_request(wallet, state)))
    text = response.auth_code_form.text()
    assert text is not None
    return str(text)


async def test_consult_returns_a_qr_of_the_wallet_page(harness: Harness) -> None:
    """Consult answers S with a TEXT code (the wallet page URL) and an image of it."""
    response = expect_success(await harness.client.consult(consult_request()))
    details = response.auth_code_form.code_details
    text = response.auth_code_form.text()
    assert text.startswith(f"{SANDBOX_URL}/wallet/authorize/")
    assert {d.display_type.value for d in details} == {"TEXT", "BIGIMAGE"}
    image = next(d.code_value for d in details if d.display_type.value == "BIGIMAGE")
    picture = await harness.http.get(image.removeprefix(SANDBOX_URL))
    assert picture.status_code == 200
    assert picture.content.startswith(b"\x89PNG")


async def test_every_consult_makes_a_new_qr(harness: Harness) -> None:
    """Two consults with the same authState give two different single-use QRs."""
    first = await _consult(harness, state="same")
    second = await _consult(harness, state="same")
    assert first != second


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customerBelongsTo": "GCASH"}, "customerBelongsTo"),
        ({"scopes": ["USER_LOGIN_ID"]}, "AGREEMENT_PAY"),
        ({"scopes": ["NOT_A_SCOPE"]}, "scopes[0]"),
        ({"authState": "x" * 257}, "authState"),
        ({"authRedirectUrl": None}, "authRedirectUrl"),
        ({"terminalType": None}, "terminalType"),
    ],
)
async def test_consult_refuses_bad_requests(
    harness: Harness, change: dict[str, Any], field: str
) -> None:
    """Consult for another wallet, without AGREEMENT_PAY or with a bad field is PARAM_ILLEGAL."""
    body: dict[str, Any] = {
        "customerBelongsTo": "ALIPAY_HK", "authRedirectUrl": "https://m.example/r",
        "scopes": ["AGREEMENT_PAY"], "authState": "st", "terminalType": "WEB",
    }
    body.update(change)
    data = await harness.call(Api.CONSULT, {k: v for k, v in body.items() if v is not None})
    assert result_of(data) == ("F", "PARAM_ILLEGAL")
    assert field in data["result"]["resultMessage"]
    assert harness.sandbox.store.scalar("SELECT COUNT(*) FROM consults") == 0


async def test_agree_sends_a_signed_authcode_created(harness: Harness) -> None:
    """The buyer's Agree sends AUTHCODE_CREATED with the consult's authState, signed by Antom."""
    code = _code(await _consult(harness, state="state-42"))
    harness.sandbox.auths.approve(code, "hk-alice", harness.sandbox.now_ms())
    await harness.drain()
    [note] = harness.receiver.of("/notify/authorization")
    assert note.verified, note.error
    assert note.json["authorizationNotifyType"] == "AUTHCODE_CREATED"
    assert note.json["authState"] == "state-42"
    assert note.json["authCode"]
    assert note.json["userLoginId"] == "+852****01"


async def test_qr_is_single_use(harness: Harness) -> None:
    """A QR that was agreed to cannot be used again."""
    code = _code(await _consult(harness))
    harness.sandbox.auths.approve(code, None, harness.sandbox.now_ms())
    with pytest.raises(OperatorError) as caught:
        harness.sandbox.auths.approve(code, None, harness.sandbox.now_ms())
    assert caught.value.code == "QR_USED"


async def test_decline_uses_up_the_qr_and_notifies_nothing(harness: Harness) -> None:
    """Decline consumes the QR; Antom notifies only successes, so nothing is sent."""
    code = _code(await _consult(harness))
    harness.sandbox.auths.decline(code, "hk-ben", harness.sandbox.now_ms())
    await harness.drain()
    assert harness.receiver.received == []
    with pytest.raises(OperatorError) as caught:
        harness.sandbox.auths.approve(code, None, harness.sandbox.now_ms())
    assert caught.value.code == "QR_USED"


async def test_qr_lapses_after_fifteen_minutes(harness: Harness) -> None:
    """A QR works at 14:59 after consult and has lapsed at 15:00."""
    inside = _code(await _consult(harness, state="a"))
    outside = _code(await _consult(harness, state="b"))
    await harness.advance(15 * 60 - 1)
    harness.sandbox.auths.approve(inside, None, harness.sandbox.now_ms())
    await harness.advance(1)
    with pytest.raises(OperatorError) as caught:
        harness.sandbox.auths.approve(outside, None, harness.sandbox.now_ms())
    assert caught.value.code == "QR_EXPIRED"
    status = harness.sandbox.store.scalar(
        "SELECT status FROM consults WHERE code = ?", (outside,)
    )
    assert status == "LAPSED"


async def test_buyer_must_have_the_qrs_wallet(harness: Harness) -> None:
    """A DANA buyer cannot agree to an AlipayHK QR; an unknown buyer is refused."""
    code = _code(await _consult(harness))
    with pytest.raises(OperatorError, match="DANA") as caught:
        harness.sandbox.auths.approve(code, "id-dewi", harness.sandbox.now_ms())
    assert caught.value.code == "WRONG_WALLET"
    with pytest.raises(OperatorError) as unknown:
        harness.sandbox.auths.approve(code, "nobody", harness.sandbox.now_ms())
    assert unknown.value.code == "BUYER_NOT_FOUND"


async def test_apply_token_gives_tokens_with_expiry(harness: Harness) -> None:
    """ApplyToken with a fresh authCode gives access and refresh tokens with their expiry."""
    bound = await harness.bind()
    response = bound["response"]
    assert response.access_token
    assert response.refresh_token
    now = harness.clock.now()
    assert (response.access_token_expiry_time - now).days == 7
    assert (response.refresh_token_expiry_time - now).days == 365
    assert response.user_login_id == "+852****01"


async def _authcode(h: Harness, wallet: str = "ALIPAY_HK") -> str:
    code = _code(await _consult(h, wallet, state="s-code"))
    h.sandbox.auths.approve(code, None, h.sandbox.now_ms())
    await h.drain()
    return str(h.receiver.of("/notify/authorization")[-1].json["authCode"])


def _by_code(auth_code: str, wallet: str = "ALIPAY_HK") -> ApplyTokenRequest:
    return ApplyTokenRequest(grant_type=GrantType.AUTHORIZATION_CODE,
                             customer_belongs_to=wallet, auth_code=auth_code)


async def test_authcode_is_single_use(harness: Harness) -> None:
    """The second applyToken with the same authCode is F INVALID_CODE."""
    auth_code = await _authcode(harness)
    expect_success(await harness.client.apply_token(_by_code(auth_code)))
    outcome = await harness.client.apply_token(_by_code(auth_code))
    assert isinstance(outcome, Failure)
    assert outcome.code == "INVALID_CODE"


async def test_authcode_lives_sixty_seconds(harness: Harness) -> None:
    """An authCode works 59 s after it was issued and is EXPIRED_CODE at 60 s."""
    first = await _authcode(harness)
    await harness.advance(59)
    expect_success(await harness.client.apply_token(_by_code(first)))
    second = await _authcode(harness)
    await harness.advance(60)
    outcome = await harness.client.apply_token(_by_code(second))
    assert isinstance(outcome, Failure)
    assert outcome.code == "EXPIRED_CODE"


async def test_authcode_of_another_wallet_or_unknown_is_invalid(harness: Harness) -> None:
    """An authCode presented for another wallet, or a made-up one, is INVALID_CODE."""
    auth_code = await _authcode(harness)
    outcome = await harness.client.apply_token(_by_code(auth_code, "DANA"))
    assert isinstance(outcome, Failure)
    assert outcome.code == "INVALID_CODE"
    outcome = await harness.client.apply_token(_by_code("AC-made-up"))
    assert isinstance(outcome, Failure)
    assert outcome.code == "INVALID_CODE"


def _refresh(token: str, wallet: str = "ALIPAY_HK") -> ApplyTokenRequest:
    return ApplyTokenRequest(grant_type=GrantType.REFRESH_TOKEN, customer_belongs_to=wallet,
                             refresh_token=token)


async def test_refresh_gives_a_new_access_token(harness: Harness) -> None:
    """REFRESH_TOKEN gives a new access token; the old one keeps working until it expires."""
    bound = await harness.bind()
    await harness.advance(3600)
    fresh = expect_success(await harness.client.apply_token(_refresh(bound["refreshToken"])))
    assert fresh.access_token != bound["accessToken"]
    assert fresh.refresh_token == bound["refreshToken"]
    assert (fresh.access_token_expiry_time - harness.clock.now()).days == 7
    for token in (bound["accessToken"], fresh.access_token):
        assert result_of(await harness.pay(token, 100)) == ("S", "SUCCESS")


async def test_expired_access_token_asks_for_refresh(harness: Harness) -> None:
    """Past its expiry an access token pays F ACCESS_TOKEN_EXPIRED; a refreshed one pays."""
    bound = await harness.bind()
    await harness.advance(7 * 86400)
    assert result_of(await harness.pay(bound["accessToken"], 100)) == (
        "F", "ACCESS_TOKEN_EXPIRED"
    )
    fresh = expect_success(await harness.client.apply_token(_refresh(bound["refreshToken"])))
    assert result_of(await harness.pay(fresh.access_token, 100)) == ("S", "SUCCESS")


async def test_refresh_token_expires(harness: Harness) -> None:
    """A refresh token past its 365 days is INVALID_REFRESH_TOKEN."""
    bound = await harness.bind()
    await harness.advance(365 * 86400)
    outcome = await harness.client.apply_token(_refresh(bound["refreshToken"]))
    assert isinstance(outcome, Failure)
    assert outcome.code == "INVALID_REFRESH_TOKEN"


async def test_revoke_ends_the_binding(harness: Harness) -> None:
    """Revoke sends TOKEN_CANCELED; the token, its refresh and a re-revoke then fail."""
    bound = await harness.bind()
    expect_success(await harness.client.revoke(RevokeRequest(access_token=bound["accessToken"])))
    await harness.drain()
    cancel = harness.receiver.of("/notify/authorization")[-1]
    assert cancel.verified
    assert cancel.json["authorizationNotifyType"] == "TOKEN_CANCELED"
    assert cancel.json["accessToken"] == bound["accessToken"]
    assert result_of(await harness.pay(bound["accessToken"], 100)) == (
        "F", "INVALID_ACCESS_TOKEN"
    )
    outcome = await harness.client.apply_token(_refresh(bound["refreshToken"]))
    assert isinstance(outcome, Failure)
    assert outcome.code == "INVALID_REFRESH_TOKEN"
    again = await harness.client.revoke(RevokeRequest(access_token=bound["accessToken"]))
    assert isinstance(again, Failure)
    assert again.code == "INVALID_ACCESS_TOKEN"


async def test_unknown_token_cannot_be_revoked(harness: Harness) -> None:
    """Revoke of a token the sandbox never issued is INVALID_ACCESS_TOKEN."""
    outcome = await harness.client.revoke(RevokeRequest(access_token="AT-nope"))
    assert isinstance(outcome, Failure)
    assert outcome.code == "INVALID_ACCESS_TOKEN"


async def test_buyer_unlink_sends_token_canceled(harness: Harness) -> None:
    """Unlinking in the wallet sends TOKEN_CANCELED with the latest access token and a reason."""
    bound = await harness.bind(buyer="hk-carol")
    [binding] = harness.sandbox.auths.bindings_of("hk-carol")
    harness.sandbox.auths.unlink(binding["binding_id"], "hk-carol", harness.sandbox.now_ms())
    await harness.drain()
    note = harness.receiver.of("/notify/authorization")[-1]
    assert note.verified
    assert note.json["authorizationNotifyType"] == "TOKEN_CANCELED"
    assert note.json["accessToken"] == bound["accessToken"]
    assert note.json["reason"]
    assert harness.sandbox.auths.bindings_of("hk-carol") == []
    with pytest.raises(OperatorError) as again:
        harness.sandbox.auths.unlink(binding["binding_id"], "hk-carol", harness.sandbox.now_ms())
    assert again.value.code == "ALREADY_UNLINKED"


async def test_auth_notify_url_of_consult_wins(harness: Harness) -> None:
    """AuthNotifyUrl in consult is where AUTHCODE_CREATED goes, signed with that URL's path."""
    data = await harness.call(Api.CONSULT, {
        "customerBelongsTo": "DANA", "authRedirectUrl": "https://m.example/r",
        "scopes": ["AGREEMENT_PAY"], "authState": "own-url", "terminalType": "WEB",
        "authNotifyUrl": "http://merchant.test/own/auth?x=1",
    })
    code = _code(data["authCodeForm"]["codeDetails"][0]["codeValue"])
    harness.sandbox.auths.approve(code, None, harness.sandbox.now_ms())
    await harness.drain()
    [note] = harness.receiver.received
    assert note.path == "/own/auth"
    assert note.verified, note.error
    assert note.json["authState"] == "own-url"
