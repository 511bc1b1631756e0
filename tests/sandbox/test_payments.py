"""pay, inquiryPayment and cancel: idempotency, wallet limits, balances, windows, U outcomes."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.sandbox.conftest import Harness, expect_success, pay_request, result_of
from tvclient.antom.messages import InquiryPaymentRequest
from tvclient.antom.paths import Api
from tvclient.money import Money
from tvclient.sandbox.faults import FaultKind, FaultSpec, SettleOutcome

HK_TZ = dt.timezone(dt.timedelta(hours=8))


def _balance(h: Harness, buyer: str) -> int:
    return int(h.sandbox.store.scalar("SELECT balance FROM buyers WHERE buyer_id = ?", (buyer,)))


def _set_balance(h: Harness, buyer: str, minor: int) -> None:
    with h.sandbox.store.transaction():
        h.sandbox.buyers.set_balance(buyer, minor)


async def test_pay_debits_the_buyer_and_notifies(harness: Harness) -> None:
    """A pay within limits and balance is S, debits the buyer and sends notifyPayment S."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    response = expect_success(
        await harness.client.pay(pay_request(token, Money(3800, "HKD"), "pay-1"))
    )
    assert response.payment_id
    assert response.payment_time is not None
    assert _balance(harness, "hk-alice") == 500_000 - 3800
    await harness.drain()
    [note] = harness.receiver.of("/notify/payment")
    assert note.verified, note.error
    assert note.json["notifyType"] == "PAYMENT_RESULT"
    assert note.json["paymentRequestId"] == "pay-1"
    assert note.json["result"]["resultStatus"] == "S"


async def test_same_request_id_same_result(harness: Harness) -> None:
    """Repeating a pay with the same paymentRequestId returns the same payment, charged once."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    first = await harness.pay(token, 1000, request_id="same")
    second = await harness.pay(token, 1000, request_id="same")
    assert result_of(first) == result_of(second) == ("S", "SUCCESS")
    assert first["paymentId"] == second["paymentId"]
    assert _balance(harness, "hk-alice") == 500_000 - 1000


async def test_same_request_id_other_amount_is_inconsistent(harness: Harness) -> None:
    """The same paymentRequestId with another amount or token is REPEAT_REQ_INCONSISTENT."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    other = (await harness.bind(buyer="hk-carol"))["accessToken"]
    await harness.pay(token, 1000, request_id="r1")
    assert result_of(await harness.pay(token, 1001, request_id="r1")) == (
        "F", "REPEAT_REQ_INCONSISTENT"
    )
    assert result_of(await harness.pay(other, 1000, request_id="r1")) == (
        "F", "REPEAT_REQ_INCONSISTENT"
    )
    assert _balance(harness, "hk-alice") == 500_000 - 1000


async def test_failed_payment_is_repeated_as_failed(harness: Harness) -> None:
    """A payment that failed for balance stays failed on repeat, even after a top-up."""
    token = (await harness.bind(buyer="hk-ben"))["accessToken"]
    first = await harness.pay(token, 500, request_id="poor")
    assert result_of(first) == ("F", "USER_BALANCE_NOT_ENOUGH")
    _set_balance(harness, "hk-ben", 100_000)
    again = await harness.pay(token, 500, request_id="poor")
    assert result_of(again) == ("F", "USER_BALANCE_NOT_ENOUGH")
    assert again["paymentId"] == first["paymentId"]
    await harness.drain()
    [note] = harness.receiver.of("/notify/payment")
    assert note.json["result"]["resultCode"] == "USER_BALANCE_NOT_ENOUGH"


@pytest.mark.parametrize(
    ("wallet", "buyer", "currency", "value", "expected"),
    [
        ("ALIPAY_HK", "hk-carol", "HKD", 1, "SUCCESS"),                       # exactly min
        ("ALIPAY_HK", "hk-carol", "HKD", 5_000_000, "SUCCESS"),               # exactly max
        ("ALIPAY_HK", "hk-carol", "HKD", 5_000_001, "PAYMENT_AMOUNT_EXCEED_LIMIT"),
        ("DANA", "id-fajar", "IDR", 30_000, "SUCCESS"),                       # exactly min
        ("DANA", "id-fajar", "IDR", 29_900, "PAYMENT_AMOUNT_EXCEED_LIMIT"),   # min - 1 (00 rule)
        ("DANA", "id-fajar", "IDR", 1_000_000_000, "SUCCESS"),                # exactly max
        ("DANA", "id-fajar", "IDR", 1_000_000_100, "PAYMENT_AMOUNT_EXCEED_LIMIT"),
    ],
)
async def test_per_payment_limits(  # noqa: PLR0917 - one argument per parametrized column
    harness: Harness, wallet: str, buyer: str, currency: str, value: int, expected: str
) -> None:
    """Wallet minimum and per-payment maximum hold exactly at the edges."""
    token = (await harness.bind(wallet, buyer=buyer))["accessToken"]
    data = await harness.pay(token, value, currency, wallet=wallet)
    assert data["result"]["resultCode"] == expected


async def test_idr_must_end_in_00(harness: Harness) -> None:
    """An IDR amount not ending in 00 is a malformed request (PARAM_ILLEGAL), not stored."""
    token = (await harness.bind("DANA", buyer="id-dewi"))["accessToken"]
    data = await harness.pay(token, 30_050, "IDR", wallet="DANA")
    assert result_of(data) == ("F", "PARAM_ILLEGAL")
    assert "must end in 00" in data["result"]["resultMessage"]
    assert harness.sandbox.store.scalar("SELECT COUNT(*) FROM payments") == 0


async def test_currency_must_match_the_wallet(harness: Harness) -> None:
    """Paying an AlipayHK token in IDR is CURRENCY_NOT_SUPPORT."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    data = await harness.pay(token, 100_000, "IDR")
    assert result_of(data) == ("F", "CURRENCY_NOT_SUPPORT")


async def test_method_type_must_match_the_token(harness: Harness) -> None:
    """PaymentMethodType must be the wallet the token was issued for."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    data = await harness.pay(token, 100, wallet="DANA")
    assert result_of(data) == ("F", "PARAM_ILLEGAL")


async def test_balance_too_low(harness: Harness) -> None:
    """A buyer with HK$1.00 can pay HK$1.00 but not HK$1.01."""
    token = (await harness.bind(buyer="hk-ben"))["accessToken"]
    assert result_of(await harness.pay(token, 101)) == ("F", "USER_BALANCE_NOT_ENOUGH")
    assert result_of(await harness.pay(token, 100)) == ("S", "SUCCESS")
    assert _balance(harness, "hk-ben") == 0


async def test_dana_daily_cap_resets_at_jakarta_midnight(harness: Harness) -> None:
    """DANA: Rp20,000,000 a day; the next payment fails until midnight in Jakarta."""
    token = (await harness.bind("DANA", buyer="id-fajar"))["accessToken"]
    # 04:00 UTC = 11:00 in Jakarta; midnight there is 13 hours later.
    for _ in range(2):
        assert result_of(await harness.pay(token, 1_000_000_000, "IDR", wallet="DANA"))[1] == (
            "SUCCESS"
        )
    capped = await harness.pay(token, 30_000, "IDR", wallet="DANA")
    assert result_of(capped) == ("F", "USER_AMOUNT_EXCEED_LIMIT")
    assert "daily" in capped["result"]["resultMessage"]
    await harness.advance(13 * 3600 - 1)
    assert result_of(await harness.pay(token, 30_000, "IDR", wallet="DANA"))[1] == (
        "USER_AMOUNT_EXCEED_LIMIT"
    )
    await harness.advance(1)
    assert result_of(await harness.pay(token, 30_000, "IDR", wallet="DANA"))[1] == "SUCCESS"


async def test_alipayhk_yearly_cap_resets_on_new_year(harness: Harness) -> None:
    """AlipayHK: HK$200,000 a year; the next HK$0.01 fails until 1 January in Hong Kong."""
    harness.clock.set(dt.datetime(2026, 12, 31, 12, 0, tzinfo=HK_TZ))
    token = (await harness.bind(buyer="hk-carol"))["accessToken"]
    for _ in range(4):
        assert result_of(await harness.pay(token, 5_000_000))[1] == "SUCCESS"
    capped = await harness.pay(token, 1)
    assert result_of(capped) == ("F", "USER_AMOUNT_EXCEED_LIMIT")
    assert "yearly" in capped["result"]["resultMessage"]
    # The access token lives 7 days, so it is still valid across the new year.
    harness.clock.set(dt.datetime(2027, 1, 1, 0, 0, tzinfo=HK_TZ))
    assert result_of(await harness.pay(token, 1))[1] == "SUCCESS"


async def test_expiry_time_may_only_shorten(harness: Harness) -> None:
    """PaymentExpiryTime past now + 1 min (beyond skew) or in the past is PARAM_ILLEGAL."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    now = harness.clock.now()
    late = (now + dt.timedelta(seconds=120)).isoformat()
    past = (now - dt.timedelta(seconds=1)).isoformat()
    ok = (now + dt.timedelta(seconds=30)).isoformat()
    assert result_of(await harness.pay(token, 100, paymentExpiryTime=late)) == (
        "F", "PARAM_ILLEGAL"
    )
    assert result_of(await harness.pay(token, 100, paymentExpiryTime=past)) == (
        "F", "PARAM_ILLEGAL"
    )
    assert result_of(await harness.pay(token, 100, paymentExpiryTime=ok)) == ("S", "SUCCESS")


async def test_only_agreement_payment(harness: Harness) -> None:
    """Another productCode is refused with PARAM_ILLEGAL."""
    token = (await harness.bind())["accessToken"]
    assert result_of(await harness.pay(token, 100, productCode="CASHIER_PAYMENT")) == (
        "F", "PARAM_ILLEGAL"
    )


def _unknown(h: Harness, target: str, seconds: float, outcome: SettleOutcome) -> None:
    h.sandbox.faults.add(
        FaultSpec(target=target, kind=FaultKind.UNKNOWN, seconds=seconds, outcome=outcome),
        h.sandbox.now_ms(),
    )


async def test_unknown_outcome_settles_later(harness: Harness) -> None:
    """With a U fault, pay answers PAYMENT_IN_PROCESS, holds the money and settles S later."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _unknown(harness, "pay", 20, SettleOutcome.SUCCESS)
    first = await harness.pay(token, 2000, request_id="slow")
    assert result_of(first) == ("U", "PAYMENT_IN_PROCESS")
    assert _balance(harness, "hk-alice") == 500_000 - 2000
    inquiry = expect_success(await harness.client.inquiry_payment(
        InquiryPaymentRequest(payment_request_id="slow")
    ))
    assert inquiry.payment_status.value == "PROCESSING"
    assert result_of(await harness.pay(token, 2000, request_id="slow")) == (
        "U", "PAYMENT_IN_PROCESS"
    )
    await harness.advance(20)
    assert result_of(await harness.pay(token, 2000, request_id="slow")) == ("S", "SUCCESS")
    [note] = harness.receiver.of("/notify/payment")
    assert note.json["result"]["resultStatus"] == "S"
    assert note.json["paymentTime"]


async def test_unknown_outcome_can_fail_and_returns_the_money(harness: Harness) -> None:
    """A U payment set to fail ends FAIL with PROCESS_FAIL and the held money back."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _unknown(harness, "pay", 5, SettleOutcome.FAIL)
    await harness.pay(token, 2000, request_id="doomed")
    await harness.advance(5)
    inquiry = expect_success(await harness.client.inquiry_payment(
        InquiryPaymentRequest(payment_request_id="doomed")
    ))
    assert inquiry.payment_status.value == "FAIL"
    assert inquiry.payment_result_code == "PROCESS_FAIL"
    assert _balance(harness, "hk-alice") == 500_000
    [note] = harness.receiver.of("/notify/payment")
    assert note.json["result"]["resultStatus"] == "F"


async def test_unknown_outcome_past_expiry_closes_the_order(harness: Harness) -> None:
    """A pending payment still unknown at its one-minute expiry closes as ORDER_IS_CLOSED."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _unknown(harness, "pay", 300, SettleOutcome.SUCCESS)
    await harness.pay(token, 2000, request_id="late")
    await harness.advance(59)
    assert harness.receiver.of("/notify/payment") == []
    await harness.advance(1)
    [note] = harness.receiver.of("/notify/payment")
    assert note.json["result"]["resultCode"] == "ORDER_IS_CLOSED"
    assert _balance(harness, "hk-alice") == 500_000


async def test_inquiry_reports_status_and_refunds(harness: Harness) -> None:
    """InquiryPayment by paymentId or paymentRequestId gives the status and its refunds."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    paid = await harness.pay(token, 5000, request_id="inq")
    await harness.call(Api.REFUND, {"refundRequestId": "rf-1", "paymentId": paid["paymentId"],
                                    "refundAmount": {"currency": "HKD", "value": "1000"}})
    by_id = await harness.call(Api.INQUIRY_PAYMENT, {"paymentId": paid["paymentId"]})
    by_request = await harness.call(Api.INQUIRY_PAYMENT, {"paymentRequestId": "inq"})
    assert by_id == by_request
    assert by_id["paymentStatus"] == "SUCCESS"
    [refund] = by_id["transactions"]
    assert refund["transactionType"] == "REFUND"
    assert refund["transactionRequestId"] == "rf-1"


async def test_inquiry_of_unknown_payment(harness: Harness) -> None:
    """InquiryPayment of a payment that does not exist is F ORDER_NOT_EXIST."""
    data = await harness.call(Api.INQUIRY_PAYMENT, {"paymentRequestId": "never"})
    assert result_of(data) == ("F", "ORDER_NOT_EXIST")


async def test_cancel_paid_payment_refunds_the_buyer(harness: Harness) -> None:
    """Cancel of a paid payment refunds it; CANCELLED stays; a repeat answers the same."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    await harness.pay(token, 4000, request_id="cx")
    first = await harness.call(Api.CANCEL, {"paymentRequestId": "cx"})
    assert result_of(first) == ("S", "SUCCESS")
    assert _balance(harness, "hk-alice") == 500_000
    again = await harness.call(Api.CANCEL, {"paymentRequestId": "cx"})
    assert again["cancelTime"] == first["cancelTime"]
    inquiry = await harness.call(Api.INQUIRY_PAYMENT, {"paymentRequestId": "cx"})
    assert inquiry["paymentStatus"] == "CANCELLED"
    assert result_of(await harness.pay(token, 4000, request_id="cx")) == ("F", "ORDER_IS_CLOSED")


async def test_cancel_window_ends_0015_gmt8_next_day(harness: Harness) -> None:
    """Cancel works at 00:14:59 GMT+8 on T+1 and is CANCEL_WINDOW_EXCEED at 00:15:00."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    harness.clock.set(dt.datetime(2026, 3, 2, 23, 50, tzinfo=HK_TZ))
    await harness.pay(token, 100, request_id="in")
    await harness.pay(token, 100, request_id="out")
    harness.clock.set(dt.datetime(2026, 3, 3, 0, 14, 59, tzinfo=HK_TZ))
    assert result_of(await harness.call(Api.CANCEL, {"paymentRequestId": "in"})) == (
        "S", "SUCCESS"
    )
    harness.clock.set(dt.datetime(2026, 3, 3, 0, 15, tzinfo=HK_TZ))
    assert result_of(await harness.call(Api.CANCEL, {"paymentRequestId": "out"})) == (
        "F", "CANCEL_WINDOW_EXCEED"
    )


async def test_cancel_of_processing_payment_stops_it(harness: Harness) -> None:
    """Cancelling a PROCESSING payment returns the held money; it never settles afterwards."""
    token = (await harness.bind(buyer="hk-alice"))["accessToken"]
    _unknown(harness, "pay", 10, SettleOutcome.SUCCESS)
    await harness.pay(token, 700, request_id="pend")
    assert result_of(await harness.call(Api.CANCEL, {"paymentRequestId": "pend"}))[0] == "S"
    await harness.advance(30)
    inquiry = await harness.call(Api.INQUIRY_PAYMENT, {"paymentRequestId": "pend"})
    assert inquiry["paymentStatus"] == "CANCELLED"
    assert _balance(harness, "hk-alice") == 500_000
    assert harness.receiver.of("/notify/payment") == []


async def test_cancel_refusals(harness: Harness) -> None:
    """Cancel of unknown, failed or partly refunded payments is refused."""
    token = (await harness.bind(buyer="hk-ben"))["accessToken"]
    assert result_of(await harness.call(Api.CANCEL, {"paymentId": "nope"})) == (
        "F", "ORDER_NOT_EXIST"
    )
    await harness.pay(token, 5000, request_id="failed")
    assert result_of(await harness.call(Api.CANCEL, {"paymentRequestId": "failed"})) == (
        "F", "ORDER_STATUS_INVALID"
    )
    paid = await harness.pay(token, 100, request_id="refunded")
    await harness.call(Api.REFUND, {"refundRequestId": "r", "paymentId": paid["paymentId"],
                                    "refundAmount": {"currency": "HKD", "value": "50"}})
    assert result_of(await harness.call(Api.CANCEL, {"paymentRequestId": "refunded"})) == (
        "F", "ORDER_STATUS_INVALID"
    )


async def test_payments_are_per_client(harness: Harness) -> None:
    """A payment is found only by the client that made it (another client ID is not known)."""
    token = (await harness.bind())["accessToken"]
    await harness.pay(token, 100, request_id="mine")
    assert harness.sandbox.payments.find("SANDBOX_OTHER", None, "mine") is None
