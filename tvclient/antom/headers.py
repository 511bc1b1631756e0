"""The headers Antom signs with: `Signature`, `Client-Id`, `Request-Time` / `Response-Time`.

Reading is tolerant, because real peers differ: header names in any case, spaces after the
commas of the Signature header, the signature URL-encoded (as every SDK sends it) or not, and the
time as epoch milliseconds (Java, Go, current docs) or ISO 8601 (Python, PHP, older docs).
Writing follows the SDKs exactly: no spaces, form-style URL encoding, epoch milliseconds.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote_plus, unquote

from tvclient.antom.errors import MalformedHeaderError, MissingHeaderError

__all__ = [
    "ALGORITHM",
    "CLIENT_ID",
    "CONTENT_TYPE",
    "JSON_CONTENT_TYPE",
    "REQUEST_TIME",
    "RESPONSE_TIME",
    "SIGNATURE",
    "SignatureHeader",
    "epoch_millis",
    "format_signature_header",
    "get_header",
    "parse_signature_header",
    "parse_time_header",
    "require_header",
]

CLIENT_ID = "Client-Id"
REQUEST_TIME = "Request-Time"
RESPONSE_TIME = "Response-Time"
SIGNATURE = "Signature"
CONTENT_TYPE = "Content-Type"
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
ALGORITHM = "RSA256"

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SIGNATURE_KEY_RE = re.compile(r"(?:^|[,\s])signature\s*=", re.IGNORECASE)
_MILLIS_RE = re.compile(r"^\d{1,16}$")


@dataclass(frozen=True, slots=True)
class SignatureHeader:
    """A parsed `Signature` header: `algorithm=RSA256,keyVersion=<n>,signature=<...>`."""

    signature: bytes
    """The raw RSA signature bytes (already URL- and base64-decoded)."""
    key_version: int | None = None
    """The key version the peer says it signed with, when it says so."""
    algorithm: str = ALGORITHM

    def __repr__(self) -> str:
        return (
            f"SignatureHeader(algorithm={self.algorithm!r}, key_version={self.key_version!r}, "
            f"signature=<{len(self.signature)} bytes>)"
        )


def format_signature_header(signature: bytes, key_version: int = 1) -> str:
    """The `Signature` header value for raw signature bytes, exactly as the SDKs write it."""
    encoded = quote_plus(base64.b64encode(signature).decode("ascii"))
    return f"algorithm={ALGORITHM},keyVersion={key_version},signature={encoded}"


def parse_signature_header(value: str) -> SignatureHeader:
    """Read a `Signature` header value.

    The value is split at `signature=` as the SDKs do; what comes before it is read as
    comma-separated `name=value` pairs, spaces allowed. `algorithm`, when present, must be
    RSA256; `keyVersion`, when present, must be a whole number.

    Raises:
        MalformedHeaderError: the value has no signature or cannot be decoded.
    """
    match = _SIGNATURE_KEY_RE.search(value)
    if match is None:
        raise MalformedHeaderError("Signature header has no signature= part")
    params: dict[str, str] = {}
    for raw_item in value[: match.start()].split(","):
        item = raw_item.strip()
        if not item:
            continue
        name, sep, param = item.partition("=")
        if not sep:
            raise MalformedHeaderError(f"Signature header part {item!r} is not name=value")
        params[name.strip().lower()] = param.strip()
    algorithm = params.get("algorithm", ALGORITHM)
    if algorithm.upper() != ALGORITHM:
        raise MalformedHeaderError(f"unsupported signature algorithm {algorithm!r}")
    key_version: int | None = None
    if "keyversion" in params:
        text = params["keyversion"]
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise MalformedHeaderError(f"keyVersion {text!r} is not a whole number")
        key_version = int(text)
    # Percent-decoding only (not plus-to-space): form-encoded base64 holds no '+' (it became
    # %2B), so a '+' present means a peer sent raw base64, which this also reads correctly.
    encoded = unquote(value[match.end() :].strip().strip('"'))
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedHeaderError("signature is not base64") from None
    if not raw:
        raise MalformedHeaderError("signature is empty")
    return SignatureHeader(signature=raw, key_version=key_version, algorithm=ALGORITHM)


def get_header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value by case-insensitive name, from any mapping (plain dicts included)."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None


def require_header(headers: Mapping[str, str], name: str) -> str:
    """Like `get_header`, but an absent or blank header raises `MissingHeaderError`."""
    value = get_header(headers, name)
    if value is None or not value.strip():
        raise MissingHeaderError(name)
    return value.strip()


def epoch_millis(moment: dt.datetime) -> str:
    """A `Request-Time` value: whole milliseconds since the epoch, as Java and Go SDKs send."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r} has no time zone")
    return str((moment - _EPOCH) // dt.timedelta(milliseconds=1))


def parse_time_header(value: str) -> dt.datetime:
    """Read a `Request-Time` / `Response-Time` value for freshness checks (UTC datetime).

    Accepts epoch milliseconds and ISO 8601 with an offset (`+08:00`, `+0800`, `Z`). Signature
    verification never uses this: the time is opaque text inside the signed string.

    Raises:
        MalformedHeaderError: neither form, or ISO 8601 without an offset.
    """
    text = value.strip()
    if _MILLIS_RE.match(text):
        try:
            return _EPOCH + dt.timedelta(milliseconds=int(text))
        except OverflowError:
            raise MalformedHeaderError(f"time {value!r} is out of range") from None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise MalformedHeaderError(
            f"time {value!r} is neither epoch milliseconds nor ISO 8601"
        ) from None
    if moment.tzinfo is None:
        raise MalformedHeaderError(f"time {value!r} has no UTC offset")
    return moment.astimezone(dt.UTC)
