"""Payment APIs: pay (AGREEMENT_PAYMENT), inquiryPayment, cancel, and notifyPayment."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from tvclient.antom.errors import MessageError
from tvclient.antom.messages.common import (
    Env,
    Order,
    PaymentMethod,
    PositiveAmount,
    PspCustomerInfo,
    SettlementQuote,
    SettlementStrategy,
    Str2,
    Str32,
    Str64,
    Str256,
    Transaction,
    Url2048,
)
from tvclient.antom.result import Result, ResultStatus
from tvclient.antom.wire import Id64, Message, Rule, message
from tvclient.money import Money

__all__ = [
    "CancelRequest",
    "CancelResponse",
    "InquiryPaymentRequest",
    "InquiryPaymentResponse",
    "PayRequest",
    "PayResponse",
    "PaymentNotification",
    "PaymentNotifyType",
    "PaymentStatus",
    "ProductCode",
]


class ProductCode(StrEnum):
    """pay `productCode`; tvclient pays with `AGREEMENT_PAYMENT` (Tokenized Payment)."""

    AGREEMENT_PAYMENT = "AGREEMENT_PAYMENT"
    CASHIER_PAYMENT = "CASHIER_PAYMENT"
    IN_STORE_PAYMENT = "IN_STORE_PAYMENT"


class PaymentStatus(StrEnum):
    """inquiryPayment `paymentStatus`."""

    SUCCESS = "SUCCESS"
    """Final: paid."""
    FAIL = "FAIL"
    """Final: not paid."""
    PROCESSING = "PROCESSING"
    """Not final yet."""
    CANCELLED = "CANCELLED"
    """Final: cancelled (stays so even if a success arrives later)."""
    PENDING = "PENDING"
    """The buyer finished; waiting for the final result."""

    @property
    def final(self) -> bool:
        """Whether the status can no longer change."""
        return self in {PaymentStatus.SUCCESS, PaymentStatus.FAIL, PaymentStatus.CANCELLED}


class PaymentNotifyType(StrEnum):
    """notifyPayment `notifyType`."""

    PAYMENT_RESULT = "PAYMENT_RESULT"
    """The final result: `result` S = paid, F = failed."""
    PAYMENT_PENDING = "PAYMENT_PENDING"
    """The buyer completed the payment; wait for the final result."""


@message
class PayRequest(Message):
    """pay with a token (`productCode=AGREEMENT_PAYMENT`, `paymentMethodId` = access token)."""

    product_code: ProductCode
    payment_request_id: Id64
    order: Order
    payment_amount: PositiveAmount
    payment_method: PaymentMethod
    payment_expiry_time: dt.datetime | None = None
    payment_notify_url: Url2048 | None = None
    payment_redirect_url: Url2048 | None = None
    settlement_strategy: SettlementStrategy | None = None
    env: Env | None = None
    user_region: Str2 | None = None
    app_id: Str32 | None = None
    merchant_region: Str2 | None = None
    merchant_account_id: Str32 | None = None
    is_authorization: bool | None = None
    extend_info: str | None = None

    def _validate(self) -> None:
        if (
            self.product_code is ProductCode.AGREEMENT_PAYMENT
            and self.payment_method.payment_method_id is None
        ):
            raise MessageError(
                "paymentMethod.paymentMethodId", "missing (required with AGREEMENT_PAYMENT)"
            )


@message
class PayResponse(Message):
    """pay response: S paid, F failed, U (e.g. PAYMENT_IN_PROCESS) unknown."""

    result: Result
    payment_request_id: Str64 | None = None
    payment_id: Str64 | None = None
    payment_amount: Money | None = None
    actual_payment_amount: Money | None = None
    payment_create_time: dt.datetime | None = None
    payment_time: dt.datetime | None = None
    psp_customer_info: PspCustomerInfo | None = None
    gross_settlement_amount: Money | None = None
    settlement_quote: SettlementQuote | None = None
    extend_info: str | None = None


def _one_of(first: object, first_name: str, second: object, second_name: str) -> None:
    if first is None and second is None:
        raise MessageError(first_name, f"missing (give {first_name} or {second_name})")


@message
class InquiryPaymentRequest(Message):
    """inquiryPayment by `paymentRequestId` or `paymentId` (`paymentId` wins if both)."""

    payment_request_id: Id64 | None = None
    payment_id: Id64 | None = None
    merchant_account_id: Str32 | None = None

    def _validate(self) -> None:
        _one_of(self.payment_request_id, "paymentRequestId", self.payment_id, "paymentId")


@message
class InquiryPaymentResponse(Message):
    """inquiryPayment response: `result` says the query ran, `paymentStatus` says the payment."""

    result: Result
    payment_status: PaymentStatus | None = None
    payment_result_code: Str64 | None = None
    payment_result_message: Str256 | None = None
    payment_request_id: Str64 | None = None
    payment_id: Str64 | None = None
    payment_amount: Money | None = None
    actual_payment_amount: Money | None = None
    payment_create_time: dt.datetime | None = None
    payment_time: dt.datetime | None = None
    psp_customer_info: PspCustomerInfo | None = None
    acquirer_reference_no: Str64 | None = None
    gross_settlement_amount: Money | None = None
    settlement_quote: SettlementQuote | None = None
    customs_declaration_amount: Money | None = None
    payment_method_type: Str64 | None = None
    extend_info: str | None = None
    transactions: tuple[Transaction, ...] | None = None

    def _validate(self) -> None:
        if self.result.result_status is ResultStatus.SUCCESS and self.payment_status is None:
            raise MessageError("paymentStatus", "missing (required when resultStatus is S)")


@message
class CancelRequest(Message):
    """cancel a payment by `paymentId` or `paymentRequestId` (`paymentId` wins if both)."""

    payment_id: Id64 | None = None
    payment_request_id: Id64 | None = None
    merchant_account_id: Str32 | None = None

    def _validate(self) -> None:
        _one_of(self.payment_id, "paymentId", self.payment_request_id, "paymentRequestId")


@message
class CancelResponse(Message):
    """cancel response."""

    result: Result
    payment_id: Str64 | None = None
    payment_request_id: Str64 | None = None
    cancel_time: dt.datetime | None = None


@message
class PaymentNotification(Message):
    """notifyPayment: the final result (PAYMENT_RESULT) or PAYMENT_PENDING."""

    notify_type: PaymentNotifyType
    result: Result
    payment_request_id: Id64
    payment_id: Id64
    payment_amount: Money
    payment_create_time: dt.datetime
    payment_time: dt.datetime | None = None
    psp_customer_info: PspCustomerInfo | None = None
    customs_declaration_amount: Money | None = None
    gross_settlement_amount: Money | None = None
    settlement_quote: SettlementQuote | None = None
    acquirer_reference_no: Str64 | None = None
    payment_method_type: Annotated[str, Rule(max_len=64)] | None = None
