"""Wallet limits checked before Antom is called (Antom stays the authority).

Minimum and maximum per payment come from `tvclient.money.WALLET_RULES`; daily and yearly caps
are counted per binding over purchases that are in flight or paid, by the calendar of the
wallet's home time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tvclient.merchant.states import PAID_STATES, PurchaseState
from tvclient.merchant.store.schema import purchases
from tvclient.money import Money, WalletRules

__all__ = ["COUNTED_STATES", "Spending", "check_limits", "spending"]

COUNTED_STATES = (PurchaseState.PROCESSING, *PAID_STATES)


@dataclass(frozen=True, slots=True)
class Spending:
    """What a binding has spent (or has in flight) today and this year, in minor units."""

    day: str
    year: int
    today: int
    this_year: int

    def remaining_today(self, rules: WalletRules) -> Money | None:
        """Room under the daily cap (None when the wallet has none)."""
        if rules.max_per_day is None:
            return None
        return Money(max(rules.max_per_day.minor - self.today, 0), rules.currency)

    def remaining_this_year(self, rules: WalletRules) -> Money | None:
        """Room under the yearly cap (None when the wallet has none)."""
        if rules.max_per_year is None:
            return None
        return Money(max(rules.max_per_year.minor - self.this_year, 0), rules.currency)


async def spending(
    conn: AsyncConnection, binding_ref: str, rules: WalletRules, now: dt.datetime
) -> Spending:
    """Sum a binding's counted purchases for the wallet-local day and year of `now`."""
    day = rules.day_of(now)
    base = select(func.coalesce(func.sum(purchases.c.amount_minor), 0)).where(
        purchases.c.binding_ref == binding_ref, purchases.c.state.in_(COUNTED_STATES)
    )
    today = (await conn.execute(base.where(purchases.c.spend_day == day.isoformat()))).scalar_one()
    year = (await conn.execute(base.where(purchases.c.spend_year == day.year))).scalar_one()
    return Spending(day=day.isoformat(), year=day.year, today=int(today), this_year=int(year))


def check_limits(rules: WalletRules, amount: Money, spent: Spending) -> str | None:
    """The purchase failure code a payment of `amount` would break, or None."""
    if amount < rules.min_per_transaction:
        return "BELOW_MINIMUM"
    if amount > rules.max_per_transaction:
        return "ABOVE_TRANSACTION_LIMIT"
    if rules.max_per_day is not None and spent.today + amount.minor > rules.max_per_day.minor:
        return "DAILY_LIMIT_REACHED"
    if rules.max_per_year is not None and spent.this_year + amount.minor > rules.max_per_year.minor:
        return "YEARLY_LIMIT_REACHED"
    return None
