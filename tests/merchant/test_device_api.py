"""The device API's basics: enrolment, authentication, catalog, errors, limits on input."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.helpers.clock import FakeClock
from tests.merchant.conftest import BASE, Harness, make_config
from tests.merchant.fakes import FakeAntom
from tvclient.merchant.app import create_app


async def test_loopback_device_enrols_and_gets_a_credential_shown_once(harness: Harness) -> None:
    """A loopback device enrols without a token in the demo set-up and its credential works."""
    response = await harness.client.post("/v1/devices", json={"name": "Living room"})
    assert response.status_code == 201
    body = response.json()
    assert body["device_id"].startswith("dev_")
    assert body["credential"].startswith("tvd_")
    catalog = await harness.client.get(
        "/v1/catalog", headers={"Authorization": f"Bearer {body['credential']}"}
    )
    assert catalog.status_code == 200


async def test_credentials_are_stored_only_as_hashes(harness: Harness) -> None:
    """The database never holds a device credential in plain text."""
    credential = harness.headers["Authorization"].split()[1]
    async with harness.backend.db.read() as conn:
        rows = (await conn.exec_driver_sql("SELECT credential_hash FROM devices")).all()
    assert rows
    assert all(credential not in row[0] for row in rows)


async def test_calls_without_a_known_credential_are_unauthenticated(harness: Harness) -> None:
    """Missing or unknown credentials get 401 UNAUTHENTICATED in the error envelope."""
    for headers in ({}, {"Authorization": "Bearer tvd_nope"}, {"Authorization": "Basic x"}):
        response = await harness.client.get("/v1/catalog", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHENTICATED"


async def test_remote_device_needs_the_enrolment_token(tmp_path: Path, key_dir: Path) -> None:
    """Off loopback, enrolment needs the operator's token; a wrong one is ENROLMENT_REFUSED."""
    clock = FakeClock()
    config = make_config(
        tmp_path, key_dir, allow_loopback_enrolment=False, enrolment_token="let-me-in"
    )
    app = create_app(config, clock=clock, antom=FakeAntom(clock.now))
    await app.state.backend.start()
    transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        refused = await client.post("/v1/devices", json={"enrolment_token": "guess"})
        missing = await client.post("/v1/devices", json={})
        accepted = await client.post("/v1/devices", json={"enrolment_token": "let-me-in"})
    await app.state.backend.stop()
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ENROLMENT_REFUSED"
    assert missing.status_code == 403
    assert accepted.status_code == 201


async def test_catalog_lists_products_with_texts_prices_and_images(harness: Harness) -> None:
    """The demo catalog comes with three languages, HKD and IDR prices and fetchable images."""
    body = (await harness.client.get("/v1/catalog", headers=harness.headers)).json()
    product = next(p for p in body["products"] if p["id"] == "movie-night")
    assert set(product["title"]) == {"en", "zh-HK", "id"}
    assert {"currency": "HKD", "value": 3800} in product["prices"]
    assert all(
        price["value"] % 100 == 0 and price["value"] >= 30000
        for p in body["products"]
        for price in p["prices"]
        if price["currency"] == "IDR"
    )
    image = await harness.client.get(product["image_url"])
    assert image.status_code == 200
    assert image.content.startswith(b"\x89PNG")
    assert (await harness.client.get("/v1/catalog/images/..%2Fcatalog.json")).status_code == 404


async def test_error_messages_follow_accept_language(harness: Harness) -> None:
    """Human-readable messages come in the device's language; the code stays the same."""
    zh = await harness.client.get(
        "/v1/bindings/bnd_missing", headers={**harness.headers, "Accept-Language": "zh-HK"}
    )
    idn = await harness.client.get(
        "/v1/bindings/bnd_missing", headers={**harness.headers, "Accept-Language": "id"}
    )
    assert zh.json()["error"]["code"] == idn.json()["error"]["code"] == "NOT_FOUND"
    assert zh.json()["error"]["message"] == "找不到。"
    assert idn.json()["error"]["message"] == "Tidak ditemukan."


async def test_oversized_bodies_are_refused(harness: Harness) -> None:
    """Bodies over 16 KiB get 413 BODY_TOO_LARGE and change nothing."""
    response = await harness.client.post(
        "/v1/bind-sessions",
        content=b'{"wallet":"' + b"A" * 20000 + b'"}',
        headers={**harness.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "BODY_TOO_LARGE"
    assert harness.antom.calls == []


async def test_malformed_bodies_name_the_field(harness: Harness) -> None:
    """A bad wallet or a non-JSON body is VALIDATION_ERROR with the field named."""
    bad_wallet = await harness.client.post(
        "/v1/bind-sessions", json={"wallet": "PAYPAL"}, headers=harness.headers
    )
    not_json = await harness.client.post("/v1/bind-sessions", content=b"{", headers=harness.headers)
    assert bad_wallet.status_code == 400
    assert bad_wallet.json()["error"]["field"] == "wallet"
    assert not_json.json()["error"]["field"] == "body"


async def test_health_readiness_metrics_and_openapi(harness: Harness) -> None:
    """Ops endpoints answer: healthy, ready, Prometheus text, an OpenAPI 3 document."""
    assert (await harness.client.get("/healthz")).json() == {"status": "ok"}
    assert (await harness.client.get("/readyz")).status_code == 200
    metrics = await harness.client.get("/metrics")
    assert "tvclient_merchant_http_requests_total" in metrics.text
    document = (await harness.client.get("/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    assert "/v1/purchases/{id}" in document["paths"]
