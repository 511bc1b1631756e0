"""The merchant's back office during the chaos campaign: refunds and cancellations.

While TVs buy, an operator refunds paid purchases (in full or in part) and cancels some
purchases (paid ones, and ones still in flight) through the backend's admin API
(`/admin/v1`), with the sandbox's faults hitting `refund`, `inquiryRefund`, `cancel` and
`notifyRefund` too. An operator whose request got no answer (the backend was killed
mid-call) looks at the purchase before trying again, as the docs tell operators to: admin
refunds are not idempotent, each accepted request is a new refund.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from typing import Any

import httpx
import psycopg

from tests.helpers.pgcluster import libpq_url
from tvclient.money import Wallet, rules_for

__all__ = ["Backoffice"]

_REFUNDABLE = ("SUCCEEDED", "PARTIALLY_REFUNDED")


def _candidate(database: str, states: tuple[str, ...]) -> dict[str, Any] | None:
    """A random purchase in one of `states`, with what is left to refund."""
    with psycopg.connect(libpq_url(database)) as conn:
        row = conn.execute(
            "SELECT p.id, p.amount_minor, p.currency, p.wallet, p.state,"
            " p.amount_minor - COALESCE((SELECT sum(r.amount_minor) FROM refunds r"
            "   WHERE r.purchase_id = p.id AND r.state <> 'FAILED'), 0)"
            " FROM purchases p WHERE p.state = ANY(%s) ORDER BY random() LIMIT 1",
            (list(states),),
        ).fetchone()
    if row is None:
        return None
    return {"id": row[0], "amount": int(row[1]), "currency": row[2], "wallet": row[3],
            "state": row[4], "left": int(row[5])}


class Backoffice:
    """Refunds and cancels through the admin API at random moments.

    Args:
        merchant_url: The backend.
        admin_token: The admin API's bearer token.
        database: The backend's database (to pick purchases, as an operator's screen would).
        rng: Seeded random source.
        every: Seconds between operations (uniform).
    """

    def __init__(
        self,
        merchant_url: str,
        admin_token: str,
        database: str,
        rng: random.Random,
        every: tuple[float, float],
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=merchant_url + "/admin/v1",
            headers={"Authorization": f"Bearer {admin_token}"},
            timeout=30.0,
            trust_env=False,
        )
        self._database = database
        self._rng = rng
        self._every = every
        self.done: Counter[str] = Counter()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def run(self, stop: asyncio.Event) -> None:
        """Operate until `stop`."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._rng.uniform(*self._every))
            if stop.is_set():
                return
            roll = self._rng.random()
            try:
                if roll < 0.75:
                    await self._refund()
                elif roll < 0.9:
                    await self._cancel(("SUCCEEDED",))
                else:
                    await self._cancel(("PROCESSING",))
            except httpx.HTTPError:
                # No answer: the backend died mid-call. The refund (if any) was recorded
                # before Antom was called and recovery finishes it; do not repeat blindly.
                self.done["no answer (looked again, not repeated)"] += 1

    async def _refund(self) -> None:
        purchase = await asyncio.to_thread(_candidate, self._database, _REFUNDABLE)
        if purchase is None or purchase["left"] <= 0:
            return
        minimum = rules_for(Wallet(purchase["wallet"])).min_per_transaction.minor
        step = 100 if purchase["currency"] == "IDR" else 1
        left = purchase["left"]
        if self._rng.random() < 0.4 or left < 2 * minimum:
            amount = left
        else:
            amount = self._rng.randrange(minimum, left // 2 + 1)
            amount -= amount % step
            amount = max(amount, minimum)
        response = await self._http.post(
            f"/purchases/{purchase['id']}/refunds",
            json={"amount": {"currency": purchase["currency"], "value": amount},
                  "reason": "chaos back office"},
        )
        kind = "full" if amount == left else "partial"
        self.done[f"refund {kind} -> {response.status_code}"] += 1

    async def _cancel(self, states: tuple[str, ...]) -> None:
        """Cancel one purchase; on "not confirmed" or no answer, look again and repeat.

        That is what the admin API tells an operator ("run the command again"): a cancel is
        idempotent at Antom, and a cancel whose outcome is unknown is not recorded.
        """
        purchase = await asyncio.to_thread(_candidate, self._database, states)
        if purchase is None:
            return
        label = f"cancel {purchase['state'].lower()}"
        for attempt in range(20):
            if attempt:
                await asyncio.sleep(1.0)
                current = await asyncio.to_thread(_state_of, self._database, purchase["id"])
                if current not in ("SUCCEEDED", "PROCESSING"):
                    self.done[f"{label} -> {current} on a second look"] += 1
                    return
            try:
                response = await self._http.post(f"/purchases/{purchase['id']}/cancel")
            except httpx.HTTPError:
                self.done[f"{label}: no answer, looked again"] += 1
                continue
            code = response.status_code
            detail = response.json().get("error", {}).get("code", "") if code >= 400 else ""
            if code == 409 and detail == "UNKNOWN":
                self.done[f"{label}: not confirmed, ran again"] += 1
                continue
            self.done[f"{label} -> {code} {detail}".strip()] += 1
            return
        self.done[f"{label}: gave up after 20 attempts"] += 1


def _state_of(database: str, purchase_id: str) -> str:
    with psycopg.connect(libpq_url(database)) as conn:
        row = conn.execute("SELECT state FROM purchases WHERE id = %s", (purchase_id,)).fetchone()
    return str(row[0]) if row else "MISSING"
