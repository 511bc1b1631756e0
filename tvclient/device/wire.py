"""The device API's JSON, read into `tvclient.device.models` (and the error envelope).

Every reader checks what it relies on and raises `ProtocolError` naming the member when the
backend's answer does not follow docs/device-api.md; nothing here can crash on bad input.
Members the device does not need are ignored, so the backend may add some.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from tvclient.device.errors import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    SlowDownError,
    ValidationError,
)
from tvclient.device.models import (
    Binding,
    BindingLimits,
    BindingState,
    BindSession,
    BindSessionState,
    CreatedPurchase,
    Enrolment,
    Failure,
    Product,
    Purchase,
    PurchaseItem,
    PurchasePage,
    PurchaseState,
    Receipt,
    RevokedBy,
)
from tvclient.money import Money, MoneyError, Wallet

__all__ = [
    "api_error",
    "read_bind_session",
    "read_binding",
    "read_catalog",
    "read_created_purchase",
    "read_enrolment",
    "read_purchase",
    "read_purchase_page",
]

E = TypeVar("E", bound=StrEnum)

# Which class an error code belongs to; an unknown code falls back on its HTTP status.
_CODE_CLASSES: dict[str, type[ApiError]] = {
    "UNAUTHENTICATED": AuthError,
    "ENROLMENT_REFUSED": AuthError,
    "NOT_FOUND": NotFoundError,
    "IDEMPOTENCY_KEY_REUSED": ConflictError,
    "PRICE_CHANGED": ConflictError,
    "BINDING_REVOKED": ConflictError,
    "BINDING_EXPIRED": ConflictError,
    "CURRENCY_MISMATCH": ConflictError,
    "SLOW_DOWN": SlowDownError,
    "RATE_LIMITED": RateLimitedError,
    "VALIDATION_ERROR": ValidationError,
    "BODY_TOO_LARGE": ValidationError,
    "BACKEND_UNAVAILABLE": ServerError,
}
_STATUS_CLASSES: dict[int, type[ApiError]] = {
    400: ValidationError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: ConflictError,
    413: ValidationError,
    429: RateLimitedError,
}


class _Reader:
    """Typed access to one JSON object, naming the path of whatever is wrong."""

    def __init__(self, value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise ProtocolError(f"{where} is not a JSON object")
        self._data: dict[str, object] = value
        self.where = where

    def _fail(self, key: str, wanted: str) -> ProtocolError:
        return ProtocolError(
            f"{self.where}.{key} should be {wanted}, not {self._data.get(key)!r:.80}"
        )

    def raw(self, key: str) -> object:
        return self._data.get(key)

    def text(self, key: str) -> str:
        value = self._data.get(key)
        if not isinstance(value, str) or not value:
            raise self._fail(key, "a non-empty string")
        return value

    def opt_str(self, key: str) -> str | None:
        value = self._data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(key, "a string or null")
        return value

    def whole(self, key: str, default: int | None = None) -> int:
        value = self._data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._fail(key, "a non-negative integer")
        return value

    def time(self, key: str) -> dt.datetime:
        value = self.text(key)
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self._fail(key, "an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise self._fail(key, "a time with a time zone")
        return moment.astimezone(dt.UTC)

    def opt_time(self, key: str) -> dt.datetime | None:
        return None if self._data.get(key) is None else self.time(key)

    def enum(self, key: str, kind: type[E]) -> E:
        value = self._data.get(key)
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return kind(value)
        except ValueError:
            names = ", ".join(member.value for member in kind)
            raise self._fail(key, f"one of {names}") from None

    def opt_enum(self, key: str, kind: type[E]) -> E | None:
        return None if self._data.get(key) is None else self.enum(key, kind)

    def money(self, key: str) -> Money:
        return _money(self._data.get(key), f"{self.where}.{key}")

    def opt_money(self, key: str) -> Money | None:
        return None if self._data.get(key) is None else self.money(key)

    def obj(self, key: str) -> _Reader:
        return _Reader(self._data.get(key), f"{self.where}.{key}")

    def opt_obj(self, key: str) -> _Reader | None:
        return None if self._data.get(key) is None else self.obj(key)

    def items(self, key: str) -> list[object]:
        value = self._data.get(key)
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        return value

    def texts(self, key: str) -> dict[str, str]:
        value = self._data.get(key)
        if value is None:
            return {}
        if isinstance(value, str):
            return {"en": value}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise self._fail(key, "texts by language")
        return dict(value)


def _money(value: object, where: str) -> Money:
    r = _Reader(value, where)
    currency, minor = r.raw("currency"), r.raw("value")
    if not isinstance(currency, str):
        raise ProtocolError(f"{where}.currency should be an ISO 4217 code, not {currency!r:.80}")
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise ProtocolError(f"{where}.value should be an integer of minor units, not {minor!r:.80}")
    try:
        return Money(minor, currency)
    except MoneyError as exc:
        raise ProtocolError(f"{where} is not a valid amount: {exc}") from None


# ---------------------------------------------------------------------------- readers


def read_enrolment(data: object) -> Enrolment:
    """The answer to `POST /v1/devices`."""
    r = _Reader(data, "enrolment")
    return Enrolment(
        device_id=r.text("device_id"),
        credential=r.text("credential"),
        created_at=r.time("created_at"),
    )


def _failure(r: _Reader | None) -> Failure | None:
    if r is None:
        return None
    return Failure(code=r.text("code"), message=r.opt_str("message") or "")


def _limits(r: _Reader | None) -> BindingLimits | None:
    if r is None:
        return None
    return BindingLimits(
        min_per_transaction=r.money("min_per_transaction"),
        max_per_transaction=r.money("max_per_transaction"),
        remaining_today=r.opt_money("remaining_today"),
        remaining_this_year=r.opt_money("remaining_this_year"),
    )


def read_binding(data: object, where: str = "binding") -> Binding:
    """A binding object (`GET`/`DELETE /v1/bindings/{ref}`, and inside a BOUND session)."""
    r = _Reader(data, where)
    state = r.enum("state", BindingState)
    return Binding(
        ref=r.text("ref"),
        wallet=r.enum("wallet", Wallet),
        currency=r.text("currency"),
        state=state,
        revoked_by=r.opt_enum("revoked_by", RevokedBy),
        account=r.opt_str("account") or "",
        created_at=r.time("created_at"),
        limits=_limits(r.opt_obj("limits")),
    )


def read_bind_session(data: object) -> BindSession:
    """A bind session; a BOUND session must carry its binding, a PENDING one its QR text."""
    r = _Reader(data, "bind session")
    state = r.enum("state", BindSessionState)
    binding_data = r.raw("binding")
    binding = read_binding(binding_data, "bind session.binding") if binding_data else None
    qr_text = r.opt_str("qr_text")
    if state is BindSessionState.BOUND and binding is None:
        raise ProtocolError("bind session is BOUND but carries no binding")
    if state is BindSessionState.PENDING and not qr_text:
        raise ProtocolError("bind session is PENDING but carries no qr_text")
    return BindSession(
        id=r.text("id"),
        wallet=r.enum("wallet", Wallet),
        state=state,
        qr_text=qr_text,
        expires_at=r.time("expires_at"),
        expires_in=r.whole("expires_in", 0),
        interval=r.whole("interval", 5),
        long_poll=r.whole("long_poll", 0),
        binding=binding,
        failure=_failure(r.opt_obj("failure")),
    )


def _product(data: object, index: int) -> Product:
    r = _Reader(data, f"catalog.products[{index}]")
    prices = [_money(item, f"{r.where}.prices[{n}]") for n, item in enumerate(r.items("prices"))]
    return Product(
        id=r.text("id"),
        titles=r.texts("title"),
        descriptions=r.texts("description"),
        image_url=r.opt_str("image_url") or "",
        prices=tuple(prices),
    )


def read_catalog(data: object) -> list[Product]:
    """`GET /v1/catalog`."""
    r = _Reader(data, "catalog")
    return [_product(item, n) for n, item in enumerate(r.items("products"))]


def _receipt(r: _Reader | None) -> Receipt | None:
    if r is None:
        return None
    return Receipt(
        order_ref=r.text("order_ref"),
        payment_ref=r.opt_str("payment_ref") or "",
        item=r.text("item"),
        amount=r.money("amount"),
        wallet=r.enum("wallet", Wallet),
        account=r.opt_str("account") or "",
        paid_at=r.time("paid_at"),
    )


def read_purchase(data: object, where: str = "purchase") -> Purchase:
    """A purchase object."""
    r = _Reader(data, where)
    product = r.obj("product")
    amount = r.money("amount")
    refunded = r.opt_money("refunded") or Money.zero(amount.currency)
    return Purchase(
        id=r.text("id"),
        state=r.enum("state", PurchaseState),
        product=PurchaseItem(id=product.text("id"), title=product.opt_str("title") or ""),
        amount=amount,
        wallet=r.enum("wallet", Wallet),
        binding=r.text("binding"),
        order_ref=r.opt_str("order_ref") or "",
        created_at=r.time("created_at"),
        completed_at=r.opt_time("completed_at"),
        interval=r.whole("interval", 2),
        long_poll=r.whole("long_poll", 0),
        failure=_failure(r.opt_obj("failure")),
        refunded=refunded,
        receipt=_receipt(r.opt_obj("receipt")),
    )


def read_created_purchase(data: object, status: int) -> CreatedPurchase:
    """The answer to `POST /v1/purchases` (201 created, 200 replayed)."""
    return CreatedPurchase(purchase=read_purchase(data), created=status == 201)


def read_purchase_page(data: object) -> PurchasePage:
    """`GET /v1/purchases`."""
    r = _Reader(data, "purchases")
    items = r.items("purchases")
    cursor = r.raw("next")
    if cursor is not None and not isinstance(cursor, str | int):
        raise ProtocolError(f"purchases.next should be a cursor or null, not {cursor!r:.80}")
    return PurchasePage(
        purchases=tuple(read_purchase(item, f"purchases[{n}]") for n, item in enumerate(items)),
        next=None if cursor is None else str(cursor),
    )


# ---------------------------------------------------------------------------- errors


def api_error(status: int, data: object, headers: Mapping[str, str]) -> ApiError | None:
    """The typed error for an error envelope, or None when `data` is not an envelope."""
    if not isinstance(data, dict) or not isinstance(data.get("error"), dict):
        return None
    envelope: dict[str, object] = data["error"]
    code = envelope.get("code")
    if not isinstance(code, str) or not code:
        return None
    message = envelope.get("message")
    retryable = envelope.get("retryable")
    details = {
        key: value
        for key, value in envelope.items()
        if key not in ("code", "message", "retryable")
    }
    if "retry_after" not in details:
        header = headers.get("retry-after", "")
        if header.strip().isdigit():
            details["retry_after"] = int(header.strip())
    kind = _CODE_CLASSES.get(code) or (
        ServerError if status >= 500 else _STATUS_CLASSES.get(status, ApiError)
    )
    return kind(
        status,
        code,
        message if isinstance(message, str) else "",
        retryable=retryable if isinstance(retryable, bool) else status >= 500 or status == 429,
        details=details,
    )
