import json

import pytest

from tvclient.antom.errors import MessageError
from tvclient.antom.result import (
    NOTIFICATION_SUCCESS_BODY,
    Result,
    ResultStatus,
    is_notification_success_reply,
)


def test_result_reads_and_writes_the_three_fields():
    """Result carries code, status and message; S means succeeded."""
    result = Result.from_json({"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "ok"})
    assert result.succeeded
    assert result.result_status is ResultStatus.SUCCESS
    assert result.to_json() == {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "ok"}
    unknown = Result.from_json({"resultCode": "PAYMENT_IN_PROCESS", "resultStatus": "U"})
    assert not unknown.succeeded
    assert unknown.result_message is None


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        ({"resultStatus": "S"}, "resultCode"),
        ({"resultCode": "C" * 65, "resultStatus": "S"}, "resultCode"),
        ({"resultCode": "C", "resultStatus": "s"}, "resultStatus"),
        ({"resultCode": "C", "resultStatus": "S", "resultMessage": "m" * 257}, "resultMessage"),
    ],
)
def test_result_limits(obj, path):
    """The result limits: code ≤ 64 characters, status S/F/U, message ≤ 256 characters."""
    with pytest.raises(MessageError) as caught:
        Result.from_json(obj)
    assert caught.value.path == path


def test_notification_success_body_is_the_fixed_reply():
    """The reply body is exactly the §10.1 JSON and is recognised as success."""
    assert json.loads(NOTIFICATION_SUCCESS_BODY) == {
        "result": {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"}
    }
    assert is_notification_success_reply(NOTIFICATION_SUCCESS_BODY)
    spaced = b'{ "result" : {"resultStatus":"S", "resultCode":"SUCCESS", "resultMessage":"ok"} }'
    assert is_notification_success_reply(spaced)


@pytest.mark.parametrize(
    "body",
    [b"", b"OK", b"[]", b'{"result":"SUCCESS"}', b"\xff",
     b'{"result":{"resultCode":"SUCCESS","resultStatus":"F"}}',
     b'{"result":{"resultCode":"FAIL","resultStatus":"S"}}'],
)
def test_other_replies_are_not_success(body):
    """Any other reply counts as not received (Antom re-sends)."""
    assert not is_notification_success_reply(body)
