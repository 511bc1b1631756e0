"""Rows as the device API's JSON (docs/device-api.md) and as the admin API's JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import RowMapping

from tvclient.merchant.catalog import Catalog, Product
from tvclient.merchant.i18n import message
from tvclient.merchant.limits import Spending
from tvclient.merchant.states import BindState, PurchaseState
from tvclient.merchant.timing import iso
from tvclient.money import Money, rules_for

__all__ = [
    "binding_admin_view",
    "binding_view",
    "catalog_view",
    "money",
    "purchase_admin_view",
    "purchase_view",
    "refund_view",
    "session_view",
]

_RECEIPT_STATES = (
    PurchaseState.SUCCEEDED,
    PurchaseState.PARTIALLY_REFUNDED,
    PurchaseState.REFUNDED,
)


def money(value: Money | None) -> dict[str, Any] | None:
    """`{"currency", "value"}` with an integer count of minor units."""
    if value is None:
        return None
    return {"currency": value.currency, "value": value.minor}


def _failure(code: str | None, language: str) -> dict[str, str] | None:
    if not code:
        return None
    return {"code": code, "message": message(code, language)}


def session_view(
    row: RowMapping,
    binding: dict[str, Any] | None,
    *,
    now: dt.datetime,
    long_poll: int,
    language: str,
) -> dict[str, Any]:
    """A bind session."""
    left = max(0, int((row["expires_at"] - now).total_seconds()))
    pending = row["state"] == BindState.PENDING
    return {
        "id": row["id"],
        "wallet": row["wallet"],
        "state": row["state"],
        "qr_text": row["qr_text"] if pending else None,
        "expires_at": iso(row["expires_at"]),
        "expires_in": left if pending else 0,
        "interval": int(row["interval"]),
        "long_poll": long_poll,
        "binding": binding,
        "failure": _failure(row["failure_code"], language)
        if row["state"] == BindState.FAILED
        else None,
    }


def binding_view(row: RowMapping, spent: Spending) -> dict[str, Any]:
    """A binding with its limits (remaining caps for today / this year)."""
    rules = rules_for(row["wallet"])
    return {
        "ref": row["ref"],
        "wallet": row["wallet"],
        "currency": row["currency"],
        "state": row["state"],
        "revoked_by": row["revoked_by"],
        "account": row["account"],
        "created_at": iso(row["created_at"]),
        "limits": {
            "min_per_transaction": money(rules.min_per_transaction),
            "max_per_transaction": money(rules.max_per_transaction),
            "remaining_today": money(spent.remaining_today(rules)),
            "remaining_this_year": money(spent.remaining_this_year(rules)),
        },
    }


def purchase_view(
    row: RowMapping, catalog: Catalog, *, language: str, long_poll: int, interval: int
) -> dict[str, Any]:
    """A purchase as its device sees it, with a receipt once paid."""
    product = catalog.get(row["product_id"])
    title = product.title_in(language) if product else row["product_title"]
    amount = Money(int(row["amount_minor"]), row["currency"])
    state = row["state"]
    receipt = None
    if state in _RECEIPT_STATES:
        receipt = {
            "order_ref": row["order_ref"],
            "payment_ref": row["payment_id"],
            "item": title,
            "amount": money(amount),
            "wallet": row["wallet"],
            "account": row["account"],
            "paid_at": iso(row["paid_at"] or row["completed_at"]),
        }
    failed = state in (PurchaseState.FAILED, PurchaseState.CANCELLED)
    return {
        "id": row["id"],
        "state": state,
        "product": {"id": row["product_id"], "title": title},
        "amount": money(amount),
        "wallet": row["wallet"],
        "binding": row["binding_ref"],
        "order_ref": row["order_ref"],
        "created_at": iso(row["created_at"]),
        "completed_at": iso(row["completed_at"]),
        "interval": interval,
        "long_poll": long_poll,
        "failure": _failure(row["failure_code"], language) if failed else None,
        "refunded": money(Money(int(row["refunded_minor"]), row["currency"])),
        "receipt": receipt,
    }


def purchase_admin_view(row: RowMapping, refunds: list[RowMapping] | None = None) -> dict[str, Any]:
    """Everything an operator may see about a purchase (no secrets are stored on it)."""
    view = {
        key: (iso(value) if isinstance(value, dt.datetime) else value)
        for key, value in row.items()
        if key not in {"request_fingerprint"}
    }
    if refunds is not None:
        view["refunds"] = [refund_view(refund) for refund in refunds]
    return view


def refund_view(row: RowMapping) -> dict[str, Any]:
    """A refund for operators."""
    return {
        key: (iso(value) if isinstance(value, dt.datetime) else value) for key, value in row.items()
    }


def binding_admin_view(row: RowMapping) -> dict[str, Any]:
    """A binding for operators: never its tokens."""
    return {
        key: (iso(value) if isinstance(value, dt.datetime) else value)
        for key, value in row.items()
        if not key.startswith(("access_token_enc", "refresh_token_enc", "access_token_digest"))
    }


def catalog_view(catalog: Catalog) -> dict[str, Any]:
    """The catalog as devices get it."""
    return {"products": [_product(product) for product in catalog.products]}


def _product(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "title": product.title,
        "description": product.description,
        "image_url": f"/v1/catalog/images/{product.image}" if product.image else None,
        "prices": [money(price) for price in product.prices],
    }
