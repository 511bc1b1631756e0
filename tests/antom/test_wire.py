import contextlib
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.antom.samples import SAMPLES
from tvclient.antom import messages as m
from tvclient.antom.errors import MessageError
from tvclient.antom.result import Result, ResultStatus
from tvclient.money import Money

PAY = SAMPLES[m.PayRequest]


def _with(sample: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `sample` with the dotted `path` set to `value` (`...` deletes it)."""
    data: dict[str, Any] = json.loads(json.dumps(sample))  # no shared sub-objects
    node: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


def _error(cls: Any, obj: Any) -> MessageError:
    with pytest.raises(MessageError) as caught:
        cls.from_json(obj)
    return caught.value


@pytest.mark.parametrize(
    ("path", "value", "where", "problem"),
    [
        ("paymentRequestId", ..., "paymentRequestId", "missing"),
        ("paymentRequestId", None, "paymentRequestId", "missing"),
        ("order.orderDescription", ..., "order.orderDescription", "missing"),
        ("paymentRequestId", 12, "paymentRequestId", "must be a string"),
        ("paymentRequestId", "x" * 65, "paymentRequestId", "at most 64 characters (got 65)"),
        ("paymentRequestId", "", "paymentRequestId", "must not be empty"),
        ("order.orderDescription", "d" * 257, "order.orderDescription", "at most 256"),
        ("productCode", "CARD_PAYMENT", "productCode", "must be one of AGREEMENT_PAYMENT"),
        ("paymentAmount.value", 5000, "paymentAmount.value", "must be a string of digits"),
        ("paymentAmount.value", "-5", "paymentAmount.value", "must be a string of digits"),
        ("paymentAmount.value", "1.5", "paymentAmount.value", "must be a string of digits"),
        ("paymentAmount.value", "0", "paymentAmount.value", "more than zero"),
        ("paymentAmount.value", "1" * 17, "paymentAmount.value", "longer than 16"),
        ("paymentAmount.value", ..., "paymentAmount.value", "missing"),
        ("paymentAmount.currency", "XXX", "paymentAmount.currency", "unknown currency"),
        ("paymentAmount.currency", "hkdollar", "paymentAmount.currency", "3-letter"),
        ("paymentAmount.currency", ..., "paymentAmount.currency", "missing"),
        ("paymentAmount", "5000", "paymentAmount", "object with currency and value"),
        ("paymentAmount", {"currency": "IDR", "value": "30050"}, "paymentAmount.value", "00"),
        ("order", [], "order", "must be a JSON object"),
        ("paymentExpiryTime", "2026-03-02T12:01:00", "paymentExpiryTime", "UTC offset"),
        ("paymentExpiryTime", "tomorrow", "paymentExpiryTime", "ISO 8601"),
        ("paymentExpiryTime", 1700000000, "paymentExpiryTime", "ISO 8601"),
        ("paymentNotifyUrl", "ftp://x.example/n", "paymentNotifyUrl", "http(s) URL"),
        ("paymentNotifyUrl", "/notify", "paymentNotifyUrl", "http(s) URL"),
        ("isAuthorization", "yes", "isAuthorization", '"true" or "false"'),
        ("order.goods.0.goodsQuantity", "one", "order.goods[0].goodsQuantity", "whole number"),
        ("order.goods.0.goodsQuantity", True, "order.goods[0].goodsQuantity", "whole number"),
        ("order.goods.0.deliveryMethodType", "DRONE", "order.goods[0].deliveryMethodType",
         "PHYSICAL, DIGITAL"),
        ("order.goods", {"a": 1}, "order.goods", "must be a list"),
        ("order.goods", [PAY["order"]["goods"][0]] * 101, "order.goods", "at most 100 items"),
        ("order.env.timeZoneOffset", "721", "order.env.timeZoneOffset", "at most 720"),
        ("order.env.timeZoneOffset", -721, "order.env.timeZoneOffset", "at least -720"),
        ("order.buyer.buyerName.lastName", "n" * 33, "order.buyer.buyerName.lastName", "32"),
        ("paymentMethod.paymentMethodType", "\ud800", "paymentMethod.paymentMethodType",
         "valid Unicode"),
    ],
)
def test_validation_errors_name_the_field_path(path, value, where, problem):
    """Each kind of bad field raises MessageError whose path and problem say what is wrong."""
    error = _error(m.PayRequest, _with(PAY, path, value))
    assert error.path == where
    assert problem in error.problem
    assert str(error).startswith(f"{where}: ")


def test_errors_in_list_items_carry_the_index():
    """Errors inside arrays name the item: `authCodeForm.codeDetails[1].displayType`."""
    sample = _with(SAMPLES[m.ConsultResponse], "authCodeForm.codeDetails.1.displayType", "HUGE")
    assert _error(m.ConsultResponse, sample).path == "authCodeForm.codeDetails[1].displayType"
    bad_ids = {"declarationRequestIds": ["ok", "x" * 33]}
    assert _error(m.InquiryDeclarationRequestsRequest, bad_ids).path == (
        "declarationRequestIds[1]"
    )


def test_sdk_style_booleans_and_numbers_are_accepted():
    """Booleans and integers sent as JSON booleans / numbers (Go, Python SDKs) are accepted."""
    consult = m.ConsultRequest.from_json(
        _with(SAMPLES[m.ConsultRequest], "recurringPayment", True)
    )
    assert consult.recurring_payment is True
    declare = m.DeclareRequest.from_json(_with(SAMPLES[m.DeclareRequest], "splitOrder", False))
    assert declare.split_order is False
    pay = m.PayRequest.from_json(_with(PAY, "order.env.screenHeight", 2160))
    assert pay.order.env is not None
    assert pay.order.env.screen_height == 2160
    quote = m.PayResponse.from_json(
        _with(SAMPLES[m.PayResponse], "settlementQuote.quotePrice", 0.5)
    )
    assert quote.settlement_quote is not None
    assert quote.settlement_quote.quote_price == Decimal("0.5")
    assert m.PayRequest.from_json(_with(PAY, "isAuthorization", "TRUE")).is_authorization is True


def test_scalars_are_written_as_strings():
    """Booleans and numbers are written as JSON strings (reference §2.4)."""
    consult = m.ConsultRequest.from_json(
        _with(SAMPLES[m.ConsultRequest], "recurringPayment", True)
    )
    assert consult.to_json()["recurringPayment"] == "true"
    pay = m.PayRequest.from_json(_with(PAY, "order.env.screenHeight", 2160))
    assert pay.to_json()["order"]["env"]["screenHeight"] == "2160"


def test_unknown_fields_are_ignored_and_absent_fields_omitted():
    """Extra fields (future Antom versions) are ignored; optional fields left out stay out."""
    obj = {
        "result": {**SAMPLES[Result], "extra": {"deep": [1, 2]}},
        "somethingNew": {"x": 1},
        "extendInfo": None,
    }
    response = m.RevokeResponse.from_json(obj)
    assert response.extend_info is None
    assert response.to_json() == {"result": SAMPLES[Result]}


def test_invalid_decimal_and_non_finite_numbers_are_refused():
    """Quote prices must be finite decimals."""
    for bad in ("NaN", "Infinity", "1,5", True, [1]):
        sample = _with(SAMPLES[m.PayResponse], "settlementQuote.quotePrice", bad)
        assert _error(m.PayResponse, sample).path == "settlementQuote.quotePrice"


def test_times_parse_with_any_offset_form_and_keep_the_offset():
    """ISO 8601 times keep their offset; `Z` and `+0800` forms are read too."""
    for text, offset in [("2026-03-02T12:00:00+08:00", 8), ("2026-03-02T04:00:00Z", 0),
                         ("2026-03-02T12:00:00+0800", 8)]:
        sample = _with(SAMPLES[m.CancelResponse], "cancelTime", text)
        cancel_time = m.CancelResponse.from_json(sample).cancel_time
        assert cancel_time is not None
        assert cancel_time.utcoffset() == dt.timedelta(hours=offset)
        assert cancel_time == dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)


def test_messages_built_in_python_are_validated_too():
    """Building a message in code runs the same checks as parsing."""
    with pytest.raises(MessageError, match="resultCode: must be at most 64"):
        Result(result_code="X" * 65, result_status=ResultStatus.FAILURE)
    with pytest.raises(MessageError, match=r"refundAmount\.value: must be more than zero"):
        m.RefundRequest(
            refund_request_id="r", payment_id="p", refund_amount=Money(0, "HKD")
        )
    with pytest.raises(MessageError, match="accessTokenExpiryTime: must have a UTC offset"):
        m.ApplyTokenResponse(
            result=Result(result_code="SUCCESS", result_status=ResultStatus.SUCCESS),
            access_token="t",
            access_token_expiry_time=dt.datetime(2026, 1, 1),  # noqa: DTZ001
        )
    with pytest.raises(MessageError, match=r"scopes: must have at most 4 items"):
        m.ConsultRequest(
            customer_belongs_to="DANA",
            auth_redirect_url="https://m.example/r",
            scopes=(m.ScopeType.AGREEMENT_PAY,) * 5,
            auth_state="s",
            terminal_type=m.TerminalType.WEB,
        )


def test_repr_hides_tokens_and_auth_codes():
    """Tokens and auth codes never appear in a message's repr (and so in logs)."""
    for cls in (m.ApplyTokenRequest, m.ApplyTokenResponse, m.RevokeRequest, m.PayRequest,
                m.AuthorizationNotification):
        text = repr(cls.from_json(SAMPLES[cls]))
        assert "secret" not in text
        assert "<redacted>" in text


def test_bytes_round_trip_is_compact_utf8():
    """`to_bytes` is compact UTF-8 JSON (what the client signs) and `from_bytes` reads it."""
    pay = m.PayRequest.from_json(_with(PAY, "order.orderDescription", "月票"))
    body = pay.to_bytes()
    assert b": " not in body
    assert "月票".encode() in body
    assert m.PayRequest.from_bytes(body) == pay


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"[]", b"null", b"[" * 100000])
def test_from_bytes_refuses_non_objects_with_message_error(body):
    """Bodies that are not JSON objects raise MessageError (never another exception)."""
    with pytest.raises(MessageError):
        m.RevokeResponse.from_bytes(body)


# ---------------------------------------------------------------------------- properties
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
_CLASSES = list(SAMPLES)


@settings(max_examples=300, deadline=None)
@given(cls=st.sampled_from(_CLASSES), obj=_JSON)
def test_random_json_raises_only_message_error(cls, obj):
    """Any JSON value parses or raises MessageError; nothing else escapes."""
    with contextlib.suppress(MessageError):
        cls.from_json(obj)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            found += _paths(value, (*prefix, index))
    return found


@settings(max_examples=400, deadline=None)
@given(data=st.data(), cls=st.sampled_from(_CLASSES), replacement=_JSON)
def test_corrupted_valid_messages_raise_only_message_error(data, cls, replacement):
    """A valid message with any one subtree replaced parses or raises MessageError."""
    sample = json.loads(json.dumps(SAMPLES[cls]))
    path = data.draw(st.sampled_from(_paths(sample)))
    node: Any = sample
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = replacement
    try:
        parsed = cls.from_json(sample)
    except MessageError:
        return
    assert type(parsed).from_json(json.loads(parsed.to_bytes())) == parsed
