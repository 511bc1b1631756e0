import json
from typing import Any

import pytest

from tests.antom.samples import OK, SAMPLES
from tvclient.antom import messages as m
from tvclient.antom.errors import MessageError
from tvclient.antom.paths import Api
from tvclient.antom.result import Result
from tvclient.antom.wire import Message
from tvclient.money import Money

FAILED = {"resultCode": "ORDER_NOT_EXIST", "resultStatus": "F", "resultMessage": "no"}


def _copy(obj: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(obj))
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _all_message_types() -> set[type[Message]]:
    found = set()
    for name in m.__all__:
        obj = getattr(m, name)
        if isinstance(obj, type) and issubclass(obj, Message):
            found.add(obj)
    return found


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda cls: cls.__name__)
def test_every_message_round_trips(cls):
    """Each message parses a full valid body and writes back exactly the same JSON."""
    parsed = cls.from_json(SAMPLES[cls])
    assert parsed.to_json() == SAMPLES[cls]
    assert cls.from_bytes(parsed.to_bytes()) == parsed


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda cls: cls.__name__)
def test_every_message_accepts_its_minimal_form(cls):
    """Each message parses with only its required fields (nested objects kept minimal too)."""
    parsed = cls.from_json(SAMPLES[cls])
    required = {f.wire for f in cls._schema if f.required}
    minimal = {k: v for k, v in SAMPLES[cls].items() if k in required}
    for name, value in _CONDITIONAL.get(cls, {}).items():
        minimal[name] = value
    again = cls.from_json(minimal)
    assert again.to_json() == minimal
    assert type(again) is type(parsed)


_CONDITIONAL: dict[type[Message], dict[str, Any]] = {
    m.ConsultRequest: {"terminalType": "WEB"},
    m.ApplyTokenRequest: {"authCode": "ac-secret-1"},
    m.ApplyTokenResponse: {"accessToken": "at-secret-1"},
    m.AuthorizationNotification: {"authCode": "ac-secret-1", "authState": "st-0001"},
    m.PayRequest: {},
    m.InquiryPaymentRequest: {"paymentId": "p-1"},
    m.InquiryPaymentResponse: {"paymentStatus": "PROCESSING"},
    m.CancelRequest: {"paymentRequestId": "pr-1"},
    m.RefundResponse: {"refundId": "r-1"},
    m.InquiryRefundRequest: {"refundId": "r-1"},
    m.InquiryRefundResponse: {"refundStatus": "PROCESSING"},
    m.DeclareRequest: {"subOrderId": "sub-0001"},
}


def _reachable(obj: object) -> set[type[Message]]:
    if isinstance(obj, tuple):
        return set().union(*(_reachable(item) for item in obj)) if obj else set()
    if not isinstance(obj, Message):
        return set()
    found = {type(obj)}
    for field in obj._schema:
        found |= _reachable(getattr(obj, field.name))
    return found


def test_samples_cover_every_message_type():
    """Every API message and notification has a sample, and every nested type occurs in one."""
    top = {t for api in m.API_MESSAGES.values() for t in (api.request, api.response)}
    top |= {m.AuthorizationNotification, m.PaymentNotification, m.RefundNotification}
    assert top <= set(SAMPLES)
    reached = set().union(*(_reachable(cls.from_json(obj)) for cls, obj in SAMPLES.items()))
    assert _all_message_types() <= reached


def test_registry_maps_every_api_to_its_messages():
    """Each API has a request and response type, usable for routing in the sandbox."""
    assert set(m.API_MESSAGES) == set(Api)
    assert m.request_type(Api.PAY) is m.PayRequest
    assert m.response_type(Api.INQUIRY_REFUND) is m.InquiryRefundResponse
    for api in Api:
        assert m.request_type(api).__name__.endswith("Request")
        assert m.response_type(api).__name__.endswith("Response")


def test_reference_consult_example_parses():
    """The reference §3.2 consult body and §7.1 response example parse."""
    body = (
        b'{"customerBelongsTo":"ALIPAY_HK","authRedirectUrl":"https://merchant.example/auth/'
        b'return","scopes":["AGREEMENT_PAY"],"authState":"st-0001","terminalType":"WEB"}'
    )
    consult = m.ConsultRequest.from_bytes(body)
    assert consult.to_bytes() == body
    response = m.ConsultResponse.from_json(SAMPLES[m.ConsultResponse])
    assert response.auth_code_form is not None
    assert response.auth_code_form.text() == "https://qr.example/AUTH-1"
    images_only = m.AuthCodeForm.from_json(
        {"codeDetails": [{"codeValueType": "QRCODE", "displayType": "IMAGE", "codeValue": "u"}]}
    )
    assert images_only.text() is None


def test_consult_needs_a_terminal_type_somewhere():
    """Consult needs terminalType or env.terminalType (UNCONFIRMED which; one suffices)."""
    base = _copy(SAMPLES[m.ConsultRequest], terminalType=..., env=...)
    with pytest.raises(MessageError, match=r"^terminalType: missing"):
        m.ConsultRequest.from_json(base)
    assert m.ConsultRequest.from_json(_copy(base, env={"terminalType": "WEB"})).env is not None
    with pytest.raises(MessageError, match=r"^scopes: must not be empty"):
        m.ConsultRequest.from_json(_copy(SAMPLES[m.ConsultRequest], scopes=[]))
    with pytest.raises(MessageError, match=r"^scopes\[0\]: must be one of AGREEMENT_PAY"):
        m.ConsultRequest.from_json(_copy(SAMPLES[m.ConsultRequest], scopes=["AGREEEMENT_PAY"]))


def test_apply_token_needs_the_credential_of_its_grant_type():
    """AUTHORIZATION_CODE needs authCode; REFRESH_TOKEN needs refreshToken."""
    code = _copy(SAMPLES[m.ApplyTokenRequest], authCode=...)
    with pytest.raises(MessageError, match=r"^authCode: missing"):
        m.ApplyTokenRequest.from_json(code)
    refresh = _copy(code, grantType="REFRESH_TOKEN")
    with pytest.raises(MessageError, match=r"^refreshToken: missing"):
        m.ApplyTokenRequest.from_json(refresh)
    parsed = m.ApplyTokenRequest.from_json(_copy(refresh, refreshToken="rt-1"))
    assert parsed.grant_type is m.GrantType.REFRESH_TOKEN
    with pytest.raises(MessageError, match=r"^authCode: must be at most 128"):
        m.ApplyTokenRequest.from_json(_copy(code, authCode="a" * 129))


def test_success_responses_must_carry_their_key_fields():
    """On S: applyToken has accessToken, inquiries a status, refund a refundId; F needs none."""
    cases: list[tuple[type[Message], str]] = [
        (m.ApplyTokenResponse, "accessToken"),
        (m.InquiryPaymentResponse, "paymentStatus"),
        (m.InquiryRefundResponse, "refundStatus"),
        (m.RefundResponse, "refundId"),
    ]
    for cls, name in cases:
        with pytest.raises(MessageError, match=f"^{name}: missing"):
            cls.from_json({"result": OK})
        failed = cls.from_json({"result": FAILED})
        assert failed.to_json()["result"] == FAILED


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (m.InquiryPaymentRequest, "paymentRequestId"),
        (m.CancelRequest, "paymentId"),
        (m.InquiryRefundRequest, "refundRequestId"),
    ],
)
def test_inquiries_need_one_of_their_two_ids(cls, name):
    """inquiryPayment, cancel and inquiryRefund need one of their two identifiers."""
    with pytest.raises(MessageError, match=f"^{name}: missing"):
        cls.from_json({"merchantAccountId": "a"})


def test_agreement_payment_needs_the_access_token():
    """Pay with AGREEMENT_PAYMENT needs paymentMethod.paymentMethodId; other products don't."""
    no_token = json.loads(json.dumps(SAMPLES[m.PayRequest]))
    del no_token["paymentMethod"]["paymentMethodId"]
    with pytest.raises(MessageError, match=r"^paymentMethod\.paymentMethodId: missing"):
        m.PayRequest.from_json(no_token)
    no_token["productCode"] = "CASHIER_PAYMENT"
    assert m.PayRequest.from_json(no_token).payment_method.payment_method_id is None


def test_pay_amounts_are_money():
    """Amounts become Money in minor units; IDR must end in 00."""
    pay = m.PayRequest.from_json(SAMPLES[m.PayRequest])
    assert pay.payment_amount == Money(5000, "HKD")
    assert pay.order.order_amount == Money(5000, "HKD")
    dana = _copy(SAMPLES[m.PayRequest], paymentAmount={"currency": "IDR", "value": "3000000"})
    assert m.PayRequest.from_json(dana).payment_amount == Money(3_000_000, "IDR")


def test_payment_status_finality():
    """SUCCESS, FAIL and CANCELLED are final; PROCESSING and PENDING are not."""
    final = {status for status in m.PaymentStatus if status.final}
    assert final == {m.PaymentStatus.SUCCESS, m.PaymentStatus.FAIL, m.PaymentStatus.CANCELLED}


def test_declare_split_order_needs_a_sub_order_id_under_either_spelling():
    """splitOrder=true needs subOrderId; `suborderId` (Python SDK spelling) is read too."""
    no_sub = _copy(SAMPLES[m.DeclareRequest], subOrderId=...)
    with pytest.raises(MessageError, match=r"^subOrderId: missing"):
        m.DeclareRequest.from_json(no_sub)
    python_sdk = _copy(no_sub, suborderId="sub-9")
    parsed = m.DeclareRequest.from_json(python_sdk)
    assert parsed.sub_order_id == "sub-9"
    assert parsed.to_json()["subOrderId"] == "sub-9"
    assert "suborderId" not in parsed.to_json()
    whole = _copy(no_sub, splitOrder="false")
    assert m.DeclareRequest.from_json(whole).sub_order_id is None
    with pytest.raises(MessageError, match=r"^declarationRequestId: must be at most 32"):
        m.DeclareRequest.from_json(_copy(SAMPLES[m.DeclareRequest], declarationRequestId="d" * 33))


def test_declaration_inquiry_takes_one_to_ten_ids():
    """The declaration inquiry takes between 1 and 10 IDs."""
    with pytest.raises(MessageError, match="must not be empty"):
        m.InquiryDeclarationRequestsRequest.from_json({"declarationRequestIds": []})
    with pytest.raises(MessageError, match="at most 10 items"):
        m.InquiryDeclarationRequestsRequest.from_json(
            {"declarationRequestIds": [f"d{i}" for i in range(11)]}
        )


def test_authorization_notification_conditions():
    """AUTHCODE_CREATED needs authCode and authState; TOKEN_CANCELED needs accessToken."""
    sample = SAMPLES[m.AuthorizationNotification]
    with pytest.raises(MessageError, match=r"^authCode: missing"):
        m.AuthorizationNotification.from_json(_copy(sample, authCode=...))
    with pytest.raises(MessageError, match=r"^authState: missing"):
        m.AuthorizationNotification.from_json(_copy(sample, authState=...))
    canceled = {
        "authorizationNotifyType": "TOKEN_CANCELED",
        "accessToken": "28100103_20215703001538122119",
        "result": {"resultCode": "SUCCESS", "resultMessage": "success", "resultStatus": "S"},
    }
    parsed = m.AuthorizationNotification.from_json(canceled)
    assert parsed.access_token == "28100103_20215703001538122119"
    with pytest.raises(MessageError, match=r"^accessToken: missing"):
        m.AuthorizationNotification.from_json(_copy(canceled, accessToken=...))


def test_result_inside_messages_is_validated():
    """A bad result object is reported at `result.<field>`."""
    with pytest.raises(MessageError, match=r"^result\.resultStatus: must be one of S, F, U"):
        m.RevokeResponse.from_json({"result": {"resultCode": "X", "resultStatus": "OK"}})
    with pytest.raises(MessageError, match=r"^result: missing"):
        m.RevokeResponse.from_json({})
    result = m.RevokeResponse.from_json({"result": {"resultCode": "X", "resultStatus": "U"}})
    assert result.result == Result.from_json({"resultCode": "X", "resultStatus": "U"})
