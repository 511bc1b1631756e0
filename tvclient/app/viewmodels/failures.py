"""What each failure means to a buyer: a title, a reason, the next step, and the button for it.

The device decides from the backend's stable codes (docs/device-api.md), never from messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["FailureAction", "FailureText", "bind_failure", "purchase_failure"]


class FailureAction(StrEnum):
    """The main button of the Failure screen."""

    BIND = "bind"       # link the wallet (again)
    RETRY = "retry"     # back to the product to try again
    STORE = "store"     # back to the store (choose something else)


@dataclass(frozen=True, slots=True)
class FailureText:
    """Catalog keys for one failure (all take `{wallet}` and `{item}`)."""

    title: str
    reason: str
    next_step: str
    action: FailureAction
    # The binding is gone (the code saying how): the badge goes and the next purchase asks to
    # link again.
    binding_lost: str | None = None


_PURCHASE: dict[str, FailureText] = {
    "INSUFFICIENT_BALANCE": FailureText(
        "fail_balance_title", "fail_balance_reason", "fail_balance_next", FailureAction.RETRY
    ),
    "BELOW_MINIMUM": FailureText(
        "fail_limit_title", "fail_below_min_reason", "fail_other_item_next", FailureAction.STORE
    ),
    "ABOVE_TRANSACTION_LIMIT": FailureText(
        "fail_limit_title", "fail_above_max_reason", "fail_other_item_next", FailureAction.STORE
    ),
    "DAILY_LIMIT_REACHED": FailureText(
        "fail_limit_title", "fail_daily_reason", "fail_tomorrow_next", FailureAction.STORE
    ),
    "YEARLY_LIMIT_REACHED": FailureText(
        "fail_limit_title", "fail_yearly_reason", "fail_contact_wallet_next", FailureAction.STORE
    ),
    "BINDING_REVOKED": FailureText(
        "fail_revoked_title", "fail_revoked_reason", "fail_bind_next", FailureAction.BIND,
        "BINDING_REVOKED",
    ),
    "BINDING_EXPIRED": FailureText(
        "fail_expired_title", "fail_expired_reason", "fail_bind_next", FailureAction.BIND,
        "BINDING_EXPIRED",
    ),
    "PAYMENT_DECLINED": FailureText(
        "fail_declined_title", "fail_declined_reason", "fail_contact_wallet_next",
        FailureAction.STORE,
    ),
    "WALLET_UNAVAILABLE": FailureText(
        "fail_unavailable_title", "fail_unavailable_reason", "fail_later_next", FailureAction.RETRY
    ),
    "PAYMENT_TIMEOUT": FailureText(
        "fail_timeout_title", "fail_timeout_reason", "fail_later_next", FailureAction.RETRY
    ),
    "PRICE_CHANGED": FailureText(
        "fail_price_title", "fail_price_reason", "fail_price_next", FailureAction.RETRY
    ),
    "CURRENCY_MISMATCH": FailureText(
        "fail_currency_title", "fail_currency_reason", "fail_other_item_next", FailureAction.STORE
    ),
    "SPENDING_CAP": FailureText(
        "fail_cap_title", "fail_cap_reason", "fail_tomorrow_next", FailureAction.STORE
    ),
    "PURCHASES_LOCKED": FailureText(
        "fail_locked_title", "fail_locked_reason", "fail_later_next", FailureAction.STORE
    ),
}
_PURCHASE_OTHER = FailureText(
    "fail_generic_title", "fail_generic_reason", "fail_later_next", FailureAction.RETRY
)

_BIND: dict[str, FailureText] = {
    "DECLINED": FailureText(
        "bind_declined_title", "bind_declined_reason", "fail_contact_wallet_next",
        FailureAction.BIND,
    ),
    "WALLET_UNAVAILABLE": FailureText(
        "bind_failed_title", "bind_unavailable_reason", "fail_later_next", FailureAction.BIND
    ),
    "KEYRING_UNAVAILABLE": FailureText(
        "bind_failed_title", "bind_keyring_reason", "bind_keyring_next", FailureAction.STORE
    ),
}
_BIND_OTHER = FailureText(
    "bind_failed_title", "bind_failed_reason", "fail_later_next", FailureAction.BIND
)


def purchase_failure(code: str | None) -> FailureText:
    """The texts for a purchase that failed (or could not be created) with `code`."""
    return _PURCHASE.get(code or "", _PURCHASE_OTHER)


def bind_failure(state: str, code: str | None) -> FailureText:
    """The texts for a bind session that ended `DECLINED`/`FAILED` (with `code`)."""
    if state == "DECLINED":
        return _BIND["DECLINED"]
    return _BIND.get(code or "", _BIND_OTHER)
