import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.antom.conftest import load_vectors
from tests.antom.sdk_recipe import java_url_encode, sdk_sign, sdk_verify
from tvclient.antom.errors import InvalidSignatureError, MissingHeaderError
from tvclient.antom.keys import generate_private_key
from tvclient.antom.signing import (
    SignedParts,
    read_request_headers,
    request_headers,
    response_headers,
    signature_header,
    string_to_sign,
    verify,
    verify_notification,
    verify_request,
    verify_response,
)

VECTORS = load_vectors()
PATH = "/ams/sandbox/api/v1/payments/pay"
CLIENT = "SANDBOX_5YEXAMPLE00000"
TIME = "1700000000000"
BODY = b'{"paymentRequestId":"p-1","paymentAmount":{"currency":"HKD","value":"100"}}'


def test_string_to_sign_has_one_space_one_newline_two_dots():
    """The signed string is `METHOD path`, LF, `client.time.body`, with nothing trailing."""
    assert string_to_sign("POST", "/p", "C", "T", b"{}") == b"POST /p\nC.T.{}"
    assert string_to_sign("POST", "/p", "C", "T", "月".encode()) == "POST /p\nC.T.月".encode()


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_fixed_vectors_match_ours_and_the_sdk_recipe(vector, merchant_key, antom_key):
    """Fixed keys give the stored signatures, with our signer and the independent SDK recipe."""
    key = merchant_key if vector["signer"] == "merchant" else antom_key
    args = (vector["method"], vector["path"], vector["client_id"], vector["time"])
    ours = signature_header(
        key,
        method=vector["method"],
        path=vector["path"],
        client_id=vector["client_id"],
        time=vector["time"],
        body=vector["body"].encode(),
    )
    assert ours == vector["signature_header"]
    assert sdk_sign(key, *args, vector["body"]) == vector["signature_header"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_fixed_vectors_use_java_url_encoding(vector, merchant_key, antom_key):
    """The encoded signature equals Java URLEncoder's encoding of the base64 (SDK-J interop)."""
    key = merchant_key if vector["signer"] == "merchant" else antom_key
    content = string_to_sign(vector["method"], vector["path"], vector["client_id"],
                             vector["time"], vector["body"].encode())
    raw = key.sign(content, padding.PKCS1v15(), hashes.SHA256())
    encoded = vector["signature_header"].split("signature=")[1]
    assert len(base64.b64encode(raw)) == 344  # 2048-bit key, reference §3.2 step 4
    assert encoded == java_url_encode(base64.b64encode(raw).decode())


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_fixed_vectors_verify_with_our_verifier(vector, merchant_public_key, antom_public_key):
    """Every stored vector verifies with the signer's public key and fails with the other."""
    right, wrong = (
        (merchant_public_key, antom_public_key)
        if vector["signer"] == "merchant"
        else (antom_public_key, merchant_public_key)
    )
    headers = {
        "client-id": vector["client_id"],
        "request-time": vector["time"],
        "signature": vector["signature_header"],
    }
    body = vector["body"].encode()
    parts = verify_request(right, vector["method"], vector["path"], headers, body)
    assert parts.client_id == vector["client_id"]
    assert parts.time == vector["time"]
    assert parts.signature.key_version == 1
    with pytest.raises(InvalidSignatureError):
        verify_request(wrong, vector["method"], vector["path"], headers, body)


def test_sdk_signed_request_verifies_with_us(merchant_key, merchant_public_key):
    """A request signed by the SDK recipe (ISO time, spaced header) verifies here."""
    time = "2024-05-01T08:00:00+00:00"
    header = sdk_sign(merchant_key, "POST", PATH, CLIENT, time, BODY.decode())
    spaced = header.replace(",", ", ")
    headers = {"Client-Id": CLIENT, "Request-Time": time, "Signature": spaced}
    assert verify_request(merchant_public_key, "POST", PATH, headers, BODY).time == time


def test_our_signed_messages_verify_with_the_sdk_recipe(merchant_key, merchant_public_key):
    """Requests and responses we sign are accepted by the SDK recipe."""
    req = request_headers(
        merchant_key, method="POST", path=PATH, client_id=CLIENT, time=TIME, body=BODY
    )
    assert req["Content-Type"] == "application/json; charset=UTF-8"
    assert sdk_verify(merchant_public_key, "POST", PATH, CLIENT, TIME, BODY.decode(),
                      req["Signature"])
    resp = response_headers(
        merchant_key, method="POST", path=PATH, client_id=CLIENT, time="T2", body=b"{}",
        key_version=2,
    )
    assert "keyVersion=2," in resp["signature"]
    assert sdk_verify(merchant_public_key, "POST", PATH, CLIENT, "T2", "{}", resp["signature"])
    assert verify_response(merchant_public_key, "POST", PATH, resp, b"{}").time == "T2"


@pytest.mark.parametrize(
    "change",
    ["body", "path", "time", "client_id", "method"],
)
def test_tampering_with_any_signed_part_fails(change, merchant_key, merchant_public_key):
    """Changing the body, path, time, client ID or method makes verification fail."""
    headers = request_headers(
        merchant_key, method="POST", path=PATH, client_id=CLIENT, time=TIME, body=BODY
    )
    method, path, body = "POST", PATH, BODY
    if change == "body":
        body = BODY.replace(b"100", b"1000")
    elif change == "path":
        path = "/ams/api/v1/payments/pay"
    elif change == "time":
        headers["Request-Time"] = "1700000000001"
    elif change == "client_id":
        headers["Client-Id"] = "SANDBOX_5YEXAMPLE00001"
    else:
        method = "PUT"
    with pytest.raises(InvalidSignatureError, match="does not verify"):
        verify_request(merchant_public_key, method, path, headers, body)


def test_reserialized_body_fails(merchant_key, merchant_public_key):
    """Verification is over the exact bytes: the same JSON re-spaced does not verify."""
    headers = request_headers(
        merchant_key, method="POST", path=PATH, client_id=CLIENT, time=TIME, body=BODY
    )
    with pytest.raises(InvalidSignatureError):
        verify_request(merchant_public_key, "POST", PATH, headers, BODY.replace(b":", b": "))


def test_key_can_be_chosen_after_reading_the_client_id(merchant_key, merchant_public_key):
    """The sandbox can read the Client-Id first, then verify with that client's key."""
    headers = request_headers(
        merchant_key, method="POST", path=PATH, client_id=CLIENT, time=TIME, body=BODY
    )
    parts = read_request_headers(headers)
    assert isinstance(parts, SignedParts)
    assert parts.client_id == CLIENT
    verify(merchant_public_key, method="POST", path=PATH, parts=parts, body=BODY)
    other = generate_private_key().public_key()
    with pytest.raises(InvalidSignatureError):
        verify(other, method="POST", path=PATH, parts=parts, body=BODY)


def test_missing_headers_are_named(merchant_key, antom_public_key):
    """Each absent header makes verification fail with MissingHeaderError naming it."""
    full = {"client-id": CLIENT, "request-time": TIME, "signature": "signature=AAAA"}
    for name in full:
        partial = {k: v for k, v in full.items() if k != name}
        with pytest.raises(MissingHeaderError) as caught:
            verify_notification(antom_public_key, "POST", "/notify", partial, b"{}")
        assert caught.value.header.lower() == name
    with pytest.raises(MissingHeaderError, match="Response-Time"):
        verify_response(antom_public_key, "POST", PATH, full, b"{}")
