"""What the merchant backend answers, typed (mirrors docs/device-api.md).

All amounts are `tvclient.money.Money`; all times are timezone-aware UTC datetimes. Binding
references and credentials are kept out of `repr()` so they never end up in a log line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tvclient.money import WALLET_RULES, Money, Wallet

__all__ = [
    "BindSession",
    "BindSessionState",
    "Binding",
    "BindingLimits",
    "BindingState",
    "CreatedPurchase",
    "Enrolment",
    "Failure",
    "Product",
    "Purchase",
    "PurchaseItem",
    "PurchasePage",
    "PurchaseState",
    "Receipt",
    "RevokedBy",
]


class BindSessionState(StrEnum):
    """A bind session's state; everything but PENDING is final forever."""

    PENDING = "PENDING"
    BOUND = "BOUND"
    EXPIRED = "EXPIRED"
    DECLINED = "DECLINED"
    FAILED = "FAILED"


class BindingState(StrEnum):
    """A binding's state at the backend."""

    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class RevokedBy(StrEnum):
    """Who unlinked a binding."""

    DEVICE = "DEVICE"
    WALLET = "WALLET"


class PurchaseState(StrEnum):
    """A purchase's state; CREATED and PROCESSING mean the outcome is not known yet."""

    CREATED = "CREATED"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"

    @property
    def final(self) -> bool:
        """The outcome is known."""
        return self not in (PurchaseState.CREATED, PurchaseState.PROCESSING)

    @property
    def paid(self) -> bool:
        """The buyer was charged (possibly refunded since)."""
        return self in (
            PurchaseState.SUCCEEDED,
            PurchaseState.PARTIALLY_REFUNDED,
            PurchaseState.REFUNDED,
        )


@dataclass(frozen=True, slots=True)
class Failure:
    """Why something failed: the stable code and the backend's message in the device language."""

    code: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class Enrolment:
    """The answer to enrolment; the credential is shown once and goes to the vault."""

    device_id: str
    credential: str = field(repr=False)
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class BindingLimits:
    """The wallet's limits for one binding, as the backend computes them now."""

    min_per_transaction: Money
    max_per_transaction: Money
    remaining_today: Money | None
    remaining_this_year: Money | None


@dataclass(frozen=True, slots=True)
class Binding:
    """The device's link to a buyer's wallet.

    Attributes:
        ref: The opaque binding reference (secret-ish: kept in the vault, never logged).
        wallet: The wallet.
        currency: The wallet's currency.
        state: ACTIVE, REVOKED or EXPIRED.
        revoked_by: Who unlinked it, when REVOKED.
        account: The masked wallet account (`852****5678`), ready to show.
        created_at: When it was bound.
        limits: The wallet's limits, when the backend sent them.
    """

    ref: str = field(repr=False)
    wallet: Wallet
    currency: str
    state: BindingState
    revoked_by: RevokedBy | None
    account: str
    created_at: dt.datetime
    limits: BindingLimits | None = None

    @property
    def active(self) -> bool:
        """Payments may be attempted with it."""
        return self.state is BindingState.ACTIVE

    @property
    def wallet_name(self) -> str:
        """The wallet's display name (`AlipayHK`, `DANA`)."""
        return WALLET_RULES[self.wallet].display_name


@dataclass(frozen=True, slots=True)
class BindSession:
    """One bind attempt: the QR to show and, once over, how it ended.

    Attributes:
        id: The session id.
        wallet: The wallet the buyer chose.
        state: PENDING, then one final state.
        qr_text: What to encode into the QR (None once the session is over).
        expires_at: When the QR lapses (backend clock).
        expires_in: Seconds left when the answer was made (0 once over); the device counts from
            this rather than from `expires_at`, so a wrong device clock does not matter.
        interval: Minimum seconds between plain polls.
        long_poll: The longest `wait` the backend honours (0: long-polling is off).
        binding: The binding, when BOUND.
        failure: Why, when FAILED (or DECLINED, if the backend says).
    """

    id: str
    wallet: Wallet
    state: BindSessionState
    qr_text: str | None
    expires_at: dt.datetime
    expires_in: int
    interval: int
    long_poll: int
    binding: Binding | None = None
    failure: Failure | None = None

    @property
    def final(self) -> bool:
        """The session is over."""
        return self.state is not BindSessionState.PENDING


@dataclass(frozen=True, slots=True)
class Product:
    """A catalog item with its texts per language and its prices per currency."""

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


@dataclass(frozen=True, slots=True)
class PurchaseItem:
    """The product a purchase is for, titled in the device language."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the Receipt screen shows, ready to show."""

    order_ref: str
    payment_ref: str
    item: str
    amount: Money
    wallet: Wallet
    account: str
    paid_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Purchase:
    """A purchase as the backend knows it now.

    Attributes:
        id: The purchase id.
        state: See `PurchaseState`; PROCESSING is "not known yet", never failure.
        product: The item (id and title).
        amount: What it costs.
        wallet: The wallet paying.
        binding: The binding reference (never logged).
        order_ref: The merchant's order reference.
        created_at: When it was created.
        completed_at: When its outcome became known.
        interval: Minimum seconds between plain polls while PROCESSING.
        long_poll: The longest `wait` the backend honours (0: off).
        failure: Why, when FAILED or CANCELLED.
        refunded: How much was refunded so far.
        receipt: The receipt, once paid.
    """

    id: str
    state: PurchaseState
    product: PurchaseItem
    amount: Money
    wallet: Wallet
    binding: str = field(repr=False)
    order_ref: str
    created_at: dt.datetime
    completed_at: dt.datetime | None
    interval: int
    long_poll: int
    failure: Failure | None
    refunded: Money
    receipt: Receipt | None

    @property
    def final(self) -> bool:
        """The outcome is known."""
        return self.state.final

    @property
    def paid(self) -> bool:
        """The buyer was charged (possibly refunded since)."""
        return self.state.paid


@dataclass(frozen=True, slots=True)
class CreatedPurchase:
    """The answer to `POST /v1/purchases`: the purchase, and whether this call created it."""

    purchase: Purchase
    created: bool


@dataclass(frozen=True, slots=True)
class PurchasePage:
    """One page of purchase history, newest first; `next` fetches the following page."""

    purchases: tuple[Purchase, ...]
    next: str | None
