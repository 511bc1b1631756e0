"""refund and inquiryRefund: full and partial, never above paid, within 365 days."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import Harness, result_of
from tvclient.antom.paths import Api
from tvclient.sandbox.faults import FaultKind, FaultSpec, SettleOutcome


async def _paid(h: Harness, value: int = 10_000, buyer: str = "hk-alice") -> dict[str, Any]:
    token = (await h.bind(buyer=buyer))["accessToken"]
    return await h.pay(token, value)


async def _refund(h: Harness, payment_id: str, value: int, request_id: str, **extra: Any) -> (
    dict[str, Any]
):
    body = {"refundRequestId": request_id, "paymentId": payment_id,
            "refundAmount": {"currency": "HKD", "value": str(value)}, **extra}
    return await h.call(Api.REFUND, body)


def _balance(h: Harness, buyer: str) -> int:
    return int(h.sandbox.store.scalar("SELECT balance FROM buyers WHERE buyer_id = ?", (buyer,)))


async def test_partial_refunds_up_to_the_paid_amount(harness: Harness) -> None:
    """Partial refunds add up to the paid amount; one minor unit more is REFUND_AMOUNT_EXCEED."""
    paid = await _paid(harness)
    assert result_of(await _refund(harness, paid["paymentId"], 4000, "r1")) == ("S", "SUCCESS")
    assert result_of(await _refund(harness, paid["paymentId"], 6000, "r2")) == ("S", "SUCCESS")
    over = await _refund(harness, paid["paymentId"], 1, "r3")
    assert result_of(over) == ("F", "REFUND_AMOUNT_EXCEED")
    assert _balance(harness, "hk-alice") == 500_000


async def test_full_refund_at_once(harness: Harness) -> None:
    """A full refund is S; one more than paid is REFUND_AMOUNT_EXCEED."""
    paid = await _paid(harness)
    assert result_of(await _refund(harness, paid["paymentId"], 10_001, "too-much")) == (
        "F", "REFUND_AMOUNT_EXCEED"
    )
    done = await _refund(harness, paid["paymentId"], 10_000, "all")
    assert result_of(done) == ("S", "SUCCESS")
    assert done["refundId"]
    assert done["refundTime"]


async def test_refund_is_idempotent(harness: Harness) -> None:
    """The same refundRequestId refunds once; with another amount it is REPEAT_REQ_INCONSISTENT."""
    paid = await _paid(harness)
    first = await _refund(harness, paid["paymentId"], 1000, "same")
    second = await _refund(harness, paid["paymentId"], 1000, "same")
    assert first["refundId"] == second["refundId"]
    assert _balance(harness, "hk-alice") == 500_000 - 10_000 + 1000
    assert result_of(await _refund(harness, paid["paymentId"], 1500, "same")) == (
        "F", "REPEAT_REQ_INCONSISTENT"
    )


async def test_refund_window_is_365_days(harness: Harness) -> None:
    """A refund works one second before 365 days after payment and not at 365 days."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    early = await harness.pay(token, 1000)
    late = await harness.pay(token, 1000)
    await harness.advance(365 * 86400 - 1)
    assert result_of(await _refund(harness, early["paymentId"], 1000, "in")) == ("S", "SUCCESS")
    await harness.advance(1)
    assert result_of(await _refund(harness, late["paymentId"], 1000, "out")) == (
        "F", "REFUND_WINDOW_EXCEED"
    )


async def test_refund_refusals(harness: Harness) -> None:
    """Refunds of unknown or unpaid payments, other currencies or below minimum fail."""
    assert result_of(await _refund(harness, "missing", 100, "a")) == ("F", "ORDER_NOT_EXIST")
    token = (await harness.bind(buyer="hk-ben"))["accessToken"]
    failed = await harness.pay(token, 5000)
    assert result_of(await _refund(harness, failed["paymentId"], 100, "b")) == (
        "F", "ORDER_STATUS_INVALID"
    )
    paid = await harness.pay(token, 100)
    body = {"refundRequestId": "c", "paymentId": paid["paymentId"],
            "refundAmount": {"currency": "IDR", "value": "100"}}
    assert result_of(await harness.call(Api.REFUND, body)) == ("F", "PARAM_ILLEGAL")


async def test_refund_of_cancelled_payment_is_refused(harness: Harness) -> None:
    """A cancelled payment cannot be refunded (the cancel already gave the money back)."""
    paid = await _paid(harness)
    await harness.call(Api.CANCEL, {"paymentId": paid["paymentId"]})
    assert result_of(await _refund(harness, paid["paymentId"], 100, "x")) == (
        "F", "ORDER_STATUS_INVALID"
    )


async def test_refund_notification_and_inquiry(harness: Harness) -> None:
    """A refund is notified (REFUND_RESULT, signed) and found by inquiryRefund either way."""
    paid = await _paid(harness)
    done = await _refund(harness, paid["paymentId"], 2500, "rq",
                         refundNotifyUrl="http://merchant.test/own/refund")
    await harness.drain()
    [note] = harness.receiver.of("/own/refund")
    assert note.verified, note.error
    assert note.json["notifyType"] == "REFUND_RESULT"
    assert note.json["refundStatus"] == "SUCCESS"
    by_request = await harness.call(Api.INQUIRY_REFUND, {"refundRequestId": "rq"})
    by_id = await harness.call(Api.INQUIRY_REFUND, {"refundId": done["refundId"]})
    assert by_request == by_id
    assert by_id["refundStatus"] == "SUCCESS"
    missing = await harness.call(Api.INQUIRY_REFUND, {"refundRequestId": "nope"})
    assert result_of(missing) == ("F", "ORDER_NOT_EXIST")


async def test_unknown_refund_settles_later(harness: Harness) -> None:
    """A U refund is PROCESSING, reserves its amount, and settles with a notification."""
    paid = await _paid(harness)
    harness.sandbox.faults.add(
        FaultSpec(target="refund", kind=FaultKind.UNKNOWN, seconds=30,
                  outcome=SettleOutcome.SUCCESS),
        harness.sandbox.now_ms(),
    )
    pending = await _refund(harness, paid["paymentId"], 8000, "slow")
    assert result_of(pending) == ("U", "PAYMENT_IN_PROCESS")
    assert result_of(await _refund(harness, paid["paymentId"], 3000, "more")) == (
        "F", "REFUND_AMOUNT_EXCEED"
    )
    inquiry = await harness.call(Api.INQUIRY_REFUND, {"refundRequestId": "slow"})
    assert inquiry["refundStatus"] == "PROCESSING"
    await harness.advance(30)
    inquiry = await harness.call(Api.INQUIRY_REFUND, {"refundRequestId": "slow"})
    assert inquiry["refundStatus"] == "SUCCESS"
    assert _balance(harness, "hk-alice") == 500_000 - 10_000 + 8000
    refunds = harness.receiver.of("/notify/refund")
    assert [r.json["refundRequestId"] for r in refunds] == ["more", "slow"]
