"""Refund APIs: refund, inquiryRefund, and the notifyRefund notification."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from tvclient.antom.errors import MessageError
from tvclient.antom.messages.common import (
    PositiveAmount,
    SettlementQuote,
    Str32,
    Str64,
    Str256,
    Str2048,
    Url1024,
)
from tvclient.antom.result import Result, ResultStatus
from tvclient.antom.wire import Id64, Message, Rule, message
from tvclient.money import Money

__all__ = [
    "InquiryRefundRequest",
    "InquiryRefundResponse",
    "RefundNotification",
    "RefundNotifyType",
    "RefundRequest",
    "RefundResponse",
    "RefundStatus",
]


class RefundStatus(StrEnum):
    """Antom-side refund status (notifyRefund sends only SUCCESS or FAIL)."""

    SUCCESS = "SUCCESS"
    PROCESSING = "PROCESSING"
    FAIL = "FAIL"


class RefundNotifyType(StrEnum):
    """notifyRefund `notifyType`."""

    REFUND_RESULT = "REFUND_RESULT"


@message
class RefundRequest(Message):
    """refund all or part of a paid payment; `refundRequestId` is the idempotency key."""

    refund_request_id: Id64
    payment_id: Id64
    refund_amount: PositiveAmount
    reference_refund_id: Str64 | None = None
    refund_reason: Str256 | None = None
    refund_notify_url: Url1024 | None = None
    is_async_refund: bool | None = None
    extend_info: str | None = None


@message
class RefundResponse(Message):
    """refund response; on S it carries Antom's `refundId`."""

    result: Result
    refund_request_id: Str64 | None = None
    refund_id: Str64 | None = None
    payment_id: Str64 | None = None
    refund_amount: Money | None = None
    refund_time: dt.datetime | None = None
    gross_settlement_amount: Money | None = None
    settlement_quote: SettlementQuote | None = None
    acquirer_reference_no: Str64 | None = None
    actual_refund_amount: Money | None = None

    def _validate(self) -> None:
        if self.result.result_status is ResultStatus.SUCCESS and self.refund_id is None:
            raise MessageError("refundId", "missing (required when resultStatus is S)")


@message
class InquiryRefundRequest(Message):
    """inquiryRefund by `refundRequestId` or `refundId` (`refundId` wins if both)."""

    refund_request_id: Id64 | None = None
    refund_id: Id64 | None = None
    merchant_account_id: Str32 | None = None

    def _validate(self) -> None:
        if self.refund_request_id is None and self.refund_id is None:
            raise MessageError("refundRequestId", "missing (give refundRequestId or refundId)")


@message
class InquiryRefundResponse(Message):
    """inquiryRefund response: `result` says the query ran, `refundStatus` says the refund."""

    result: Result
    refund_id: Str64 | None = None
    refund_request_id: Str64 | None = None
    refund_amount: Money | None = None
    refund_status: RefundStatus | None = None
    refund_time: dt.datetime | None = None
    gross_settlement_amount: Money | None = None
    settlement_quote: SettlementQuote | None = None
    arn: Str64 | None = None
    actual_refund_amount: Money | None = None

    def _validate(self) -> None:
        if self.result.result_status is ResultStatus.SUCCESS and self.refund_status is None:
            raise MessageError("refundStatus", "missing (required when resultStatus is S)")


@message
class RefundNotification(Message):
    """notifyRefund: the final result of a refund."""

    notify_type: RefundNotifyType
    result: Result
    refund_status: RefundStatus
    refund_request_id: Id64
    refund_id: Id64
    refund_amount: Money
    refund_time: dt.datetime | None = None
    gross_settlement_amount: Money | None = None
    settlement_quote: SettlementQuote | None = None
    arn: Str64 | None = None
    metadata: Str2048 | None = None
    actual_refund_amount: Money | None = None
    customized_info: Annotated[str, Rule(max_len=2048)] | None = None
