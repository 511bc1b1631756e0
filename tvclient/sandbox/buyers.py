"""The sandbox's wallet accounts: seeded test buyers, their balances and their spending caps.

Each wallet has a few seeded buyers (docs/sandbox.md lists them): a comfortable balance, a
tiny one for "balance too low", and a large one for the daily / yearly caps. The operator can
change balances. Caps follow `tvclient.money.WALLET_RULES`, counted per buyer on the calendar
of the wallet's home time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tvclient.antom import codes
from tvclient.antom.codes import ResultCode
from tvclient.money import WALLET_RULES, Money, Wallet, WalletRules, format_money
from tvclient.sandbox.store import Row, Store
from tvclient.sandbox.times import from_ms, to_ms

__all__ = ["SEED_BUYERS", "Buyers", "SeedBuyer", "mask_login", "rules_of"]


@dataclass(frozen=True, slots=True)
class SeedBuyer:
    """A test buyer created on first start."""

    buyer_id: str
    wallet: Wallet
    name: str
    login_id: str
    balance: Money


SEED_BUYERS: tuple[SeedBuyer, ...] = (
    SeedBuyer("hk-alice", Wallet.ALIPAY_HK, "Alice Chan", "+852-55500101", Money(500_000, "HKD")),
    SeedBuyer("hk-ben", Wallet.ALIPAY_HK, "Ben Wong", "+852-55500102", Money(100, "HKD")),
    SeedBuyer("hk-carol", Wallet.ALIPAY_HK, "Carol Lee", "+852-55500103", Money(25_000_000, "HKD")),
    SeedBuyer("id-dewi", Wallet.DANA, "Dewi Lestari", "+62-81255500101", Money(500_000_000, "IDR")),
    SeedBuyer("id-eko", Wallet.DANA, "Eko Saputra", "+62-81255500102", Money(100_000, "IDR")),
    SeedBuyer(
        "id-fajar", Wallet.DANA, "Fajar Nugroho", "+62-81255500103", Money(5_000_000_000, "IDR")
    ),
)


def mask_login(login_id: str) -> str:
    """A login ID as wallets show it to merchants: `+852-555****01`."""
    if len(login_id) <= 4:
        return "*" * len(login_id)
    keep = max(1, len(login_id) // 3)
    return login_id[:keep] + "****" + login_id[-2:]


def _year_bounds(rules: WalletRules, moment: dt.datetime) -> tuple[int, int]:
    local = moment.astimezone(rules.timezone)
    start = dt.datetime(local.year, 1, 1, tzinfo=rules.timezone)
    end = dt.datetime(local.year + 1, 1, 1, tzinfo=rules.timezone)
    return to_ms(start), to_ms(end)


def _day_bounds(rules: WalletRules, moment: dt.datetime) -> tuple[int, int]:
    day = rules.day_of(moment)
    start = dt.datetime(day.year, day.month, day.day, tzinfo=rules.timezone)
    # Aware arithmetic with a ZoneInfo is wall-clock arithmetic: this is the next local midnight.
    end = start + dt.timedelta(days=1)
    return to_ms(start), to_ms(end)


class Buyers:
    """Reads and changes buyer accounts (inside the caller's transaction where it writes)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def seed_if_empty(self) -> None:
        """Create the seeded buyers on a fresh database."""
        if self._store.scalar("SELECT COUNT(*) FROM buyers"):
            return
        with self._store.transaction():
            for position, seed in enumerate(SEED_BUYERS):
                self._store.execute(
                    "INSERT INTO buyers (buyer_id, wallet, name, login_id, currency, balance, "
                    "position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        seed.buyer_id, seed.wallet.value, seed.name, seed.login_id,
                        seed.balance.currency, seed.balance.minor, position,
                    ),
                )

    def get(self, buyer_id: str) -> Row | None:
        """One buyer, or None."""
        return self._store.one("SELECT * FROM buyers WHERE buyer_id = ?", (buyer_id,))

    def all(self) -> list[Row]:
        """Every buyer, in seed order."""
        return self._store.all("SELECT * FROM buyers ORDER BY position, buyer_id")

    def of_wallet(self, wallet: str) -> list[Row]:
        """The buyers of one wallet, in seed order."""
        return self._store.all(
            "SELECT * FROM buyers WHERE wallet = ? ORDER BY position, buyer_id", (wallet,)
        )

    def set_balance(self, buyer_id: str, minor: int) -> None:
        """Set a balance (inside a transaction)."""
        self._store.execute("UPDATE buyers SET balance = ? WHERE buyer_id = ?", (minor, buyer_id))

    def debit(self, buyer_id: str, minor: int) -> bool:
        """Take `minor` from the balance if it is there; False when the balance is too low."""
        changed = self._store.execute(
            "UPDATE buyers SET balance = balance - ? WHERE buyer_id = ? AND balance >= ?",
            (minor, buyer_id, minor),
        )
        return changed == 1

    def credit(self, buyer_id: str, minor: int) -> None:
        """Give `minor` back to the balance (refunds, cancels, failed settlements)."""
        self._store.execute(
            "UPDATE buyers SET balance = balance + ? WHERE buyer_id = ?", (minor, buyer_id)
        )

    def _counted(self, buyer_id: str, start: int, end: int) -> int:
        # What counts against a cap: payments that took money or still may (PROCESSING), by
        # request time. Refunds and cancels do not give the allowance back.
        total = self._store.scalar(
            "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE buyer_id = ? "
            "AND created_at >= ? AND created_at < ? "
            "AND (status IN ('SUCCESS', 'PROCESSING') OR paid_at IS NOT NULL)",
            (buyer_id, start, end),
        )
        return int(total)

    def check_caps(self, buyer_id: str, rules: WalletRules, amount: Money, now_ms: int) -> (
        tuple[ResultCode, str] | None
    ):
        """The failure a payment of `amount` now would hit on the daily / yearly caps, or None."""
        moment = from_ms(now_ms)
        if rules.max_per_day is not None:
            start, end = _day_bounds(rules, moment)
            spent = self._counted(buyer_id, start, end)
            if spent + amount.minor > rules.max_per_day.minor:
                return codes.USER_AMOUNT_EXCEED_LIMIT, (
                    f"the daily limit of {format_money(rules.max_per_day)} would be exceeded "
                    f"({format_money(Money(spent, amount.currency))} already paid today)"
                )
        if rules.max_per_year is not None:
            start, end = _year_bounds(rules, moment)
            spent = self._counted(buyer_id, start, end)
            if spent + amount.minor > rules.max_per_year.minor:
                return codes.USER_AMOUNT_EXCEED_LIMIT, (
                    f"the yearly limit of {format_money(rules.max_per_year)} would be exceeded "
                    f"({format_money(Money(spent, amount.currency))} already paid this year)"
                )
        return None


def rules_of(wallet: str) -> WalletRules:
    """The rules of a wallet the sandbox supports (the caller checked the name)."""
    return WALLET_RULES[Wallet(wallet)]
