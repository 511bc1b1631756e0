"""Every failure code of the contract maps to a next step the UI can offer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tvclient.device.nextstep import (
    PURCHASE_FAILURES,
    REQUEST_ERRORS,
    NextStep,
    bind_next_step,
    next_step,
)

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "device-api.md"


def contract_codes(section: str) -> set[str]:
    """The codes listed in one table of docs/device-api.md."""
    text = CONTRACT.read_text()
    part = text.split(section, 1)[1].split("\n\n", 2)[1]
    return set(re.findall(r"^\|(?: \d{3} \|)? `([A-Z_]+)`", part, re.MULTILINE))


def test_every_request_error_code_in_the_contract_is_mapped() -> None:
    """The request error table of docs/device-api.md is covered code by code."""
    codes = contract_codes("Request errors")
    assert "PRICE_CHANGED" in codes
    assert codes <= set(REQUEST_ERRORS)


def test_every_purchase_failure_code_in_the_contract_is_mapped() -> None:
    """The purchase failure table of docs/device-api.md is covered code by code."""
    codes = contract_codes("Purchase failure codes")
    assert "INSUFFICIENT_BALANCE" in codes
    assert codes <= set(PURCHASE_FAILURES)


@pytest.mark.parametrize(
    ("code", "step"),
    [("INSUFFICIENT_BALANCE", NextStep.TOP_UP), ("BINDING_REVOKED", NextStep.BIND_AGAIN),
     ("DAILY_LIMIT_REACHED", NextStep.TRY_TOMORROW), ("PAYMENT_DECLINED", NextStep.CONTACT_WALLET),
     ("BELOW_MINIMUM", NextStep.CHOOSE_ANOTHER), ("PRICE_CHANGED", NextStep.REVIEW_PRICE),
     ("SPENDING_CAP", NextStep.TRY_TOMORROW), ("KEYRING_UNAVAILABLE", NextStep.CONTACT_OPERATOR),
     ("SOMETHING_NEW", NextStep.TRY_LATER), (None, NextStep.TRY_LATER)],
)
def test_next_step_by_code(code: str | None, step: NextStep) -> None:
    """Codes map as the contract says; unknown codes mean "try later", nothing drastic."""
    assert next_step(code) is step


def test_not_found_depends_on_what_was_not_found() -> None:
    """A missing binding means binding again; a missing product means choosing another."""
    assert next_step("NOT_FOUND", field="binding") is NextStep.BIND_AGAIN
    assert next_step("NOT_FOUND", field="product_id") is NextStep.CHOOSE_ANOTHER


@pytest.mark.parametrize(
    ("state", "code", "step"),
    [("BOUND", None, NextStep.NONE), ("EXPIRED", None, NextStep.BIND_AGAIN),
     ("DECLINED", None, NextStep.CONTACT_WALLET), ("FAILED", "CANCELLED", NextStep.NONE),
     ("FAILED", "WALLET_UNAVAILABLE", NextStep.TRY_LATER),
     ("FAILED", "AUTHORIZATION_FAILED", NextStep.BIND_AGAIN),
     ("FAILED", "KEYRING_UNAVAILABLE", NextStep.CONTACT_OPERATOR),
     ("FAILED", "UNAUTHENTICATED", NextStep.TRY_AGAIN), ("FAILED", "ODD", NextStep.TRY_LATER)],
)
def test_bind_outcomes(state: str, code: str | None, step: NextStep) -> None:
    """How a bind attempt ended decides what the Scan screen offers next."""
    assert bind_next_step(state, code) is step
