"""The words for a failure: a title and reason per code, a sentence per next step, a button.

What the buyer should do next is the device core's decision (`tvclient.device.nextstep`, from
the backend's stable codes); this module only turns codes and next steps into catalog keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tvclient.device.nextstep import NextStep, bind_next_step, next_step

__all__ = ["FailureAction", "FailureText", "bind_failure", "purchase_failure", "unknown_outcome"]


class FailureAction(StrEnum):
    """The main button of the Failure screen."""

    BIND = "bind"       # link the wallet (again)
    RETRY = "retry"     # back to the product to try again
    STORE = "store"     # back to the store (choose something else)


@dataclass(frozen=True, slots=True)
class FailureText:
    """Catalog keys for one failure (the texts take `{wallet}` and `{item}`)."""

    title: str
    reason: str
    next_step: str
    action: FailureAction
    # The binding is gone (the code saying how): the badge goes and the next purchase asks to
    # link again.
    binding_lost: str | None = None
    # The stable code and the core's next step, for whoever listens to the failure signals.
    code: str = ""
    step: NextStep = NextStep.TRY_LATER


_STEP_TEXT: dict[NextStep, str] = {step: f"step_{step.value}" for step in NextStep}

_PURCHASE_ACTION: dict[NextStep, FailureAction] = {
    NextStep.BIND_AGAIN: FailureAction.BIND,
    NextStep.TRY_AGAIN: FailureAction.RETRY,
    NextStep.TRY_LATER: FailureAction.RETRY,
    NextStep.TOP_UP: FailureAction.RETRY,
    NextStep.REVIEW_PRICE: FailureAction.RETRY,
    NextStep.TRY_TOMORROW: FailureAction.STORE,
    NextStep.CHOOSE_ANOTHER: FailureAction.STORE,
    NextStep.CONTACT_WALLET: FailureAction.STORE,
    NextStep.CONTACT_OPERATOR: FailureAction.STORE,
    NextStep.NONE: FailureAction.STORE,
}

_BIND_ACTION: dict[NextStep, FailureAction] = {
    **dict.fromkeys(NextStep, FailureAction.BIND),
    NextStep.CONTACT_OPERATOR: FailureAction.STORE,
    NextStep.NONE: FailureAction.STORE,
}

# Title and reason per code: (title key, reason key).
_PURCHASE_WORDS: dict[str, tuple[str, str]] = {
    "INSUFFICIENT_BALANCE": ("fail_balance_title", "fail_balance_reason"),
    "BELOW_MINIMUM": ("fail_limit_title", "fail_below_min_reason"),
    "ABOVE_TRANSACTION_LIMIT": ("fail_limit_title", "fail_above_max_reason"),
    "DAILY_LIMIT_REACHED": ("fail_limit_title", "fail_daily_reason"),
    "YEARLY_LIMIT_REACHED": ("fail_limit_title", "fail_yearly_reason"),
    "BINDING_REVOKED": ("fail_revoked_title", "fail_revoked_reason"),
    "BINDING_EXPIRED": ("fail_expired_title", "fail_expired_reason"),
    "NOT_BOUND": ("fail_revoked_title", "fail_revoked_reason"),
    "PAYMENT_DECLINED": ("fail_declined_title", "fail_declined_reason"),
    "WALLET_UNAVAILABLE": ("fail_unavailable_title", "fail_unavailable_reason"),
    "PAYMENT_TIMEOUT": ("fail_timeout_title", "fail_timeout_reason"),
    "PRICE_CHANGED": ("fail_price_title", "fail_price_reason"),
    "CURRENCY_MISMATCH": ("fail_currency_title", "fail_currency_reason"),
    "SPENDING_CAP": ("fail_cap_title", "fail_cap_reason"),
    "PURCHASES_LOCKED": ("fail_locked_title", "fail_locked_reason"),
    "KEYRING_UNAVAILABLE": ("fail_device_title", "fail_keyring_reason"),
    "VAULT": ("fail_device_title", "fail_keyring_reason"),
    "SETTINGS": ("fail_device_title", "fail_settings_reason"),
    "ENROLMENT_REFUSED": ("fail_device_title", "fail_enrolment_reason"),
}
_PURCHASE_OTHER = ("fail_generic_title", "fail_generic_reason")
_LOST = {"BINDING_REVOKED": "BINDING_REVOKED", "BINDING_EXPIRED": "BINDING_EXPIRED",
         "NOT_BOUND": "BINDING_REVOKED"}

_BIND_WORDS: dict[str, tuple[str, str]] = {
    "DECLINED": ("bind_declined_title", "bind_declined_reason"),
    "WALLET_UNAVAILABLE": ("bind_failed_title", "bind_unavailable_reason"),
    "KEYRING_UNAVAILABLE": ("bind_failed_title", "fail_keyring_reason"),
    "VAULT": ("bind_failed_title", "fail_keyring_reason"),
    "ENROLMENT_REFUSED": ("bind_failed_title", "fail_enrolment_reason"),
}
_BIND_OTHER = ("bind_failed_title", "bind_failed_reason")


def purchase_failure(
    code: str | None, *, field: str | None = None, step: NextStep | None = None
) -> FailureText:
    """The texts for a purchase that failed (or was refused) with `code`.

    `step` is the core's decision when it made one (a flow snapshot carries it); otherwise it
    is looked up from the code.
    """
    step = step or next_step(code, field=field)
    if code == "NOT_FOUND" and field == "binding":
        code = "NOT_BOUND"
    title, reason = _PURCHASE_WORDS.get(code or "", _PURCHASE_OTHER)
    return FailureText(
        title, reason, _STEP_TEXT[step], _PURCHASE_ACTION[step], _LOST.get(code or ""),
        code=code or "", step=step,
    )


def bind_failure(state: str, code: str | None) -> FailureText:
    """The texts for a bind session that ended `DECLINED`/`FAILED` (with `code`)."""
    step = bind_next_step(state, code)
    key = "DECLINED" if state == "DECLINED" else (code or "")
    title, reason = _BIND_WORDS.get(key, _BIND_OTHER)
    return FailureText(
        title, reason, _STEP_TEXT[step], _BIND_ACTION[step], code=code or state, step=step
    )


def unknown_outcome() -> FailureText:
    """The device can no longer find out how a payment ended: never "failed", see the wallet."""
    return FailureText(
        "unknown_title", "unknown_reason", _STEP_TEXT[NextStep.CONTACT_WALLET], FailureAction.STORE,
        code="OUTCOME_UNKNOWN", step=NextStep.CONTACT_WALLET,
    )
