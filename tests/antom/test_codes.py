from tvclient.antom import codes
from tvclient.antom.result import ResultStatus


def test_reference_common_codes_have_their_statuses():
    """§11.1 codes carry the status the reference gives them and are marked confirmed."""
    expected = {
        "SUCCESS": "S", "ACCESS_DENIED": "F", "INVALID_SIGNATURE": "F", "KEY_NOT_FOUND": "F",
        "NO_INTERFACE_DEF": "F", "INVALID_API": "F", "CLIENT_FORBIDDEN_ACCESS_API": "F",
        "INVALID_CLIENT_STATUS": "F", "CLIENT_INVALID": "F", "INVALID_ACCESS_TOKEN": "F",
        "REPEAT_REQ_INCONSISTENT": "F", "PAYMENT_IN_PROCESS": "U", "CANCEL_WINDOW_EXCEED": "F",
        "ORDER_NOT_EXIST": "F",
    }
    for code, status in expected.items():
        entry = codes.lookup(code)
        assert entry is not None
        assert entry.status == status
        assert entry.confirmed


def test_unconfirmed_codes_are_marked_and_retryable_ones_are_u():
    """Codes chosen by tvclient are marked unconfirmed; retry-worthy ones are U."""
    assert not codes.PARAM_ILLEGAL.confirmed
    assert not codes.INVALID_CODE.confirmed
    assert codes.UNKNOWN_EXCEPTION.status is ResultStatus.UNKNOWN
    assert codes.REQUEST_TRAFFIC_EXCEED_LIMIT.status is ResultStatus.UNKNOWN
    assert all(entry.code == name for name, entry in codes.CATALOGUE.items())
    assert codes.lookup("NOT_A_CODE") is None


def test_every_code_constant_is_in_the_catalogue():
    """Each public constant is catalogued, so lookups find every code the sandbox may send."""
    constants = [getattr(codes, name) for name in codes.__all__ if name.isupper()]
    entries = [value for value in constants if isinstance(value, codes.ResultCode)]
    assert {entry.code for entry in entries} == set(codes.CATALOGUE)


def test_result_builds_a_result_object():
    """A code builds its Result, with its meaning as default message."""
    result = codes.PAYMENT_IN_PROCESS.result()
    assert result.to_json() == {
        "resultCode": "PAYMENT_IN_PROCESS",
        "resultStatus": "U",
        "resultMessage": "the payment is being processed",
    }
    assert codes.PARAM_ILLEGAL.result("x" * 300).result_message == "x" * 256
