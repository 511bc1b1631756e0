"""Bindings: status, unbind, wallet-side cancellation, token refresh and expiry."""

from __future__ import annotations

import pytest

from tests.merchant.conftest import Harness
from tests.merchant.fakes import failed, token_canceled, unknown
from tvclient.merchant.antom_port import Api


async def test_binding_shows_state_account_and_limits(harness: Harness) -> None:
    """GET /v1/bindings/{ref}: ACTIVE, masked account, wallet limits."""
    binding = await harness.bind("ALIPAY_HK")
    view = (await harness.client.get(f"/v1/bindings/{binding}", headers=harness.headers)).json()
    assert view["state"] == "ACTIVE"
    assert view["account"] == "852****5678"
    assert view["limits"]["max_per_transaction"] == {"currency": "HKD", "value": 5_000_000}
    assert view["limits"]["remaining_today"] is None
    assert view["limits"]["remaining_this_year"] == {"currency": "HKD", "value": 20_000_000}


async def test_tokens_are_never_stored_in_plain_text(harness: Harness) -> None:
    """The access and refresh tokens Antom issued do not appear in the database."""
    await harness.bind()
    async with harness.backend.db.read() as conn:
        rows = (await conn.exec_driver_sql("SELECT * FROM bindings")).all()
    text = repr(rows)
    assert "access-" not in text
    assert "refresh-" not in text


async def test_unbind_revokes_at_antom_once_and_repeats_harmlessly(harness: Harness) -> None:
    """DELETE revokes the token at Antom; a second DELETE answers the same, no second call."""
    binding = await harness.bind()
    first = await harness.client.delete(f"/v1/bindings/{binding}", headers=harness.headers)
    second = await harness.client.delete(f"/v1/bindings/{binding}", headers=harness.headers)
    assert first.json()["state"] == second.json()["state"] == "REVOKED"
    assert first.json()["revoked_by"] == "DEVICE"
    assert harness.antom.count(Api.REVOKE) == 1
    assert harness.antom.bodies(Api.REVOKE)[0]["accessToken"].startswith("access-")


@pytest.mark.usefixtures("expect_log")
async def test_unbind_when_antom_is_unreachable_is_retried(harness: Harness) -> None:
    """The binding is REVOKED at once; the revoke at Antom is retried by the upkeep loop."""
    binding = await harness.bind()
    harness.antom.script(Api.REVOKE, unknown())
    response = await harness.client.delete(f"/v1/bindings/{binding}", headers=harness.headers)
    assert response.json()["state"] == "REVOKED"
    await harness.run(61, step=10)
    assert harness.antom.count(Api.REVOKE) == 2


async def test_token_canceled_in_the_wallet_revokes_the_binding(harness: Harness) -> None:
    """TOKEN_CANCELED → REVOKED by WALLET; an unknown token is refused."""
    binding = await harness.bind()
    row = await harness.backend.bindings.get(None, binding)
    token = harness.backend.vault.open(row["access_token_enc"])
    reply = await harness.notify("/antom/notify/authorization", token_canceled(token))
    assert reply.status_code == 200
    view = (await harness.client.get(f"/v1/bindings/{binding}", headers=harness.headers)).json()
    assert (view["state"], view["revoked_by"]) == ("REVOKED", "WALLET")


@pytest.mark.usefixtures("expect_log")
async def test_unknown_token_cancellation_is_refused(harness: Harness) -> None:
    """TOKEN_CANCELED for a token we never held is refused and changes nothing."""
    binding = await harness.bind()
    reply = await harness.notify("/antom/notify/authorization", token_canceled("someone-else"))
    assert reply.status_code == 400
    view = (await harness.client.get(f"/v1/bindings/{binding}", headers=harness.headers)).json()
    assert view["state"] == "ACTIVE"


async def test_tokens_are_refreshed_ahead_of_expiry(harness: Harness) -> None:
    """An hour before the access token expires, the upkeep loop renews it (REFRESH_TOKEN)."""
    binding = await harness.bind()
    harness.clock.advance(30 * 24 * 3600 - 1800)  # half an hour before expiry
    await harness.run(120, step=30)
    refreshes = [
        b for b in harness.antom.bodies(Api.APPLY_TOKEN) if b["grantType"] == "REFRESH_TOKEN"
    ]
    assert refreshes
    assert refreshes[0]["refreshToken"].startswith("refresh-")
    view = (await harness.client.get(f"/v1/bindings/{binding}", headers=harness.headers)).json()
    assert view["state"] == "ACTIVE"


async def test_a_binding_that_cannot_be_refreshed_expires(harness: Harness) -> None:
    """Refresh refused → EXPIRED; purchases then answer BINDING_EXPIRED."""
    binding = await harness.bind()
    harness.antom.script(Api.APPLY_TOKEN, failed("INVALID_REFRESH_TOKEN"))
    harness.clock.advance(30 * 24 * 3600 - 1800)
    await harness.run(120, step=30)
    view = (await harness.client.get(f"/v1/bindings/{binding}", headers=harness.headers)).json()
    assert view["state"] == "EXPIRED"
    refused = await harness.buy(binding, key="late")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "BINDING_EXPIRED"
