"""Antom result codes: the reference's §11 table plus the codes tvclient settled on.

Each constant is a `ResultCode` with its status and a short meaning. `confirmed` is False for
codes the reference marks UNCONFIRMED (or truncated) and that tvclient uses by decision; the
sandbox answers with them and the merchant backend acts on them, so both sides agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tvclient.antom.result import Result, ResultStatus

__all__ = [
    "ACCESS_DENIED",
    "ACCESS_TOKEN_EXPIRED",
    "CANCEL_WINDOW_EXCEED",
    "CATALOGUE",
    "CLIENT_FORBIDDEN_ACCESS_API",
    "CLIENT_INVALID",
    "CURRENCY_NOT_SUPPORT",
    "EXPIRED_CODE",
    "INVALID_ACCESS_TOKEN",
    "INVALID_API",
    "INVALID_CLIENT_STATUS",
    "INVALID_CODE",
    "INVALID_REFRESH_TOKEN",
    "INVALID_SIGNATURE",
    "KEY_NOT_FOUND",
    "MEDIA_TYPE_NOT_ACCEPTABLE",
    "METHOD_NOT_SUPPORTED",
    "NO_INTERFACE_DEF",
    "OAUTH_FAILED",
    "ORDER_IS_CLOSED",
    "ORDER_NOT_EXIST",
    "ORDER_STATUS_INVALID",
    "PARAM_ILLEGAL",
    "PAYMENT_AMOUNT_EXCEED_LIMIT",
    "PAYMENT_IN_PROCESS",
    "PROCESS_FAIL",
    "REFUND_AMOUNT_EXCEED",
    "REFUND_WINDOW_EXCEED",
    "REPEAT_REQ_INCONSISTENT",
    "REQUEST_TRAFFIC_EXCEED_LIMIT",
    "RISK_REJECT",
    "SUCCESS",
    "UNKNOWN_EXCEPTION",
    "USER_AMOUNT_EXCEED_LIMIT",
    "USER_BALANCE_NOT_ENOUGH",
    "USER_STATUS_ABNORMAL",
    "ResultCode",
    "lookup",
]

_S, _F, _U = ResultStatus.SUCCESS, ResultStatus.FAILURE, ResultStatus.UNKNOWN


@dataclass(frozen=True, slots=True)
class ResultCode:
    """One result code with the status Antom pairs it with and what it means."""

    code: str
    status: ResultStatus
    meaning: str
    confirmed: bool = True
    """False when the reference marks the code UNCONFIRMED and tvclient chose to use it."""

    def result(self, message: str | None = None) -> Result:
        """A `Result` with this code and status; the message defaults to the meaning."""
        return Result(
            result_code=self.code,
            result_status=self.status,
            result_message=(message if message is not None else self.meaning)[:256],
        )


# -- Common codes (reference §11.1; confirmed on the revoke / cancel pages)
SUCCESS = ResultCode("SUCCESS", _S, "success")
ACCESS_DENIED = ResultCode("ACCESS_DENIED", _F, "access denied; contact Antom")
INVALID_SIGNATURE = ResultCode(
    "INVALID_SIGNATURE", _F, "the signature does not match the public key on file"
)
KEY_NOT_FOUND = ResultCode("KEY_NOT_FOUND", _F, "no key registered for this client / keyVersion")
NO_INTERFACE_DEF = ResultCode("NO_INTERFACE_DEF", _F, "no API at this path")
INVALID_API = ResultCode("INVALID_API", _F, "the API is invalid or not activated")
CLIENT_FORBIDDEN_ACCESS_API = ResultCode(
    "CLIENT_FORBIDDEN_ACCESS_API", _F, "the client may not use this API"
)
INVALID_CLIENT_STATUS = ResultCode("INVALID_CLIENT_STATUS", _F, "the client status is invalid")
CLIENT_INVALID = ResultCode("CLIENT_INVALID", _F, "unknown or invalid client ID")
INVALID_ACCESS_TOKEN = ResultCode(
    "INVALID_ACCESS_TOKEN", _F, "the access token is expired, revoked or unknown"
)
REPEAT_REQ_INCONSISTENT = ResultCode(
    "REPEAT_REQ_INCONSISTENT", _F, "same request ID with different key fields"
)
PAYMENT_IN_PROCESS = ResultCode("PAYMENT_IN_PROCESS", _U, "the payment is being processed")
CANCEL_WINDOW_EXCEED = ResultCode(
    "CANCEL_WINDOW_EXCEED", _F, "past the cancel window; refund instead"
)
ORDER_NOT_EXIST = ResultCode("ORDER_NOT_EXIST", _F, "no such payment")

# -- Codes the reference lists as likely but UNCONFIRMED; tvclient uses them as stated.
PARAM_ILLEGAL = ResultCode(
    "PARAM_ILLEGAL", _F, "a request field is missing or invalid", confirmed=False
)
PROCESS_FAIL = ResultCode("PROCESS_FAIL", _F, "processing failed; do not retry", confirmed=False)
UNKNOWN_EXCEPTION = ResultCode(
    "UNKNOWN_EXCEPTION", _U, "unknown error; retry with the same request", confirmed=False
)
REQUEST_TRAFFIC_EXCEED_LIMIT = ResultCode(
    "REQUEST_TRAFFIC_EXCEED_LIMIT", _U, "too many requests; retry later", confirmed=False
)
RISK_REJECT = ResultCode("RISK_REJECT", _F, "rejected by risk control", confirmed=False)
USER_BALANCE_NOT_ENOUGH = ResultCode(
    "USER_BALANCE_NOT_ENOUGH", _F, "the buyer's balance is too low", confirmed=False
)
USER_AMOUNT_EXCEED_LIMIT = ResultCode(
    "USER_AMOUNT_EXCEED_LIMIT", _F,
    "the buyer's cumulative (daily / yearly) limit would be exceeded", confirmed=False,
)
PAYMENT_AMOUNT_EXCEED_LIMIT = ResultCode(
    "PAYMENT_AMOUNT_EXCEED_LIMIT", _F,
    "the amount is outside the per-payment minimum / maximum of the wallet", confirmed=False,
)
CURRENCY_NOT_SUPPORT = ResultCode(
    "CURRENCY_NOT_SUPPORT", _F, "the wallet does not pay in this currency", confirmed=False
)
USER_STATUS_ABNORMAL = ResultCode(
    "USER_STATUS_ABNORMAL", _F, "the buyer's wallet account is restricted", confirmed=False
)
ORDER_IS_CLOSED = ResultCode(
    "ORDER_IS_CLOSED", _F, "the payment closed (expired) before it was paid", confirmed=False
)
REFUND_AMOUNT_EXCEED = ResultCode(
    "REFUND_AMOUNT_EXCEED", _F, "refunds would exceed the paid amount", confirmed=False
)
REFUND_WINDOW_EXCEED = ResultCode(
    "REFUND_WINDOW_EXCEED", _F, "past the refund period of the wallet", confirmed=False
)
MEDIA_TYPE_NOT_ACCEPTABLE = ResultCode(
    "MEDIA_TYPE_NOT_ACCEPTABLE", _F, "the body is not JSON", confirmed=False
)
METHOD_NOT_SUPPORTED = ResultCode(
    "METHOD_NOT_SUPPORTED", _F, "only POST is supported", confirmed=False
)

# -- Codes tvclient chose where the reference is silent or truncated.
ACCESS_TOKEN_EXPIRED = ResultCode(
    "ACCESS_TOKEN_EXPIRED", _F, "the access token is past accessTokenExpiryTime; refresh it",
    confirmed=False,
)
INVALID_CODE = ResultCode(
    "INVALID_CODE", _F, "the authCode is unknown or was already used", confirmed=False
)
EXPIRED_CODE = ResultCode(
    "EXPIRED_CODE", _F, "the authCode is older than one minute", confirmed=False
)
INVALID_REFRESH_TOKEN = ResultCode(
    "INVALID_REFRESH_TOKEN", _F, "the refresh token is expired, revoked or unknown",
    confirmed=False,
)
OAUTH_FAILED = ResultCode(
    "OAUTH_FAILED", _F, "the wallet refused the authorization operation", confirmed=False
)
ORDER_STATUS_INVALID = ResultCode(
    "ORDER_STATUS_INVALID", _F, "the payment is not in a state that allows this operation",
    confirmed=False,
)

CATALOGUE: Mapping[str, ResultCode] = MappingProxyType(
    {
        entry.code: entry
        for entry in (
            SUCCESS, ACCESS_DENIED, INVALID_SIGNATURE, KEY_NOT_FOUND, NO_INTERFACE_DEF,
            INVALID_API, CLIENT_FORBIDDEN_ACCESS_API, INVALID_CLIENT_STATUS, CLIENT_INVALID,
            INVALID_ACCESS_TOKEN, REPEAT_REQ_INCONSISTENT, PAYMENT_IN_PROCESS,
            CANCEL_WINDOW_EXCEED, ORDER_NOT_EXIST, PARAM_ILLEGAL, PROCESS_FAIL,
            UNKNOWN_EXCEPTION, REQUEST_TRAFFIC_EXCEED_LIMIT, RISK_REJECT,
            USER_BALANCE_NOT_ENOUGH, USER_AMOUNT_EXCEED_LIMIT, PAYMENT_AMOUNT_EXCEED_LIMIT,
            CURRENCY_NOT_SUPPORT, USER_STATUS_ABNORMAL, ORDER_IS_CLOSED, REFUND_AMOUNT_EXCEED,
            REFUND_WINDOW_EXCEED, MEDIA_TYPE_NOT_ACCEPTABLE, METHOD_NOT_SUPPORTED,
            ACCESS_TOKEN_EXPIRED, INVALID_CODE, EXPIRED_CODE, INVALID_REFRESH_TOKEN,
            OAUTH_FAILED, ORDER_STATUS_INVALID,
        )
    }
)
"""Every known code by name."""


def lookup(code: str) -> ResultCode | None:
    """The catalogue entry for a code, or None for a code tvclient does not know."""
    return CATALOGUE.get(code)
