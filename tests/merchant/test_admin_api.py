"""The admin HTTP API: its own token, listing, inspecting, refunds, unbind."""

from __future__ import annotations

from tests.merchant.conftest import Harness

ADMIN = {"Authorization": "Bearer admin-secret"}


async def test_admin_api_needs_its_own_token(harness: Harness) -> None:
    """A device credential or a wrong token is 401 on the admin API."""
    for headers in ({}, harness.headers, {"Authorization": "Bearer nope"}):
        response = await harness.client.get("/admin/v1/purchases", headers=headers)
        assert response.status_code == 401


async def test_operators_list_and_inspect_purchases_and_bindings(harness: Harness) -> None:
    """Purchases (with refunds) and bindings (never tokens) are visible to operators."""
    binding = await harness.bind()
    created = await harness.buy(binding, key="adm")
    await harness.settle()
    listing = (await harness.client.get("/admin/v1/purchases", headers=ADMIN)).json()
    assert [p["id"] for p in listing["purchases"]] == [created.json()["id"]]
    refund = await harness.client.post(
        f"/admin/v1/purchases/{created.json()['id']}/refunds",
        json={"reason": "test"},
        headers=ADMIN,
    )
    assert refund.status_code == 201
    detail = (
        await harness.client.get(f"/admin/v1/purchases/{created.json()['id']}", headers=ADMIN)
    ).json()
    assert detail["state"] == "REFUNDED"
    assert detail["refunds"][0]["reason"] == "test"
    bindings = (await harness.client.get("/admin/v1/bindings", headers=ADMIN)).json()["bindings"]
    assert bindings[0]["ref"] == binding
    assert not {"access_token_enc", "refresh_token_enc", "access_token_digest"} & set(bindings[0])
    assert "access-" not in repr(bindings)
    unbound = await harness.client.delete(f"/admin/v1/bindings/{binding}", headers=ADMIN)
    assert unbound.json()["state"] == "REVOKED"


async def test_refusals_are_explained(harness: Harness) -> None:
    """Refunding an unpaid purchase or an unknown one is refused with a reason."""
    missing = await harness.client.post(
        "/admin/v1/purchases/pur_nope/refunds", json={}, headers=ADMIN
    )
    assert missing.status_code == 404
    assert "no purchase" in missing.json()["error"]["message"]
