"""declare and inquiryDeclarationRequests with their validations."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import Harness, result_of
from tvclient.antom.paths import Api


def _declaration(payment_id: str, request_id: str = "d1", value: int = 5000,
                 **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "declarationRequestId": request_id,
        "paymentId": payment_id,
        "declarationAmount": {"currency": "HKD", "value": str(value)},
        "customs": {"customsCode": "ZONGSHU", "region": "CN"},
        "merchantCustomsInfo": {"merchantCustomsCode": "3122", "merchantCustomsName": "M Ltd"},
        "splitOrder": "false",
    }
    body.update(changes)
    return body


async def _paid(h: Harness) -> str:
    token = (await h.bind(buyer="hk-alice"))["accessToken"]
    return str((await h.pay(token, 10_000))["paymentId"])


async def test_declare_and_inquire(harness: Harness) -> None:
    """Declare is S; inquiry shows PROCESSING, SUCCESS a minute later, and unknown IDs."""
    payment_id = await _paid(harness)
    data = await harness.call(Api.DECLARE, _declaration(
        payment_id, buyerCertificate={"certificateType": "ID_CARD", "certificateNo": "X1"}
    ))
    assert result_of(data) == ("S", "SUCCESS")
    assert data["customsPaymentId"]
    assert data["identityCheckResult"] == "CHECK_PASSED"
    inquiry = await harness.call(Api.INQUIRY_DECLARATION_REQUESTS,
                                 {"declarationRequestIds": ["d1", "zz"]})
    [record] = inquiry["declarationRecords"]
    assert record["declarationRequestStatus"] == "PROCESSING"
    assert inquiry["declarationRequestsNotFound"] == ["zz"]
    await harness.advance(60)
    inquiry = await harness.call(Api.INQUIRY_DECLARATION_REQUESTS,
                                 {"declarationRequestIds": ["d1"]})
    assert inquiry["declarationRecords"][0]["declarationRequestStatus"] == "SUCCESS"


async def test_declare_is_idempotent(harness: Harness) -> None:
    """The same declarationRequestId answers the same; with another amount it is inconsistent."""
    payment_id = await _paid(harness)
    first = await harness.call(Api.DECLARE, _declaration(payment_id))
    again = await harness.call(Api.DECLARE, _declaration(payment_id))
    assert first == again
    changed = await harness.call(Api.DECLARE, _declaration(payment_id, value=4000))
    assert result_of(changed) == ("F", "REPEAT_REQ_INCONSISTENT")


async def test_declared_total_never_above_paid(harness: Harness) -> None:
    """Split declarations may add up to the paid amount and not beyond."""
    payment_id = await _paid(harness)
    split = {"splitOrder": "true", "subOrderId": "sub-1"}
    assert result_of(await harness.call(
        Api.DECLARE, _declaration(payment_id, "a", 6000, **split)
    )) == ("S", "SUCCESS")
    over = await harness.call(Api.DECLARE, _declaration(payment_id, "b", 4001, **split))
    assert result_of(over) == ("F", "PARAM_ILLEGAL")
    assert result_of(await harness.call(
        Api.DECLARE, _declaration(payment_id, "c", 4000, **split)
    )) == ("S", "SUCCESS")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"declarationRequestId": "x" * 33}, "PARAM_ILLEGAL"),
        ({"splitOrder": "true"}, "PARAM_ILLEGAL"),
        ({"customs": {"customsCode": "ATLANTIS", "region": "CN"}}, "PARAM_ILLEGAL"),
        ({"customs": {"customsCode": "ZONGSHU", "region": "HK"}}, "PARAM_ILLEGAL"),
        ({"declarationAmount": {"currency": "CNY", "value": "100"}}, "PARAM_ILLEGAL"),
        ({"merchantCustomsInfo": {"merchantCustomsCode": "3122"}}, "PARAM_ILLEGAL"),
        ({"paymentId": "unknown-payment"}, "ORDER_NOT_EXIST"),
    ],
)
async def test_declare_validations(harness: Harness, changes: dict[str, Any], code: str) -> None:
    """Each documented rule of declare refuses a request that breaks it, storing nothing."""
    payment_id = await _paid(harness)
    data = await harness.call(Api.DECLARE, _declaration(payment_id, **changes))
    assert result_of(data) == ("F", code)
    assert harness.sandbox.store.scalar("SELECT COUNT(*) FROM declarations") == 0


async def test_inquiry_takes_one_to_ten_ids(harness: Harness) -> None:
    """InquiryDeclarationRequests with 0 or 11 IDs is PARAM_ILLEGAL."""
    for ids in ([], [f"d{i}" for i in range(11)]):
        data = await harness.call(Api.INQUIRY_DECLARATION_REQUESTS,
                                  {"declarationRequestIds": ids})
        assert result_of(data) == ("F", "PARAM_ILLEGAL")
