"""Purchases: one per Idempotency-Key, price and binding checks, limits, history, receipts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.clock import FakeClock
from tests.merchant.conftest import BASE, Harness, make_config
from tests.merchant.fakes import FakeAntom, failed
from tvclient.antom.keys import RSAPrivateKey
from tvclient.merchant.antom_port import Api
from tvclient.merchant.app import create_app
from tvclient.merchant.limits import Spending, check_limits
from tvclient.money import WALLET_RULES, Money, Wallet


async def _final(h: Harness, purchase_id: str) -> dict[str, Any]:
    for _ in range(100):
        body = (await h.client.get(f"/v1/purchases/{purchase_id}", headers=h.headers)).json()
        if body["state"] != "PROCESSING":
            return dict(body)
        await h.settle()
    raise AssertionError("purchase stayed PROCESSING")


async def test_a_purchase_pays_once_and_shows_a_receipt(harness: Harness) -> None:
    """POST pays with AGREEMENT_PAYMENT and the binding's token; SUCCEEDED carries a receipt."""
    binding = await harness.bind()
    created = await harness.buy(binding)
    assert created.status_code == 201
    purchase = await _final(harness, created.json()["id"])
    assert purchase["state"] == "SUCCEEDED"
    assert purchase["receipt"]["item"] == "Movie night"
    assert purchase["receipt"]["amount"] == {"currency": "HKD", "value": 3800}
    assert purchase["receipt"]["account"] == "852****5678"
    pay = harness.antom.bodies(Api.PAY)[0]
    assert pay["productCode"] == "AGREEMENT_PAYMENT"
    assert pay["paymentAmount"] == {"currency": "HKD", "value": "3800"}
    assert pay["paymentMethod"]["paymentMethodType"] == "ALIPAY_HK"
    assert pay["paymentMethod"]["paymentMethodId"].startswith("access-")
    assert pay["paymentNotifyUrl"] == "http://merchant.test/antom/notify/payment"
    assert pay["paymentExpiryTime"].startswith("2026-03-02T04:01:00")


async def test_same_key_same_body_returns_the_same_purchase(harness: Harness) -> None:
    """A retried intent (same key, same body) gets 200 and the same purchase; pay runs once."""
    binding = await harness.bind()
    first = await harness.buy(binding, key="intent-1")
    await _final(harness, first.json()["id"])
    again = await harness.buy(binding, key="intent-1")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["state"] == "SUCCEEDED"
    assert harness.antom.count(Api.PAY) == 1


async def test_same_key_other_body_is_a_conflict(harness: Harness) -> None:
    """The same key with a different body is 409 IDEMPOTENCY_KEY_REUSED; nothing is charged."""
    binding = await harness.bind()
    first = await harness.buy(binding, key="intent-2")
    await _final(harness, first.json()["id"])
    other = await harness.buy(
        binding, "game-coins", key="intent-2", amount={"currency": "HKD", "value": 1500}
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert harness.antom.count(Api.PAY) == 1


async def test_concurrent_retries_of_one_intent_charge_once(harness: Harness) -> None:
    """Ten simultaneous requests with one key make one purchase and one pay."""
    binding = await harness.bind()
    responses = await asyncio.gather(*(harness.buy(binding, key="burst") for _ in range(10)))
    ids = {response.json()["id"] for response in responses}
    assert len(ids) == 1
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    await _final(harness, ids.pop())
    assert harness.antom.count(Api.PAY) == 1


async def test_price_currency_product_and_binding_are_checked(harness: Harness) -> None:
    """Stale price → PRICE_CHANGED; wrong currency → CURRENCY_MISMATCH; unknowns → 404."""
    binding = await harness.bind()
    stale = await harness.buy(binding, key="a", amount={"currency": "HKD", "value": 3000})
    wrong = await harness.buy(binding, key="b", amount={"currency": "IDR", "value": 7500000})
    no_product = await harness.buy(binding, "nothing", key="c")
    no_binding = await harness.buy("bnd_unknown", key="d")
    bad_key = await harness.client.post(
        "/v1/purchases", json={}, headers={**harness.headers, "Idempotency-Key": "bad key!"}
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "PRICE_CHANGED"
    assert stale.json()["error"]["price"] == {"currency": "HKD", "value": 3800}
    assert wrong.json()["error"]["code"] == "CURRENCY_MISMATCH"
    assert no_product.status_code == 404
    assert no_binding.status_code == 404
    assert bad_key.json()["error"]["field"] == "Idempotency-Key"
    assert harness.antom.count(Api.PAY) == 0


async def test_a_binding_works_only_for_its_device(harness: Harness) -> None:
    """Another device cannot read or pay with a binding: 404."""
    binding = await harness.bind()
    await harness.enrol()
    assert (await harness.buy(binding, key="x")).status_code == 404
    assert (
        await harness.client.get(f"/v1/bindings/{binding}", headers=harness.headers)
    ).status_code == 404


async def test_wallet_failures_map_to_readable_codes(harness: Harness) -> None:
    """Pay F USER_BALANCE_NOT_ENOUGH → FAILED/INSUFFICIENT_BALANCE with a buyer message."""
    binding = await harness.bind()
    harness.antom.script(Api.PAY, failed("USER_BALANCE_NOT_ENOUGH"))
    created = await harness.buy(binding, key="poor")
    purchase = await _final(harness, created.json()["id"])
    assert purchase["state"] == "FAILED"
    assert purchase["failure"]["code"] == "INSUFFICIENT_BALANCE"
    assert "Top up" in purchase["failure"]["message"]
    assert purchase["receipt"] is None


async def test_history_is_newest_first_with_a_cursor(harness: Harness) -> None:
    """GET /v1/purchases pages through a binding's purchases newest first."""
    binding = await harness.bind()
    ids = []
    for n in range(5):
        ids.append((await harness.buy(binding, key=f"h{n}")).json()["id"])
    page = (
        await harness.client.get(
            "/v1/purchases", params={"binding": binding, "limit": 2}, headers=harness.headers
        )
    ).json()
    assert [p["id"] for p in page["purchases"]] == [ids[4], ids[3]]
    rest = (
        await harness.client.get(
            "/v1/purchases",
            params={"binding": binding, "limit": 10, "before": page["next"]},
            headers=harness.headers,
        )
    ).json()
    assert [p["id"] for p in rest["purchases"]] == [ids[2], ids[1], ids[0]]
    assert rest["next"] is None


def test_limit_checks_cover_minimum_maximum_and_caps() -> None:
    """The per-payment minimum/maximum and the daily/yearly caps give their failure codes."""
    hk, dana = WALLET_RULES[Wallet.ALIPAY_HK], WALLET_RULES[Wallet.DANA]
    none = Spending(day="2026-03-02", year=2026, today=0, this_year=0)
    assert check_limits(dana, Money(29_900, "IDR"), none) == "BELOW_MINIMUM"
    assert check_limits(dana, Money(30_000, "IDR"), none) is None
    assert check_limits(hk, Money(5_000_001, "HKD"), none) == "ABOVE_TRANSACTION_LIMIT"
    assert check_limits(hk, Money(5_000_000, "HKD"), none) is None
    full_day = Spending(day="2026-03-02", year=2026, today=1_999_970_000, this_year=0)
    assert check_limits(dana, Money(30_000, "IDR"), full_day) is None
    assert check_limits(dana, Money(30_100, "IDR"), full_day) == "DAILY_LIMIT_REACHED"
    full_year = Spending(day="2026-03-02", year=2026, today=0, this_year=19_999_000)
    assert check_limits(hk, Money(1_000, "HKD"), full_year) is None
    assert check_limits(hk, Money(1_001, "HKD"), full_year) == "YEARLY_LIMIT_REACHED"


@pytest.fixture
async def big_catalog_harness(tmp_path: Path, key_dir: Path, antom_key: RSAPrivateKey) -> Harness:
    """A harness whose catalog has big-ticket items, to reach the caps quickly."""
    (tmp_path / "shop").mkdir()
    catalog = tmp_path / "shop" / "catalog.json"
    catalog.write_text(
        json.dumps(
            {
                "products": [
                    {
                        "id": "tv-bundle",
                        "title": {"en": "TV bundle"},
                        "prices": [
                            {"currency": "IDR", "value": 900_000_000},
                            {"currency": "HKD", "value": 5_000_000},
                        ],
                    },
                ]
            }
        )
    )
    clock = FakeClock()
    antom = FakeAntom(clock.now)
    app = create_app(make_config(tmp_path, key_dir, catalog=catalog), clock=clock, antom=antom)
    await app.state.backend.start()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
    h = Harness(client, app.state.backend, antom, clock, antom_key)
    await h.enrol()
    return h


async def test_daily_cap_is_enforced_before_antom_and_resets_next_day(
    big_catalog_harness: Harness,
) -> None:
    """DANA: Rp20,000,000 a day per binding; the third Rp9,000,000 fails without calling pay."""
    h = big_catalog_harness
    binding = await h.bind("DANA")
    price = {"currency": "IDR", "value": 900_000_000}
    states = []
    for n in range(3):
        created = await h.buy(binding, "tv-bundle", key=f"d{n}", amount=price)
        states.append((await _final(h, created.json()["id"]))["state"])
    assert states == ["SUCCEEDED", "SUCCEEDED", "FAILED"]
    last = (await h.client.get("/v1/purchases", headers=h.headers)).json()["purchases"][0]
    assert last["failure"]["code"] == "DAILY_LIMIT_REACHED"
    assert h.antom.count(Api.PAY) == 2
    binding_view = (await h.client.get(f"/v1/bindings/{binding}", headers=h.headers)).json()
    assert binding_view["limits"]["remaining_today"] == {"currency": "IDR", "value": 200_000_000}
    h.clock.advance(24 * 3600)
    created = await h.buy(binding, "tv-bundle", key="next-day", amount=price)
    assert (await _final(h, created.json()["id"]))["state"] == "SUCCEEDED"
    await h.client.aclose()
    await h.backend.stop()


async def test_yearly_cap_is_enforced_for_alipay_hk(big_catalog_harness: Harness) -> None:
    """AlipayHK: HK$200,000 a year per binding; a fifth HK$50,000 is YEARLY_LIMIT_REACHED."""
    h = big_catalog_harness
    binding = await h.bind("ALIPAY_HK")
    price = {"currency": "HKD", "value": 5_000_000}
    outcomes = []
    for n in range(5):
        created = await h.buy(binding, "tv-bundle", key=f"y{n}", amount=price)
        outcomes.append(await _final(h, created.json()["id"]))
    assert [o["state"] for o in outcomes] == ["SUCCEEDED"] * 4 + ["FAILED"]
    assert outcomes[-1]["failure"]["code"] == "YEARLY_LIMIT_REACHED"
    await h.client.aclose()
    await h.backend.stop()
