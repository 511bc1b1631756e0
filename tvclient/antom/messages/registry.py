"""Which request and response message each API takes, for routing and generic calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tvclient.antom.messages import authorization, customs, payment, refund
from tvclient.antom.paths import Api
from tvclient.antom.wire import Message

__all__ = ["API_MESSAGES", "ApiMessages", "request_type", "response_type"]


@dataclass(frozen=True, slots=True)
class ApiMessages:
    """The message types of one API."""

    request: type[Message]
    response: type[Message]


API_MESSAGES: Mapping[Api, ApiMessages] = MappingProxyType(
    {
        Api.CONSULT: ApiMessages(authorization.ConsultRequest, authorization.ConsultResponse),
        Api.APPLY_TOKEN: ApiMessages(
            authorization.ApplyTokenRequest, authorization.ApplyTokenResponse
        ),
        Api.REVOKE: ApiMessages(authorization.RevokeRequest, authorization.RevokeResponse),
        Api.PAY: ApiMessages(payment.PayRequest, payment.PayResponse),
        Api.INQUIRY_PAYMENT: ApiMessages(
            payment.InquiryPaymentRequest, payment.InquiryPaymentResponse
        ),
        Api.CANCEL: ApiMessages(payment.CancelRequest, payment.CancelResponse),
        Api.REFUND: ApiMessages(refund.RefundRequest, refund.RefundResponse),
        Api.INQUIRY_REFUND: ApiMessages(refund.InquiryRefundRequest, refund.InquiryRefundResponse),
        Api.DECLARE: ApiMessages(customs.DeclareRequest, customs.DeclareResponse),
        Api.INQUIRY_DECLARATION_REQUESTS: ApiMessages(
            customs.InquiryDeclarationRequestsRequest, customs.InquiryDeclarationRequestsResponse
        ),
    }
)
"""Request and response types per API."""


def request_type(api: Api) -> type[Message]:
    """The request message type of `api` (the sandbox parses bodies with it)."""
    return API_MESSAGES[api].request


def response_type(api: Api) -> type[Message]:
    """The response message type of `api`."""
    return API_MESSAGES[api].response
