"""Booth abuse: visitors on the booth's network, and the next visitor at the same TV.

Threats at a demo booth: visitors' phones share a network with the booth machine, so they can
reach what it serves; a visitor walks away leaving a wallet linked to the booth's TV, and the
next visitor buys with it or looks at the first one's purchases.

Defences proven here:

- the embedded stack serves the merchant backend on loopback only; only the sandbox (the
  phone wallet page) listens on the booth's network address, and its operator API needs the
  operator token (a phone can agree to a QR it has scanned, nothing more);
- resetting the TV between visitors (`AccountService.reset`, what the booth's inactivity
  reset calls) revokes the binding at the backend and at Antom, forgets both secrets, and the
  next visitor is a new device that sees none of the previous visitor's binding or purchases.

Kiosk lock-down and the attract loop are the booth app's own (not in this suite).
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests.reliability.stacks import wired_stack
from tests.security.devices import tv
from tvclient.booth.stack import EmbeddedStack
from tvclient.device.memory_keyring import MemoryKeyring
from tvclient.device.purchase import PurchasePhase

LAN = "127.0.0.2"  # stands for the booth's network address: loopback, but not 127.0.0.1


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def test_the_booth_backend_is_not_on_the_booth_network(tmp_path: Path) -> None:
    """Phones reach the wallet page; the backend and the operator controls stay out of reach."""
    stack = EmbeddedStack(tmp_path / "demo", sandbox_host=LAN)
    urls = stack.start()
    try:
        backend = httpx.URL(urls.backend_url)
        assert backend.host == "127.0.0.1"
        assert backend.port is not None
        assert not _reachable(LAN, backend.port)
        assert _reachable("127.0.0.1", backend.port)
        sandbox = httpx.URL(urls.sandbox_url)
        assert sandbox.port is not None
        assert _reachable(LAN, sandbox.port)
        with httpx.Client(trust_env=False, timeout=10) as http:
            base = f"http://{LAN}:{sandbox.port}"
            assert http.get(f"{base}/healthz").status_code == 200
            assert http.get(f"{base}/operator/v1/payments").status_code == 401
            forged = http.get(f"{base}/operator/v1/payments",
                              headers={"Authorization": "Bearer guessed-token"})
            assert forged.status_code == 401
            catalog = http.get(f"{urls.backend_url}/v1/catalog")
            assert catalog.status_code == 401  # even on loopback: no credential, nothing
    finally:
        stack.stop()


async def test_a_reset_leaves_nothing_for_the_next_visitor(tmp_path: Path) -> None:
    """After the reset: binding revoked here and at Antom, vault empty, history out of reach."""
    keyring = MemoryKeyring()
    async with wired_stack(tmp_path) as stack:
        first = tv(stack, keyring, tmp_path / "settings.json")
        await first.account.start()
        bound = await first.bind()
        assert bound.binding is not None
        paid = await first.pay()
        assert paid.phase is PurchasePhase.SUCCEEDED
        assert paid.purchase is not None
        old_credential = first.vault.credential()
        old_ref = bound.binding.ref

        await first.account.reset()

        assert keyring.items == {}
        admin = {"Authorization": "Bearer admin-secret"}
        binding = (await stack.device.get(f"/admin/v1/bindings/{old_ref}", headers=admin)).json()
        assert (binding["state"], binding["revoked_by"]) == ("REVOKED", "DEVICE")
        antom = (await stack.operator.get("/operator/v1/bindings")).json()["bindings"]
        assert [b["status"] for b in antom] == ["REVOKED"]

        second = tv(stack, keyring, tmp_path / "settings.json")
        status = await second.account.start()
        assert not status.bound
        new_credential = second.vault.credential()
        assert new_credential not in (None, old_credential)
        headers = {"Authorization": f"Bearer {new_credential}"}
        for path in (f"/v1/bindings/{old_ref}", f"/v1/purchases/{paid.purchase.id}",
                     f"/v1/purchases?binding={old_ref}"):
            assert (await stack.device.get(path, headers=headers)).status_code == 404
        await first.http.aclose()
        await second.http.aclose()


