"""The backend against the real sandbox in process: bind, buy, faults, after-sale."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.merchant.stack import Stack, in_process_stack


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """Sandbox + backend in process with one enrolled device."""
    async with in_process_stack(tmp_path) as running:
        await running.enrol()
        yield running


async def test_bind_and_buy_against_the_sandbox(stack: Stack) -> None:
    """A buyer approves the QR; the device is BOUND and a purchase SUCCEEDS, charged once."""
    binding = await stack.bind()
    created = await stack.buy(binding, key="first")
    assert created.status_code == 201
    purchase = await stack.final(created.json()["id"])
    assert purchase["state"] == "SUCCEEDED", purchase
    payments = await stack.sandbox_payments()
    assert len(payments) == 1


async def _buy_final(stack: Stack, binding: str, key: str, **kwargs: Any) -> dict[str, Any]:
    created = await stack.buy(binding, key=key, **kwargs)
    assert created.status_code == 201, created.text
    return await stack.final(created.json()["id"])


async def _charged(stack: Stack) -> list[dict[str, Any]]:
    return [p for p in await stack.sandbox_payments() if p.get("status") == "SUCCESS"]


async def test_unknown_pay_outcome_resolves_by_inquiry(stack: Stack) -> None:
    """Sandbox answers pay U and settles 10 s later: the purchase SUCCEEDS, charged once."""
    binding = await stack.bind()
    await stack.fault("pay", "unknown", count=1, seconds=10, outcome="success")
    purchase = await _buy_final(stack, binding, "u")
    assert purchase["state"] == "SUCCEEDED"
    assert len(await _charged(stack)) == 1


async def test_unknown_pay_that_fails_later_is_failed(stack: Stack) -> None:
    """U that settles as a failure ends FAILED, never SUCCEEDED."""
    binding = await stack.bind()
    await stack.fault("pay", "unknown", count=1, seconds=5, outcome="fail")
    purchase = await _buy_final(stack, binding, "uf")
    assert purchase["state"] == "FAILED"
    assert await _charged(stack) == []


async def test_pay_timeout_after_antom_took_the_money_is_charged_once(tmp_path: Path) -> None:
    """Pay processed at the sandbox but its answer never arrives: inquiry finds it, one charge."""
    async with in_process_stack(tmp_path, antom_timeout=0.3) as stack:
        await stack.enrol()
        binding = await stack.bind()
        await stack.fault("pay", "timeout", count=1, processed=True)
        purchase = await _buy_final(stack, binding, "t")
        assert purchase["state"] == "SUCCEEDED"
        assert len(await _charged(stack)) == 1


async def test_pay_5xx_before_processing_is_sent_again(stack: Stack) -> None:
    """HTTP 500 before the sandbox recorded the pay: re-sent with the same id, charged once."""
    binding = await stack.bind()
    await stack.fault("pay", "http_error", count=1, status=503, processed=False)
    purchase = await _buy_final(stack, binding, "5xx")
    assert purchase["state"] == "SUCCEEDED"
    payments = await stack.sandbox_payments()
    assert len(payments) == 1
    assert len(await _charged(stack)) == 1


async def test_payment_unknown_past_expiry_is_cancelled(stack: Stack) -> None:
    """A payment still PROCESSING when it expires is cancelled; the buyer pays nothing."""
    binding = await stack.bind()
    await stack.fault("pay", "unknown", count=1, seconds=300, outcome="success")
    purchase = await _buy_final(stack, binding, "late")
    assert purchase["state"] in {"CANCELLED", "FAILED"}, purchase
    assert purchase["failure"]["code"] in {"PAYMENT_TIMEOUT"}
    assert await _charged(stack) == []


@pytest.mark.parametrize("kind", ["duplicate", "out_of_order", "delay", "drop"])
async def test_payment_notification_faults_leave_one_correct_outcome(
    stack: Stack, kind: str
) -> None:
    """Duplicated, reordered, late or lost notifyPayment: the purchase ends SUCCEEDED once."""
    binding = await stack.bind()
    await stack.fault("notifyPayment", kind, count=2, seconds=20)
    first = await _buy_final(stack, binding, f"{kind}-1")
    second = await _buy_final(stack, binding, f"{kind}-2")
    await stack.run(30)
    assert first["state"] == second["state"] == "SUCCEEDED"
    assert len(await _charged(stack)) == 2


async def test_duplicated_authorization_notification_binds_once(stack: Stack) -> None:
    """AUTHCODE_CREATED sent twice: one binding, one token exchange."""
    await stack.fault("notifyAuthorization", "duplicate", count=1)
    binding = await stack.bind()
    await stack.settle()
    async with stack.backend.db.read() as conn:
        count = (await conn.exec_driver_sql("SELECT count(*) FROM bindings")).scalar_one()
    assert count == 1
    assert binding.startswith("bnd_")


async def test_unlink_in_the_wallet_revokes_the_binding(stack: Stack) -> None:
    """The buyer unlinks in the wallet (TOKEN_CANCELED): the device sees REVOKED/WALLET."""
    binding = await stack.bind()
    bindings = (await stack.operator.get("/operator/v1/bindings")).json()
    rows = bindings["bindings"] if isinstance(bindings, dict) else bindings
    unlink = await stack.operator.post(f"/operator/v1/bindings/{rows[0]['bindingId']}/unlink")
    assert unlink.status_code == 200, unlink.text
    await stack.settle()
    view = (await stack.device.get(f"/v1/bindings/{binding}", headers=stack.headers)).json()
    assert view["state"] == "REVOKED"
    assert view["revoked_by"] == "WALLET"
    refused = await stack.buy(binding, key="after-unlink")
    assert refused.json()["error"]["code"] == "BINDING_REVOKED"


async def test_unbind_from_the_device_revokes_at_antom(stack: Stack) -> None:
    """DELETE /v1/bindings/{ref} revokes the token at the sandbox; repeating is harmless."""
    binding = await stack.bind()
    first = await stack.device.delete(f"/v1/bindings/{binding}", headers=stack.headers)
    again = await stack.device.delete(f"/v1/bindings/{binding}", headers=stack.headers)
    assert first.json()["state"] == again.json()["state"] == "REVOKED"
    assert first.json()["revoked_by"] == "DEVICE"
    rows = (await stack.operator.get("/operator/v1/bindings")).json()
    rows = rows["bindings"] if isinstance(rows, dict) else rows
    assert all(row.get("status", row.get("state")) != "ACTIVE" for row in rows), rows


async def test_dana_binding_pays_in_idr(stack: Stack) -> None:
    """A DANA binding buys in rupiah."""
    binding = await stack.bind("DANA")
    purchase = await _buy_final(
        stack, binding, "idr", amount={"currency": "IDR", "value": 7_500_000}
    )
    assert purchase["state"] == "SUCCEEDED"
    assert purchase["amount"] == {"currency": "IDR", "value": 7_500_000}


async def test_full_and_partial_refunds_through_the_admin_api(stack: Stack) -> None:
    """Partial then full refund; the sum never exceeds what was paid."""
    binding = await stack.bind()
    purchase = await _buy_final(stack, binding, "refund-me")
    admin = {"Authorization": "Bearer admin-secret"}
    url = f"/admin/v1/purchases/{purchase['id']}/refunds"
    part = await stack.device.post(
        url, json={"amount": {"currency": "HKD", "value": 1000}}, headers=admin
    )
    assert part.status_code == 201, part.text
    assert part.json()["state"] == "SUCCEEDED"
    too_much = await stack.device.post(
        url, json={"amount": {"currency": "HKD", "value": 2900}}, headers=admin
    )
    assert too_much.status_code == 409
    assert too_much.json()["error"]["code"] == "REFUND_AMOUNT_EXCEED"
    rest = await stack.device.post(url, json={}, headers=admin)
    assert rest.json()["amount_minor"] == 2800
    await stack.settle()
    after = await stack.purchase(purchase["id"])
    assert after["state"] == "REFUNDED"
    assert after["refunded"] == {"currency": "HKD", "value": 3800}
    status = await stack.device.get(f"/admin/v1/refunds/{part.json()['id']}", headers=admin)
    assert status.json()["antom_refund_status"] == "SUCCESS"


async def test_operator_cancel_refunds_a_paid_purchase(stack: Stack) -> None:
    """Cancel of a paid purchase (same day) → CANCELLED at the sandbox and here."""
    binding = await stack.bind()
    purchase = await _buy_final(stack, binding, "cancel-me")
    admin = {"Authorization": "Bearer admin-secret"}
    cancelled = await stack.device.post(
        f"/admin/v1/purchases/{purchase['id']}/cancel", headers=admin
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "CANCELLED"
    device_view = await stack.purchase(purchase["id"])
    assert device_view["failure"]["code"] == "MERCHANT_CANCELLED"
