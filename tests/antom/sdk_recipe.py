"""Antom's SDK signing recipe (reference §3), written independently of tvclient.antom.

Built only from raw `cryptography` primitives and the standard library, following the recipe
the official SDKs use (Python: f-string + quote_plus; Java: URLEncoder / URLDecoder), so tests
can check tvclient.antom against it in both directions.
"""

from __future__ import annotations

import base64
from urllib.parse import quote_plus, unquote_plus

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def sdk_sign(  # noqa: PLR0917 - mirrors the SDK's positional helper
    key: rsa.RSAPrivateKey, method: str, path: str, client_id: str, time: str, body: str
) -> str:
    """The Signature header value an SDK sends."""
    content = f"{method} {path}\n{client_id}.{time}.{body}"
    raw = key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return "algorithm=RSA256,keyVersion=1,signature=" + quote_plus(base64.b64encode(raw).decode())


def java_url_encode(text: str) -> str:
    """Java's `URLEncoder.encode(text, "UTF-8")`: keep `A-Za-z0-9.-*_`, space → `+`, else %XX."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char.isascii() and (char.isalnum() or char in ".-*_"):
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def sdk_verify(  # noqa: PLR0917 - mirrors the SDK's positional helper
    key: rsa.RSAPublicKey,
    method: str,
    path: str,
    client_id: str,
    time: str,
    body: str,
    header: str,
) -> bool:
    """Whether an SDK would accept the Signature header (it splits on `signature=`)."""
    encoded = header.split("signature=")[1]
    raw = base64.b64decode(unquote_plus(encoded))
    content = f"{method} {path}\n{client_id}.{time}.{body}"
    try:
        key.verify(raw, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
