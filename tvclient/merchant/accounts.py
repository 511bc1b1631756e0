"""Masking wallet account identifiers before they are stored or shown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["account_from", "mask_account"]


def mask_account(login_id: str | None) -> str | None:
    """A masked form a buyer recognises: `852****5678`, `j***@example.com`.

    Values that already carry a mask (Alipay+ wallets mask them) are kept as they are.
    """
    if not login_id:
        return None
    value = login_id.strip()[:64]
    if "*" in value:
        return value
    if "@" in value:
        local, _, domain = value.partition("@")
        # Cut to the 64 characters the ledger's column holds: "x@" + 62 characters became 67
        # and PostgreSQL refused the write (found by tests/fuzz/test_notify_endpoint.py).
        return f"{local[:1]}***@{domain}"[:64]
    if len(value) >= 8:
        return f"{value[:3]}****{value[-4:]}"
    if len(value) > 2:
        return f"{value[:1]}***{value[-1:]}"
    return "***"


def account_from(body: Mapping[str, Any]) -> str | None:
    """The masked account from an applyToken reply or an authorization notification."""
    login = body.get("userLoginId")
    if isinstance(login, str) and login:
        return mask_account(login)
    info = body.get("pspCustomerInfo")
    if isinstance(info, dict):
        shown = info.get("displayCustomerId")
        if isinstance(shown, str) and shown:
            return mask_account(shown)
    return None
