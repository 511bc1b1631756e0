"""Antom message signatures (reference §3): who signs what, and how it is checked.

The string to sign is `<METHOD> <path>`, one line feed, `<Client-Id>.<time>.<body>`; it is
signed with RSA-SHA256, PKCS#1 v1.5, and sent base64- then form-URL-encoded in the `Signature`
header.
Merchants sign requests; Antom (or the sandbox standing in for it) signs responses and
notifications. A notification is a request from Antom, so it is checked like a request.

Body bytes are signed and verified exactly as they travel: never re-serialize before checking.
The RSA verification itself is done by `cryptography` (OpenSSL), which compares the recovered
digest in constant time; nothing secret is compared in Python here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tvclient.antom.errors import InvalidSignatureError
from tvclient.antom.headers import (
    CLIENT_ID,
    CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    REQUEST_TIME,
    RESPONSE_TIME,
    SIGNATURE,
    SignatureHeader,
    format_signature_header,
    parse_signature_header,
    require_header,
)
from tvclient.antom.keys import RSAPrivateKey, RSAPublicKey

__all__ = [
    "SignedParts",
    "read_request_headers",
    "read_response_headers",
    "request_headers",
    "response_headers",
    "sign",
    "signature_header",
    "string_to_sign",
    "verify",
    "verify_notification",
    "verify_request",
    "verify_response",
]


def string_to_sign(method: str, path: str, client_id: str, time: str, body: bytes) -> bytes:
    """The exact bytes that are signed: `<METHOD> <path>` LF `<client_id>.<time>.<body>`, UTF-8."""
    return f"{method} {path}\n{client_id}.{time}.".encode() + body


def sign(private_key: RSAPrivateKey, content: bytes) -> bytes:
    """Raw SHA256withRSA (PKCS#1 v1.5) signature of `content`; deterministic for a key."""
    return private_key.sign(content, padding.PKCS1v15(), hashes.SHA256())


def signature_header(
    private_key: RSAPrivateKey,
    *,
    method: str,
    path: str,
    client_id: str,
    time: str,
    body: bytes,
    key_version: int = 1,
) -> str:
    """The `Signature` header value for one message."""
    raw = sign(private_key, string_to_sign(method, path, client_id, time, body))
    return format_signature_header(raw, key_version)


def request_headers(
    private_key: RSAPrivateKey,
    *,
    method: str,
    path: str,
    client_id: str,
    time: str,
    body: bytes,
    key_version: int = 1,
) -> dict[str, str]:
    """Headers of a signed request (merchant → Antom) or notification (Antom → merchant)."""
    return {
        CONTENT_TYPE: JSON_CONTENT_TYPE,
        CLIENT_ID: client_id,
        REQUEST_TIME: time,
        SIGNATURE: signature_header(
            private_key,
            method=method,
            path=path,
            client_id=client_id,
            time=time,
            body=body,
            key_version=key_version,
        ),
    }


def response_headers(
    private_key: RSAPrivateKey,
    *,
    method: str,
    path: str,
    client_id: str,
    time: str,
    body: bytes,
    key_version: int = 1,
) -> dict[str, str]:
    """Headers of a signed synchronous response (Antom → merchant), lower-case as Antom sends.

    `method` and `path` are those of the request being answered.
    """
    return {
        CONTENT_TYPE.lower(): JSON_CONTENT_TYPE,
        CLIENT_ID.lower(): client_id,
        RESPONSE_TIME.lower(): time,
        SIGNATURE.lower(): signature_header(
            private_key,
            method=method,
            path=path,
            client_id=client_id,
            time=time,
            body=body,
            key_version=key_version,
        ),
    }


@dataclass(frozen=True, slots=True)
class SignedParts:
    """What a signed message's headers contribute to its verification."""

    client_id: str
    time: str
    """The time header's text, verbatim (it is part of the signed string)."""
    signature: SignatureHeader


def _read(headers: Mapping[str, str], time_header: str) -> SignedParts:
    return SignedParts(
        client_id=require_header(headers, CLIENT_ID),
        time=require_header(headers, time_header),
        signature=parse_signature_header(require_header(headers, SIGNATURE)),
    )


def read_request_headers(headers: Mapping[str, str]) -> SignedParts:
    """Read `Client-Id`, `Request-Time` and `Signature` (any case) from a request's headers.

    Raises:
        MissingHeaderError: one of them is absent.
        MalformedHeaderError: the Signature header cannot be read.
    """
    return _read(headers, REQUEST_TIME)


def read_response_headers(headers: Mapping[str, str]) -> SignedParts:
    """Read `client-id`, `response-time` and `signature` (any case) from a response's headers.

    Raises:
        MissingHeaderError: one of them is absent.
        MalformedHeaderError: the signature header cannot be read.
    """
    return _read(headers, RESPONSE_TIME)


def verify(
    public_key: RSAPublicKey, *, method: str, path: str, parts: SignedParts, body: bytes
) -> None:
    """Check `parts.signature` over the message with the signer's public key.

    Raises:
        InvalidSignatureError: it does not verify (tampered, wrong key, wrong path...).
    """
    content = string_to_sign(method, path, parts.client_id, parts.time, body)
    try:
        public_key.verify(parts.signature.signature, content, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise InvalidSignatureError(
            f"signature does not verify for {method} {path} from client {parts.client_id}"
        ) from None


def verify_request(
    public_key: RSAPublicKey, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> SignedParts:
    """Verify a signed request with the sender's public key; return what its headers said.

    To pick the key by client ID first, call `read_request_headers` and then `verify`.

    Raises:
        SignatureError: a header is missing or malformed, or the signature does not verify.
    """
    parts = read_request_headers(headers)
    verify(public_key, method=method, path=path, parts=parts, body=body)
    return parts


def verify_notification(
    public_key: RSAPublicKey, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> SignedParts:
    """Verify a notification from Antom; `path` is the path of your notify URL (no domain).

    Raises:
        SignatureError: a header is missing or malformed, or the signature does not verify.
    """
    return verify_request(public_key, method, path, headers, body)


def verify_response(
    public_key: RSAPublicKey, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> SignedParts:
    """Verify Antom's response to a request sent as `method path` (the path as sent and signed).

    Raises:
        SignatureError: a header is missing or malformed, or the signature does not verify.
    """
    parts = read_response_headers(headers)
    verify(public_key, method=method, path=path, parts=parts, body=body)
    return parts
