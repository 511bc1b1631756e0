"""What the buyer should do next after a failure, decided from the stable code.

Every purchase failure code and every request error code of docs/device-api.md maps to one
`NextStep`; the UI owns the words and their translations, this module owns the decision.
Local codes (spending cap, keyring, ...) map here too. An unknown code means "try later":
the device never guesses anything more drastic from a code it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "BIND_OUTCOMES",
    "PURCHASE_FAILURES",
    "REQUEST_ERRORS",
    "NextStep",
    "bind_next_step",
    "next_step",
]


class NextStep(StrEnum):
    """The one thing the Failure screen offers."""

    NONE = "none"                      # nothing to do (the buyer cancelled)
    TRY_AGAIN = "try_again"            # the same action may work right now (new press)
    TRY_LATER = "try_later"            # something is temporarily unavailable
    TRY_TOMORROW = "try_tomorrow"      # a daily limit was reached
    TOP_UP = "top_up"                  # not enough money in the wallet
    BIND_AGAIN = "bind_again"          # the link to the wallet is gone; scan a new QR
    CHOOSE_ANOTHER = "choose_another"  # this item cannot be bought with this wallet
    REVIEW_PRICE = "review_price"      # the price changed; show the new one before paying
    CONTACT_WALLET = "contact_wallet"  # the wallet refused; only the wallet can help
    CONTACT_OPERATOR = "contact_operator"  # the device itself needs fixing (keyring, enrolment)


# Purchase failure codes (`failure.code` of a FAILED or CANCELLED purchase).
PURCHASE_FAILURES: Mapping[str, NextStep] = MappingProxyType({
    "BELOW_MINIMUM": NextStep.CHOOSE_ANOTHER,
    "ABOVE_TRANSACTION_LIMIT": NextStep.CHOOSE_ANOTHER,
    "DAILY_LIMIT_REACHED": NextStep.TRY_TOMORROW,
    "YEARLY_LIMIT_REACHED": NextStep.CONTACT_WALLET,
    "INSUFFICIENT_BALANCE": NextStep.TOP_UP,
    "BINDING_REVOKED": NextStep.BIND_AGAIN,
    "BINDING_EXPIRED": NextStep.BIND_AGAIN,
    "PAYMENT_DECLINED": NextStep.CONTACT_WALLET,
    "WALLET_UNAVAILABLE": NextStep.TRY_LATER,
    "PAYMENT_TIMEOUT": NextStep.TRY_LATER,
    # an operator cancelled the purchase after sale and the buyer got the money back
    "MERCHANT_CANCELLED": NextStep.NONE,
})

# Request error codes (nothing created, nothing charged) and the device's own codes.
REQUEST_ERRORS: Mapping[str, NextStep] = MappingProxyType({
    "VALIDATION_ERROR": NextStep.TRY_LATER,
    "SLOW_DOWN": NextStep.TRY_LATER,
    "UNAUTHENTICATED": NextStep.BIND_AGAIN,
    "ENROLMENT_REFUSED": NextStep.CONTACT_OPERATOR,
    "NOT_FOUND": NextStep.CHOOSE_ANOTHER,
    "IDEMPOTENCY_KEY_REUSED": NextStep.TRY_AGAIN,
    "PRICE_CHANGED": NextStep.REVIEW_PRICE,
    "BINDING_REVOKED": NextStep.BIND_AGAIN,
    "BINDING_EXPIRED": NextStep.BIND_AGAIN,
    "CURRENCY_MISMATCH": NextStep.CHOOSE_ANOTHER,
    "BODY_TOO_LARGE": NextStep.TRY_LATER,
    "RATE_LIMITED": NextStep.TRY_LATER,
    "BACKEND_UNAVAILABLE": NextStep.TRY_LATER,
    # local codes
    "UNREACHABLE": NextStep.TRY_LATER,
    "PROTOCOL": NextStep.TRY_LATER,
    "NOT_BOUND": NextStep.BIND_AGAIN,
    "SPENDING_CAP": NextStep.TRY_TOMORROW,
    "SAFETY_CHECK": NextStep.CONTACT_OPERATOR,
    "KEYRING_UNAVAILABLE": NextStep.CONTACT_OPERATOR,
    "VAULT": NextStep.CONTACT_OPERATOR,
    "SETTINGS": NextStep.CONTACT_OPERATOR,
    "PURCHASE_PENDING": NextStep.TRY_LATER,
    "OUTCOME_UNKNOWN": NextStep.CONTACT_WALLET,
})

# How bind sessions end (by final state, then by `failure.code` for FAILED).
BIND_OUTCOMES: Mapping[str, NextStep] = MappingProxyType({
    "EXPIRED": NextStep.BIND_AGAIN,
    "DECLINED": NextStep.CONTACT_WALLET,
    "CANCELLED": NextStep.NONE,
    "WALLET_UNAVAILABLE": NextStep.TRY_LATER,
    # the buyer agreed, but the backend could not finish in time: a new QR works
    "AUTHORIZATION_FAILED": NextStep.BIND_AGAIN,
    # the device re-enrols by itself; a new attempt then works
    "UNAUTHENTICATED": NextStep.TRY_AGAIN,
})


def next_step(code: str | None, *, field: str | None = None) -> NextStep:
    """The next step for a purchase failure code or a request error code.

    `field` refines NOT_FOUND: a binding that is not found means binding again, anything else
    (the product) means choosing another item.
    """
    if code is None:
        return NextStep.TRY_LATER
    if code == "NOT_FOUND" and field == "binding":
        return NextStep.BIND_AGAIN
    return PURCHASE_FAILURES.get(code) or REQUEST_ERRORS.get(code) or NextStep.TRY_LATER


def bind_next_step(state: str, code: str | None = None) -> NextStep:
    """The next step after a bind session ended in `state` (with `failure.code` for FAILED)."""
    if state == "BOUND":
        return NextStep.NONE
    if state in ("EXPIRED", "DECLINED"):
        return BIND_OUTCOMES[state]
    if code is not None and code in BIND_OUTCOMES:
        return BIND_OUTCOMES[code]
    if code is not None and code in REQUEST_ERRORS:
        return REQUEST_ERRORS[code]
    return NextStep.TRY_LATER
