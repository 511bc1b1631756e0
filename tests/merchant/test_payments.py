"""Resolving payments: S/F/U, the inquiry schedule, notifications, cancel at expiry, recovery."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.clock import FakeClock
from tests.merchant.conftest import BASE, Harness, make_config
from tests.merchant.fakes import FakeAntom, payment_result, unknown
from tvclient.antom.keys import RSAPrivateKey
from tvclient.antom.paths import Api
from tvclient.merchant.antom_port import AntomReply
from tvclient.merchant.app import create_app
from tvclient.merchant.store import Database
from tvclient.merchant.wakeups import Wakeups


async def _state(h: Harness, purchase_id: str) -> dict[str, Any]:
    return dict((await h.client.get(f"/v1/purchases/{purchase_id}", headers=h.headers)).json())


def _inquiry_times(h: Harness, start: float) -> list[float]:
    return [round(t - start) for t in h.antom.times(Api.INQUIRY_PAYMENT)]


@pytest.fixture
async def processing(harness: Harness) -> tuple[Harness, str]:
    """A bound harness whose next pay answers U (PAYMENT_IN_PROCESS) and Antom stays PROCESSING."""
    binding = await harness.bind()
    harness.antom.script(Api.PAY, unknown("PAYMENT_IN_PROCESS"))
    return harness, binding


async def test_unknown_outcome_is_inquired_on_the_back_off_schedule(
    processing: tuple[Harness, str],
) -> None:
    """Pay U → inquiryPayment at 2, 6, 14, 30 s ... and SUCCESS from the inquiry settles it."""
    h, binding = processing
    start = h.clock.monotonic()
    pending = {"n": 0}

    def still_processing(body: Mapping[str, Any]) -> AntomReply:
        pending["n"] += 1
        if pending["n"] < 4:
            return AntomReply("S", "SUCCESS", "", {"paymentStatus": "PROCESSING"})
        return AntomReply(
            "S",
            "SUCCESS",
            "",
            {"paymentStatus": "SUCCESS", **h.antom.payment(h.antom.bodies(Api.PAY)[0])},
        )

    h.antom.script(Api.INQUIRY_PAYMENT, *[still_processing] * 4)
    created = await h.buy(binding, key="u1")
    assert created.json()["state"] == "PROCESSING"
    await h.run(40)
    assert _inquiry_times(h, start) == [2, 6, 14, 30]
    purchase = await _state(h, created.json()["id"])
    assert purchase["state"] == "SUCCEEDED"
    assert purchase["receipt"]["payment_ref"].startswith("p-pay_")
    assert h.antom.count(Api.PAY) == 1


async def test_a_notification_settles_before_the_next_inquiry(
    processing: tuple[Harness, str],
) -> None:
    """NotifyPayment S arriving while unknown → SUCCEEDED at once, no further inquiries."""
    h, binding = processing
    created = await h.buy(binding, key="u2")
    await h.settle()
    pay = h.antom.bodies(Api.PAY)[0]
    waiting = asyncio.create_task(
        h.client.get(
            f"/v1/purchases/{created.json()['id']}", params={"wait": 25}, headers=h.headers
        )
    )
    await h.settle()
    reply = await h.notify(
        "/antom/notify/payment",
        payment_result(pay["paymentRequestId"], pay["paymentAmount"], when=h.clock.now()),
    )
    assert reply.status_code == 200
    assert (await asyncio.wait_for(waiting, 5)).json()["state"] == "SUCCEEDED"
    await h.run(60)
    assert h.antom.count(Api.INQUIRY_PAYMENT) == 0


async def test_still_unknown_at_expiry_is_cancelled_and_never_shown_as_failure(
    processing: tuple[Harness, str],
) -> None:
    """PROCESSING until the one-minute expiry → cancel → CANCELLED/PAYMENT_TIMEOUT."""
    h, binding = processing
    h.antom.script(
        Api.INQUIRY_PAYMENT, *[AntomReply("S", "SUCCESS", "", {"paymentStatus": "PROCESSING"})] * 10
    )
    h.antom.payments["placeholder"] = "PROCESSING"
    created = await h.buy(binding, key="u3")
    await h.run(30)
    assert (await _state(h, created.json()["id"]))["state"] == "PROCESSING"
    await h.run(35)
    purchase = await _state(h, created.json()["id"])
    assert purchase["state"] == "CANCELLED"
    assert purchase["failure"]["code"] == "PAYMENT_TIMEOUT"
    assert "nothing was charged" in purchase["failure"]["message"]
    assert (
        h.antom.bodies(Api.CANCEL)[0]["paymentRequestId"]
        == h.antom.bodies(Api.PAY)[0]["paymentRequestId"]
    )


async def test_pay_that_never_reached_antom_is_sent_again_with_the_same_id(
    harness: Harness,
) -> None:
    """A timeout with no record at Antom (ORDER_NOT_EXIST) → pay again, same paymentRequestId."""
    binding = await harness.bind()
    harness.antom.script(Api.PAY, unknown("TIMEOUT"))
    created = await harness.buy(binding, key="lost")
    await harness.run(3)
    purchase = await _state(harness, created.json()["id"])
    first, second = harness.antom.bodies(Api.PAY)
    assert first["paymentRequestId"] == second["paymentRequestId"]
    assert purchase["state"] == "SUCCEEDED"
    assert sum(harness.antom.charged.values()) == 1


async def test_late_and_out_of_order_notifications_change_nothing(harness: Harness) -> None:
    """After SUCCEEDED, a duplicate success or a stray failure notification changes nothing."""
    binding = await harness.bind()
    created = await harness.buy(binding, key="dup")
    await harness.settle()
    pay = harness.antom.bodies(Api.PAY)[0]
    for status, code in (("S", "SUCCESS"), ("F", "RISK_REJECT"), ("S", "SUCCESS")):
        reply = await harness.notify(
            "/antom/notify/payment",
            payment_result(
                pay["paymentRequestId"],
                pay["paymentAmount"],
                status=status,
                code=code,
                when=harness.clock.now(),
            ),
        )
        assert reply.status_code == 200
    assert (await _state(harness, created.json()["id"]))["state"] == "SUCCEEDED"


async def test_failure_notification_settles_an_unknown_payment(
    processing: tuple[Harness, str],
) -> None:
    """NotifyPayment F for an in-flight payment → FAILED with the mapped reason."""
    h, binding = processing
    created = await h.buy(binding, key="nf")
    await h.settle()
    pay = h.antom.bodies(Api.PAY)[0]
    await h.notify(
        "/antom/notify/payment",
        payment_result(
            pay["paymentRequestId"],
            pay["paymentAmount"],
            status="F",
            code="RISK_REJECT",
            when=h.clock.now(),
        ),
    )
    purchase = await _state(h, created.json()["id"])
    assert purchase["state"] == "FAILED"
    assert purchase["failure"]["code"] == "PAYMENT_DECLINED"


@pytest.mark.usefixtures("expect_log")
async def test_payment_notification_for_unknown_request_is_refused(harness: Harness) -> None:
    """A notifyPayment we never asked for is refused (not acknowledged)."""
    reply = await harness.notify(
        "/antom/notify/payment",
        payment_result("pay_nope", {"currency": "HKD", "value": "100"}, when=harness.clock.now()),
    )
    assert reply.status_code == 400


async def test_token_canceled_mid_purchase(processing: tuple[Harness, str]) -> None:
    """TOKEN_CANCELED while a payment is unknown: Antom decides it; the next one is refused."""
    h, binding = processing
    created = await h.buy(binding, key="mid")
    await h.settle()
    token = h.antom.bodies(Api.PAY)[0]["paymentMethod"]["paymentMethodId"]
    canceled = await h.notify(
        "/antom/notify/authorization",
        {
            "authorizationNotifyType": "TOKEN_CANCELED",
            "accessToken": token,
            "result": {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"},
        },
    )
    assert canceled.status_code == 200
    h.antom.payments[h.antom.bodies(Api.PAY)[0]["paymentRequestId"]] = "SUCCESS"
    await h.run(3)
    assert (await _state(h, created.json()["id"]))["state"] == "SUCCEEDED"
    view = (await h.client.get(f"/v1/bindings/{binding}", headers=h.headers)).json()
    assert view["state"] == "REVOKED"
    assert view["revoked_by"] == "WALLET"
    refused = await h.buy(binding, key="after")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "BINDING_REVOKED"
    assert refused.json()["error"]["revoked_by"] == "WALLET"


async def test_purchase_answers_final_state_when_antom_is_quick(
    tmp_path: Path, key_dir: Path, antom_key: RSAPrivateKey
) -> None:
    """With the default sync wait, POST answers SUCCEEDED directly when pay says S."""
    clock = FakeClock()
    antom = FakeAntom(clock.now)
    app = create_app(
        make_config(tmp_path, key_dir, purchase_sync_wait=8.0), clock=clock, antom=antom
    )
    await app.state.backend.start()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        h = Harness(client, app.state.backend, antom, clock, antom_key)
        await h.enrol()
        binding = await h.bind()
        created = await h.buy(binding, key="quick")
        assert created.json()["state"] == "SUCCEEDED"
    await app.state.backend.stop()


@pytest.mark.usefixtures("expect_log")
async def test_start_up_recovery_resolves_purchases_left_in_flight(
    tmp_path: Path, key_dir: Path, antom_key: RSAPrivateKey
) -> None:
    """A purchase recorded before a crash is resolved by inquiry at the next start: charged once."""
    clock = FakeClock()
    antom = FakeAntom(clock.now)
    hang = asyncio.Event()

    async def never(
        _body: Mapping[str, Any],
    ) -> AntomReply:  # the process "dies" while pay is on the wire
        await hang.wait()
        raise AssertionError("unreachable")

    config = make_config(tmp_path, key_dir)
    app = create_app(config, clock=clock, antom=antom)
    backend = app.state.backend
    await backend.start()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        h = Harness(client, backend, antom, clock, antom_key)
        await h.enrol()
        binding = await h.bind()
        original_call = antom.call

        async def stuck_pay(api: Api, body: Mapping[str, Any]) -> AntomReply:
            if api is Api.PAY:
                antom.calls.append((api, dict(body)))
                antom.payments[body["paymentRequestId"]] = "SUCCESS"  # Antom took the money...
                antom.charged[body["paymentRequestId"]] += 1
                await never(body)  # ...but the answer never came back
            return await original_call(api, body)

        antom.call = stuck_pay  # type: ignore[method-assign]
        created = await h.buy(binding, key="crash")
        purchase_id = created.json()["id"]
        await h.settle()
    await backend.stop()  # the driver is cancelled: the record stays PROCESSING

    antom.call = original_call  # type: ignore[method-assign]
    app2 = create_app(config, clock=clock, antom=antom)
    await app2.state.backend.start()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app2), base_url=BASE) as client:
        h2 = Harness(client, app2.state.backend, antom, clock, antom_key, headers=h.headers)
        for _ in range(20):
            await h2.run(1)
            body = await _state(h2, purchase_id)
            assert "state" in body, body
            if body["state"] != "PROCESSING":
                break
        assert body["state"] == "SUCCEEDED"
    await app2.state.backend.stop()
    assert antom.count(Api.PAY) == 1
    assert sum(antom.charged.values()) == 1


async def test_shutdown_finishes_in_flight_payments(
    tmp_path: Path, key_dir: Path, antom_key: RSAPrivateKey
) -> None:
    """Stopping the backend while pay is on the wire waits for it and records the outcome."""
    clock = FakeClock()
    antom = FakeAntom(clock.now)
    config = make_config(tmp_path, key_dir, shutdown_grace=10.0)
    app = create_app(config, clock=clock, antom=antom)
    backend = app.state.backend
    await backend.start()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        h = Harness(client, backend, antom, clock, antom_key)
        await h.enrol()
        binding = await h.bind()
        released = asyncio.Event()

        async def slow_pay(body: Mapping[str, Any]) -> AntomReply:
            await released.wait()
            return antom.default(Api.PAY, body)

        original = antom.call

        async def call(api: Api, body: Mapping[str, Any]) -> AntomReply:
            if api is Api.PAY:
                antom.calls.append((api, dict(body)))
                return await slow_pay(body)
            return await original(api, body)

        antom.call = call  # type: ignore[method-assign]
        created = await h.buy(binding, key="in-flight")
        stopping = asyncio.create_task(backend.stop())
        await asyncio.sleep(0.05)
        assert not stopping.done()
        released.set()
        await asyncio.wait_for(stopping, 5)
    fresh = Database(config.database, Wakeups())
    try:
        async with fresh.read() as conn:
            state = (
                await conn.exec_driver_sql(
                    "SELECT state FROM purchases WHERE id = ?", (created.json()["id"],)
                )
            ).scalar_one()
    finally:
        await fresh.close()
    assert state == "SUCCEEDED"
