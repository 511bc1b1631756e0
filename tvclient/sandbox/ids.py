"""Identifiers the sandbox hands out, shaped like Antom's and unguessable where they are secrets."""

from __future__ import annotations

import secrets

from tvclient.sandbox.times import ANTOM_ZONE, from_ms

__all__ = [
    "new_access_token",
    "new_auth_code",
    "new_binding_id",
    "new_customs_id",
    "new_payment_id",
    "new_qr_code",
    "new_refresh_token",
    "new_refund_id",
]


def _dated(now_ms: int, infix: str) -> str:
    day = from_ms(now_ms).astimezone(ANTOM_ZONE).strftime("%Y%m%d")
    return f"{day}{infix}{secrets.randbelow(10**16):016d}"


def new_payment_id(now_ms: int) -> str:
    """An Antom-style paymentId: date (GMT+8), a fixed infix, 16 random digits (32 chars)."""
    return _dated(now_ms, "11401080")


def new_refund_id(now_ms: int) -> str:
    """An Antom-style refundId (32 chars)."""
    return _dated(now_ms, "19401080")


def new_customs_id(now_ms: int, kind: str) -> str:
    """A customs payment / order ID."""
    return _dated(now_ms, kind)


def new_qr_code() -> str:
    """The secret part of a QR's wallet-page URL (URL-safe)."""
    return "q" + secrets.token_urlsafe(18)


def new_auth_code() -> str:
    """A single-use authCode (secret)."""
    return "AC" + secrets.token_hex(16)


def new_access_token() -> str:
    """An access token (secret)."""
    return "AT" + secrets.token_hex(20)


def new_refresh_token() -> str:
    """A refresh token (secret)."""
    return "RT" + secrets.token_hex(20)


def new_binding_id() -> str:
    """The sandbox-internal ID of one buyer-merchant agreement (shown to the operator)."""
    return "B" + secrets.token_hex(8)
