"""Injected API faults: latency, unknown outcomes, timeouts and HTTP 5xx, for the next N calls."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.sandbox.conftest import Harness, consult_request, result_of
from tvclient.antom.outcomes import Unknown
from tvclient.antom.paths import Api
from tvclient.sandbox.errors import OperatorError
from tvclient.sandbox.faults import FaultKind, FaultSpec

CONSULT = {
    "customerBelongsTo": "ALIPAY_HK", "authRedirectUrl": "https://m.example/r",
    "scopes": ["AGREEMENT_PAY"], "authState": "st", "terminalType": "WEB",
}


def _arm(h: Harness, target: str, kind: FaultKind, **options: object) -> None:
    h.sandbox.faults.add(FaultSpec(target=target, kind=kind, **options),  # type: ignore[arg-type]
                         h.sandbox.now_ms())


async def _settled(task: asyncio.Task[Any], h: Harness, seconds: float) -> None:
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done()
    h.clock.advance(seconds)
    await asyncio.wait_for(task, 5)


async def test_latency_delays_then_answers(harness: Harness) -> None:
    """A latency fault holds the call for its seconds (sandbox clock), then answers normally."""
    _arm(harness, "consult", FaultKind.LATENCY, seconds=4)
    task = asyncio.create_task(harness.call(Api.CONSULT, CONSULT))
    await _settled(task, harness, 4)
    assert result_of(task.result()) == ("S", "SUCCESS")


async def test_fault_applies_to_the_next_n_calls_only(harness: Harness) -> None:
    """An unknown fault with count 2 answers U twice, then calls are normal again."""
    _arm(harness, "consult", FaultKind.UNKNOWN, count=2)
    answers = [result_of(await harness.call(Api.CONSULT, CONSULT)) for _ in range(3)]
    assert answers == [("U", "UNKNOWN_EXCEPTION")] * 2 + [("S", "SUCCESS")]
    assert harness.sandbox.store.scalar("SELECT COUNT(*) FROM consults") == 1
    assert harness.sandbox.faults.all() == []


async def test_faults_hit_only_their_api(harness: Harness) -> None:
    """A fault for pay leaves consult alone."""
    _arm(harness, "pay", FaultKind.HTTP_ERROR)
    assert result_of(await harness.call(Api.CONSULT, CONSULT)) == ("S", "SUCCESS")
    assert len(harness.sandbox.faults.all()) == 1


async def test_http_error_not_processed(harness: Harness) -> None:
    """http_error answers the status with a non-Antom body and changes nothing by default."""
    _arm(harness, "consult", FaultKind.HTTP_ERROR, status=502)
    outcome = await harness.client.consult(consult_request())
    assert isinstance(outcome, Unknown)
    assert outcome.http_status == 502
    assert harness.sandbox.store.scalar("SELECT COUNT(*) FROM consults") == 0


async def test_http_error_after_processing(harness: Harness) -> None:
    """http_error with processed=true takes effect, then answers 5xx: the caller must query."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _arm(harness, "pay", FaultKind.HTTP_ERROR, processed=True)
    body = {"productCode": "AGREEMENT_PAYMENT", "paymentRequestId": "p5",
            "order": {"referenceOrderId": "o", "orderDescription": "d",
                      "orderAmount": {"currency": "HKD", "value": "100"}},
            "paymentAmount": {"currency": "HKD", "value": "100"},
            "paymentMethod": {"paymentMethodType": "ALIPAY_HK", "paymentMethodId": token}}
    import json

    response = await harness.raw(Api.PAY.sandbox_path, json.dumps(body).encode())
    assert response.status_code == 503
    inquiry = await harness.call(Api.INQUIRY_PAYMENT, {"paymentRequestId": "p5"})
    assert inquiry["paymentStatus"] == "SUCCESS"


async def test_timeout_holds_a_processed_call(harness: Harness) -> None:
    """A timeout fault processes the call and holds its answer; the payment happened."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _arm(harness, "pay", FaultKind.TIMEOUT, seconds=30)
    task = asyncio.create_task(harness.pay(token, 100, request_id="held"))
    for _ in range(20):
        await asyncio.sleep(0)
    inquiry = await harness.call(Api.INQUIRY_PAYMENT, {"paymentRequestId": "held"})
    assert inquiry["paymentStatus"] == "SUCCESS"
    assert not task.done()
    harness.clock.advance(30)
    assert result_of(await asyncio.wait_for(task, 5)) == ("S", "SUCCESS")


async def test_timeout_not_processed(harness: Harness) -> None:
    """A timeout with processed=false holds, then answers U without doing anything."""
    _arm(harness, "consult", FaultKind.TIMEOUT, seconds=10, processed=False)
    task = asyncio.create_task(harness.call(Api.CONSULT, CONSULT))
    await _settled(task, harness, 10)
    assert result_of(task.result()) == ("U", "UNKNOWN_EXCEPTION")
    assert harness.sandbox.store.scalar("SELECT COUNT(*) FROM consults") == 0


async def test_faults_need_a_valid_call(harness: Harness) -> None:
    """A badly signed call does not use up an armed fault."""
    _arm(harness, "consult", FaultKind.UNKNOWN)
    await harness.raw(Api.CONSULT.sandbox_path, b"{}", sign=False)
    assert len(harness.sandbox.faults.all()) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"target": "teleport", "kind": "latency"},
        {"target": "pay", "kind": "drop"},
        {"target": "notifyPayment", "kind": "timeout"},
        {"target": "pay", "kind": "latency", "seconds": 100_000},
        {"target": "pay", "kind": "latency", "seconds": "NaN"},
        {"target": "pay", "kind": "http_error", "status": 404},
        {"target": "pay", "kind": "unknown", "count": 0},
        {"target": "pay", "kind": "unknown", "outcome": "maybe"},
        {"target": "pay", "kind": "explode"},
        [],
    ],
)
def test_impossible_faults_are_refused(body: object) -> None:
    """Fault specs that cannot work are refused with a 400 and a reason."""
    with pytest.raises(OperatorError) as caught:
        FaultSpec.from_json(body).check()
    assert caught.value.status == 400


async def test_faults_survive_restart(harness: Harness) -> None:
    """Armed faults are stored: a fresh load still sees them."""
    _arm(harness, "refund", FaultKind.LATENCY, count=3)
    harness.sandbox.faults.load()
    [fault] = harness.sandbox.faults.all()
    assert (fault.target, fault.remaining, fault.seconds) == ("refund", 3, 3.0)
