"""Keeping Antom secrets out of logs: tokens and auth codes are replaced before anything logs."""

from __future__ import annotations

from typing import Any

__all__ = ["REDACTED", "SECRET_FIELDS", "redact"]

SECRET_FIELDS: frozenset[str] = frozenset(
    {"accessToken", "refreshToken", "authCode", "paymentMethodId"}
)
"""Wire names whose values are secrets (`paymentMethodId` is the access token in pay)."""

REDACTED = "<redacted>"


def redact(obj: Any) -> Any:
    """A copy of a decoded JSON value with every secret field's value replaced by `REDACTED`."""
    if isinstance(obj, dict):
        return {
            key: REDACTED if key in SECRET_FIELDS and value is not None else redact(value)
            for key, value in obj.items()
        }
    if isinstance(obj, list):
        return [redact(item) for item in obj]
    return obj
