import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.antom.samples import SAMPLES
from tvclient.antom import messages as m
from tvclient.antom.errors import InvalidSignatureError, MessageError, MissingHeaderError
from tvclient.antom.keys import RSAPrivateKey
from tvclient.antom.notifications import NotificationVerifier, parse_notification
from tvclient.antom.signing import request_headers

PATH = "/antom/notify"
CLIENT = "SANDBOX_5YEXAMPLE00000"


def _signed(
    key: RSAPrivateKey, body: bytes, *, path: str = PATH, client: str = CLIENT
) -> dict[str, str]:
    headers = request_headers(
        key, method="POST", path=path, client_id=client, time="2026-03-02T12:00:00+08:00",
        body=body,
    )
    return {name.lower(): value for name, value in headers.items()}


@pytest.mark.parametrize(
    "cls", [m.AuthorizationNotification, m.PaymentNotification, m.RefundNotification]
)
def test_verifier_dispatches_on_the_body(cls, antom_key, antom_public_key):
    """One entry point verifies and returns the right typed notification for each kind."""
    body = json.dumps(SAMPLES[cls]).encode()
    verifier = NotificationVerifier(antom_public_key, client_id=CLIENT)
    notification = verifier.verify("POST", PATH, _signed(antom_key, body), body)
    assert type(notification) is cls
    assert notification == cls.from_json(SAMPLES[cls])


def test_pending_payment_notification_is_a_payment_notification():
    """PAYMENT_PENDING bodies parse as payment notifications."""
    pending = {**SAMPLES[m.PaymentNotification], "notifyType": "PAYMENT_PENDING"}
    parsed = parse_notification(pending)
    assert isinstance(parsed, m.PaymentNotification)
    assert parsed.notify_type is m.PaymentNotifyType.PAYMENT_PENDING


def test_signature_is_checked_before_the_body(antom_key, merchant_key, antom_public_key):
    """Tampered bodies, other paths, other keys and other clients are refused."""
    body = json.dumps(SAMPLES[m.PaymentNotification]).encode()
    verifier = NotificationVerifier(antom_public_key, client_id=CLIENT)
    headers = _signed(antom_key, body)
    with pytest.raises(InvalidSignatureError):
        verifier.verify("POST", PATH, headers, body.replace(b"5000", b"9000"))
    with pytest.raises(InvalidSignatureError):
        verifier.verify("POST", "/other", headers, body)
    with pytest.raises(InvalidSignatureError):
        verifier.verify("POST", PATH, _signed(merchant_key, body), body)
    with pytest.raises(InvalidSignatureError, match="not 'SANDBOX_5YEXAMPLE00000'"):
        verifier.verify("POST", PATH, _signed(antom_key, body, client="SANDBOX_OTHER"), body)
    with pytest.raises(MissingHeaderError):
        verifier.verify("POST", PATH, {}, body)
    any_client = NotificationVerifier(antom_public_key)
    accepted = any_client.verify("POST", PATH, _signed(antom_key, body, client="X"), body)
    assert isinstance(accepted, m.PaymentNotification)


def test_signed_garbage_is_a_message_error(antom_key, antom_public_key):
    """A correctly signed body that is no notification raises MessageError."""
    verifier = NotificationVerifier(antom_public_key)
    for body in (b"not json", b"[]", b'{"notifyType":"SOMETHING"}', b'{"result":{}}'):
        with pytest.raises(MessageError):
            verifier.verify("POST", PATH, _signed(antom_key, body), body)


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        ({}, "notifyType"),
        ({"notifyType": "CAPTURE_RESULT"}, "notifyType"),
        ({"notifyType": 5}, "notifyType"),
        ({"notifyType": "REFUND_RESULT"}, "result"),
        ({"authorizationNotifyType": "TOKEN_GONE"}, "authorizationNotifyType"),
    ],
)
def test_parse_errors_name_the_field(obj, path):
    """Unknown or incomplete notifications name the field at fault."""
    with pytest.raises(MessageError) as caught:
        parse_notification(obj)
    assert caught.value.path == path


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.sampled_from(["PAYMENT_RESULT", "PAYMENT_PENDING", "REFUND_RESULT", "TOKEN_CANCELED"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(
        st.sampled_from(["notifyType", "authorizationNotifyType", "result", "accessToken", "x"]),
        children,
        max_size=4,
    ),
    max_leaves=12,
)


@settings(max_examples=200)
@given(_JSON)
def test_random_notification_bodies_raise_only_message_error(obj):
    """Any JSON value parses as a notification or raises MessageError."""
    with contextlib.suppress(MessageError):
        parse_notification(obj)
