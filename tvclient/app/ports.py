"""What the app needs from the device core, in the shapes its screens use.

The view-models depend on this protocol only; `tvclient/app/core_adapter.py` implements it over
`tvclient.device`, and tests use a small fake. Everything here is plain Python (no Qt) and
every call is a coroutine run on the worker's loop, never on the GUI thread.

Exception tree::

    CoreError                 a call failed; `code` is the backend's stable code
     +-- BackendUnreachable   the backend could not be reached (network, 5xx, timeout)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from tvclient.money import Money, Wallet

__all__ = [
    "BackendUnreachable",
    "BindState",
    "BindUpdate",
    "Binding",
    "BindingState",
    "CoreError",
    "DeviceCore",
    "Product",
    "Purchase",
    "PurchaseState",
]


class CoreError(Exception):
    """A device-core call failed.

    Attributes:
        code: The backend's stable error code (`BINDING_REVOKED`, `PRICE_CHANGED`...) or a local
            one (`UNREACHABLE`, `KEYRING_UNAVAILABLE`, `SPENDING_CAP`).
        message: Readable text for logs (screens show their own translated text per code).
    """

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class BackendUnreachable(CoreError):
    """The backend could not be reached; the same call may succeed later."""

    def __init__(self, message: str = "") -> None:
        super().__init__("UNREACHABLE", message)


@dataclass(frozen=True, slots=True)
class Product:
    """A catalog item with its titles per language and prices per currency."""

    id: str
    titles: Mapping[str, str]
    descriptions: Mapping[str, str]
    image_url: str
    prices: tuple[Money, ...]

    def title(self, language: str) -> str:
        """The title in `language`, else English, else the id."""
        return self.titles.get(language) or self.titles.get("en") or self.id

    def description(self, language: str) -> str:
        """The description in `language`, else English, else nothing."""
        return self.descriptions.get(language) or self.descriptions.get("en") or ""

    def price_in(self, currency: str) -> Money | None:
        """The price in `currency`, or None when the product is not sold in it."""
        return next((p for p in self.prices if p.currency == currency), None)


class BindingState(StrEnum):
    """A binding's life (the backend's `state`)."""

    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class Binding:
    """The device's link to a buyer's wallet, as far as the device may know it."""

    wallet: Wallet
    account: str
    state: BindingState = BindingState.ACTIVE
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        """Payments may be attempted."""
        return self.state is BindingState.ACTIVE

    @property
    def currency(self) -> str:
        """The wallet's currency."""
        from tvclient.money import WALLET_RULES

        return WALLET_RULES[self.wallet].currency


class BindState(StrEnum):
    """A bind session's state; everything but PENDING is final."""

    PENDING = "PENDING"
    BOUND = "BOUND"
    EXPIRED = "EXPIRED"
    DECLINED = "DECLINED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class BindUpdate:
    """What a bind session looks like now."""

    state: BindState
    wallet: Wallet
    qr_text: str
    expires_at: dt.datetime
    binding: Binding | None = None
    failure_code: str | None = None

    @property
    def final(self) -> bool:
        """The session is over."""
        return self.state is not BindState.PENDING


class PurchaseState(StrEnum):
    """A purchase's state (the backend's); PROCESSING means "not known yet", never failure."""

    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


@dataclass(frozen=True, slots=True)
class Purchase:
    """A purchase as the screens show it (Paying, Receipt, Failure, history)."""

    id: str
    state: PurchaseState
    item: str
    amount: Money
    wallet: Wallet
    order_ref: str
    created_at: dt.datetime
    account: str = ""
    paid_at: dt.datetime | None = None
    failure_code: str | None = None
    failure_message: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        """The outcome is known."""
        return self.state is not PurchaseState.PROCESSING

    @property
    def paid(self) -> bool:
        """The buyer was charged (possibly refunded since)."""
        return self.state in (
            PurchaseState.SUCCEEDED, PurchaseState.PARTIALLY_REFUNDED, PurchaseState.REFUNDED,
        )


class DeviceCore(Protocol):
    """The device core as the app uses it."""

    @property
    def demo(self) -> bool:
        """The backend is the embedded demo stack (sandbox money only)."""
        ...

    def set_language(self, language: str) -> None:
        """The language the backend's messages and the catalog's titles should prefer."""
        ...

    async def catalog(self) -> list[Product]:
        """What this device sells."""
        ...

    async def binding(self) -> Binding | None:
        """The stored binding with its current state at the backend; None when never bound."""
        ...

    def bind(self, wallet: Wallet) -> AsyncIterator[BindUpdate]:
        """Start a bind session and follow it to its end (cancelling the iteration cancels it)."""
        ...

    async def unbind(self) -> None:
        """Revoke the binding at the backend and forget it on the device."""
        ...

    def purchase(self, product: Product, amount: Money) -> AsyncIterator[Purchase]:
        """Buy once (one idempotency key) and follow the purchase until its outcome is known."""
        ...

    def resume(self) -> AsyncIterator[Purchase]:
        """Follow a purchase left unfinished by a previous run (yields nothing when none)."""
        ...

    async def history(self, limit: int) -> list[Purchase]:
        """This binding's purchases, newest first."""
        ...

    async def image(self, url: str) -> bytes:
        """A catalog image's bytes."""
        ...

    async def aclose(self) -> None:
        """Release network connections (the app is closing)."""
        ...
