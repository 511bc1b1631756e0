"""What an Antom call came to: success, failure (F), or unknown (U or a transport problem).

The three types let callers apply the S / F / U rules with a `match` instead of try/except:

    match await client.pay(request):
        case Success(response=response): ...        # resultStatus S
        case Failure(result=result): ...            # resultStatus F: act on result.result_code
        case Unknown(reason=reason): ...            # U, timeout, 5xx, bad signature...
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeAlias, TypeVar

from tvclient.antom.result import Result
from tvclient.antom.wire import Message

__all__ = ["Failure", "Outcome", "Success", "Unknown", "UnknownReason"]

R = TypeVar("R", bound=Message)


class UnknownReason(StrEnum):
    """Why the outcome of a call is unknown.

    Every reason means the same to the caller: the call may or may not have taken effect at
    Antom; retry with the same request ID and parameters, or query.
    """

    RESULT_UNKNOWN = "result_unknown"
    """Antom answered `resultStatus` U (e.g. PAYMENT_IN_PROCESS, UNKNOWN_EXCEPTION)."""
    TIMEOUT = "timeout"
    """No response within the timeout."""
    CONNECTION_ERROR = "connection_error"
    """The request could not be sent or the response not received (DNS, refused, reset...)."""
    SERVER_ERROR = "server_error"
    """HTTP 5xx."""
    HTTP_STATUS = "http_status"
    """Another HTTP status than 200 (Antom answers business errors with 200 + result)."""
    BAD_RESPONSE = "bad_response"
    """The body is not JSON, has no valid `result`, or (with S) breaks the reference."""
    BAD_SIGNATURE = "bad_signature"
    """The response signature is malformed, incomplete or does not verify."""
    UNSIGNED = "unsigned"
    """The response carries no signature and the client requires one."""


@dataclass(frozen=True, slots=True)
class Success(Generic[R]):
    """`resultStatus` S, with the typed response (for queries: the query ran)."""

    response: R

    @property
    def result(self) -> Result:
        """The response's `result`."""
        result: Result = getattr(self.response, "result")  # noqa: B009 - every response has one
        return result


@dataclass(frozen=True, slots=True)
class Failure(Generic[R]):
    """`resultStatus` F: act on `result.result_code`; do not retry expecting another answer."""

    result: Result
    response: R | None = None
    """The typed response when the body parsed as one (it may carry IDs)."""

    @property
    def code(self) -> str:
        """The result code."""
        return self.result.result_code


@dataclass(frozen=True, slots=True)
class Unknown(Generic[R]):
    """The outcome is unknown: `reason` says why, `detail` says it for people."""

    reason: UnknownReason
    detail: str
    result: Result | None = None
    """Antom's result when there was one (always with RESULT_UNKNOWN)."""
    response: R | None = None
    """The typed response when there was a valid one (RESULT_UNKNOWN)."""
    http_status: int | None = None
    """The HTTP status when a response arrived."""


Outcome: TypeAlias = Success[R] | Failure[R] | Unknown[R]
"""Any outcome of a call returning response type R."""
