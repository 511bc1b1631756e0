"""The `result` object every Antom response and notification carries, and the fixed reply."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

from tvclient.antom.wire import Message, Rule, message

__all__ = [
    "NOTIFICATION_SUCCESS_BODY",
    "Result",
    "ResultStatus",
    "is_notification_success_reply",
]


class ResultStatus(StrEnum):
    """`resultStatus`: what the call did (reference §2.5)."""

    SUCCESS = "S"
    """The call succeeded (for queries: the query ran; the business state is elsewhere)."""
    FAILURE = "F"
    """The call failed; act on `resultCode`, do not blindly retry."""
    UNKNOWN = "U"
    """The outcome is unknown; retry with the same request ID and parameters, or query."""


@message
class Result(Message):
    """`result = {resultCode: String(64), resultStatus: S|F|U, resultMessage: String(256)}`."""

    result_code: Annotated[str, Rule(min_len=1, max_len=64)]
    result_status: ResultStatus
    result_message: Annotated[str, Rule(max_len=256)] | None = None

    @property
    def succeeded(self) -> bool:
        """Whether `resultStatus` is S."""
        return self.result_status is ResultStatus.SUCCESS


# The body a merchant answers every notification with (reference §10.1); no signature needed.
NOTIFICATION_SUCCESS_BODY: bytes = (
    b'{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}'
)


def is_notification_success_reply(body: bytes) -> bool:
    """Whether a merchant's reply to a notification is the fixed success reply.

    The sandbox uses this to decide whether to re-send. It requires a JSON object whose
    `result` has `resultCode` SUCCESS and `resultStatus` S; the message text is not compared.
    """
    try:
        obj = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    if not isinstance(obj, dict):
        return False
    result = obj.get("result")
    return (
        isinstance(result, dict)
        and result.get("resultCode") == "SUCCESS"
        and result.get("resultStatus") == "S"
    )
