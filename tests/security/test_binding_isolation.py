"""A binding reference (or any id) is useless without the credential of the device that made it.

Threat: a binding reference leaks (a log, a screenshot, a shared settings file, another TV in
the same home) and someone uses it from another device, or with no credential at all.
Defence: every lookup is scoped to the authenticated device; another device's ids answer
exactly like ids that do not exist (404 NOT_FOUND, same body), so they cannot even be probed.
"""

from __future__ import annotations

import pytest

from tests.reliability.stacks import World, snapshot


async def _not_found_like_junk(world: World, method: str, path: str) -> None:
    """`path` with another device's id answers exactly like the same path with a made-up id."""
    stack = world.stack
    answer = await stack.device.request(method, path, headers=world.b)
    junk_path = path.rsplit("/", 1)[0] + "/" + "x" * 24
    junk = await stack.device.request(method, junk_path, headers=world.b)
    assert answer.status_code == 404, answer.text
    assert answer.json() == junk.json()


async def test_another_device_cannot_see_or_unbind_the_binding(world: World) -> None:
    """Device B reading or deleting device A's binding gets 404; A's binding stays ACTIVE."""
    before = await snapshot(world.stack)
    await _not_found_like_junk(world, "GET", f"/v1/bindings/{world.binding}")
    await _not_found_like_junk(world, "DELETE", f"/v1/bindings/{world.binding}")
    assert await snapshot(world.stack) == before
    own = await world.stack.device.get(f"/v1/bindings/{world.binding}", headers=world.a)
    assert own.json()["state"] == "ACTIVE"


async def test_another_device_cannot_pay_with_the_binding(world: World) -> None:
    """Device B buying with A's binding: 404, no purchase recorded, nothing sent to Antom."""
    payments = await world.stack.sandbox_payments()
    before = await snapshot(world.stack)
    response = await world.stack.device.post(
        "/v1/purchases",
        json={"binding": world.binding, "product_id": "movie-night",
              "amount": {"currency": "HKD", "value": 3800}},
        headers={**world.b, "Idempotency-Key": "stolen-ref"},
    )
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "NOT_FOUND"
    await world.stack.settle()
    assert await snapshot(world.stack) == before
    assert await world.stack.sandbox_payments() == payments


async def test_another_device_cannot_read_history_purchases_or_sessions(world: World) -> None:
    """A's history, purchases and bind sessions are 404 to device B."""
    history = await world.stack.device.get(
        "/v1/purchases", params={"binding": world.binding}, headers=world.b
    )
    assert history.status_code == 404
    await _not_found_like_junk(world, "GET", f"/v1/purchases/{world.purchase}")
    await _not_found_like_junk(world, "GET", f"/v1/bind-sessions/{world.session}")
    await _not_found_like_junk(world, "DELETE", f"/v1/bind-sessions/{world.session}")
    listed = await world.stack.device.get("/v1/purchases", headers=world.b)
    assert {p["id"] for p in listed.json()["purchases"]} == {world.b_purchase}


@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer tvd_guessed", "Basic eDp5"])
async def test_a_binding_reference_alone_gets_nothing(
    world: World, authorization: str | None
) -> None:
    """Without a valid device credential every call with A's ids is 401 UNAUTHENTICATED."""
    headers = {} if authorization is None else {"Authorization": authorization}
    before = await snapshot(world.stack)
    for method, path in [("GET", f"/v1/bindings/{world.binding}"),
                         ("DELETE", f"/v1/bindings/{world.binding}"),
                         ("GET", f"/v1/purchases/{world.purchase}"),
                         ("GET", f"/v1/purchases?binding={world.binding}")]:
        response = await world.stack.device.request(method, path, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"]["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"] == "Bearer"
    paid = await world.stack.device.post(
        "/v1/purchases", json={"binding": world.binding, "product_id": "movie-night",
                               "amount": {"currency": "HKD", "value": 3800}},
        headers={**headers, "Idempotency-Key": "no-credential"},
    )
    assert paid.status_code == 401
    assert await snapshot(world.stack) == before
