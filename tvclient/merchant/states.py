"""The states of bind sessions, bindings and purchases (design.md "States")."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["BindState", "BindingState", "PurchaseState", "RefundState", "RevokedBy"]


class BindState(StrEnum):
    """Bind session: `PENDING → BOUND | EXPIRED | DECLINED | FAILED`; terminal states are final."""

    PENDING = "PENDING"
    BOUND = "BOUND"
    EXPIRED = "EXPIRED"
    DECLINED = "DECLINED"
    FAILED = "FAILED"


class BindingState(StrEnum):
    """Binding: `ACTIVE → REVOKED | EXPIRED`."""

    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class RevokedBy(StrEnum):
    """Who ended a binding."""

    DEVICE = "DEVICE"
    WALLET = "WALLET"


class PurchaseState(StrEnum):
    """Purchase: `PROCESSING → SUCCEEDED | FAILED | CANCELLED`, then refund states."""

    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"


PAID_STATES = (PurchaseState.SUCCEEDED, PurchaseState.PARTIALLY_REFUNDED, PurchaseState.REFUNDED)
"""States in which the buyer paid (refunds do not give back spending-cap room)."""


class RefundState(StrEnum):
    """Refund: `PROCESSING → SUCCEEDED | FAILED`."""

    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
