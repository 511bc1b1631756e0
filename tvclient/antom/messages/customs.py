"""Customs declaration APIs (China customs only): declare and inquiryDeclarationRequests.

The reference disagrees on `subOrderId` (Java / Go SDKs) vs `suborderId` (Python SDK, zh-cn
doc); tvclient writes `subOrderId` and reads either. `declarationRequestStatus` values are
UNCONFIRMED, so any string up to 64 characters is accepted.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from tvclient.antom.errors import MessageError
from tvclient.antom.messages.common import (
    PositiveAmount,
    Str32,
    Str64,
    Str256,
    UserName,
)
from tvclient.antom.result import Result
from tvclient.antom.wire import Id32, Id64, Message, Rule, message
from tvclient.money import Money

__all__ = [
    "Certificate",
    "ClearingChannel",
    "CustomsInfo",
    "DeclarationRecord",
    "DeclareRequest",
    "DeclareResponse",
    "IdentityCheckResult",
    "InquiryDeclarationRequestsRequest",
    "InquiryDeclarationRequestsResponse",
    "MerchantCustomsInfo",
]


class IdentityCheckResult(StrEnum):
    """Whether the buyer matched the payer."""

    CHECK_PASSED = "CHECK_PASSED"
    CHECK_NOT_PASSED = "CHECK_NOT_PASSED"


class ClearingChannel(StrEnum):
    """The clearing organisation of the payment."""

    CUP = "CUP"
    NUCC = "NUCC"
    OTHER = "OTHER"


@message
class CustomsInfo(Message):
    """`customs`, e.g. `{"customsCode": "ZONGSHU", "region": "CN"}`."""

    customs_code: Annotated[str, Rule(min_len=1, max_len=128)]
    region: Annotated[str, Rule(min_len=2, max_len=2)]


@message
class MerchantCustomsInfo(Message):
    """The merchant's registration with customs."""

    merchant_customs_code: Annotated[str, Rule(min_len=1, max_len=128)]
    merchant_customs_name: Annotated[str, Rule(min_len=1, max_len=256)]


@message
class Certificate(Message):
    """`buyerCertificate` (ID_CARD, PASSPORT, ...)."""

    certificate_type: Annotated[str, Rule(min_len=1, max_len=32)]
    certificate_no: Annotated[str, Rule(min_len=1, max_len=64)]
    holder_name: UserName | None = None


@message
class DeclareRequest(Message):
    """declare a payment to customs; `declarationRequestId` (1 to 32 chars) is idempotent."""

    declaration_request_id: Id32
    payment_id: Id64
    declaration_amount: PositiveAmount
    customs: CustomsInfo
    merchant_customs_info: MerchantCustomsInfo
    split_order: bool
    sub_order_id: Annotated[str, Rule(min_len=1, max_len=64, aliases=("suborderId",))] | None = None
    buyer_certificate: Certificate | None = None

    def _validate(self) -> None:
        if self.split_order and self.sub_order_id is None:
            raise MessageError("subOrderId", "missing (required when splitOrder is true)")


@message
class DeclareResponse(Message):
    """declare response (`result` is the call result only)."""

    result: Result
    customs_payment_id: Str64 | None = None
    customs_order_id: Str64 | None = None
    identity_check_result: IdentityCheckResult | None = None
    clearing_channel: ClearingChannel | None = None
    clearing_transaction_id: Str64 | None = None
    customs_provider_registration_id: Str64 | None = None


@message
class InquiryDeclarationRequestsRequest(Message):
    """inquiryDeclarationRequests for 1 to 10 declaration request IDs."""

    declaration_request_ids: Annotated[tuple[Id32, ...], Rule(min_items=1, max_items=10)]


@message
class DeclarationRecord(Message):
    """One declaration as Antom has it."""

    declaration_request_id: Str32
    customs_payment_id: Str64 | None = None
    customs_order_id: Str64 | None = None
    customs: CustomsInfo | None = None
    merchant_customs_info: MerchantCustomsInfo | None = None
    declaration_amount: Money | None = None
    split_order: bool | None = None
    declaration_request_status: Str64 | None = None
    last_modified_time: dt.datetime | None = None
    customs_declaration_result_code: Str64 | None = None
    customs_declaration_result_desc: Str256 | None = None
    customs_declaration_return_time: dt.datetime | None = None


@message
class InquiryDeclarationRequestsResponse(Message):
    """inquiryDeclarationRequests response."""

    result: Result
    declaration_requests_not_found: Annotated[tuple[Str32, ...], Rule(max_items=10)] | None = None
    declaration_records: Annotated[tuple[DeclarationRecord, ...], Rule(max_items=10)] | None = None
