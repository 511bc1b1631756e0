"""The sandbox's wallet accounts: seeded test buyers, their balances and their spending caps.

Each wallet has a few seeded buyers (docs/sandbox.md lists them): a comfortable balance, a
tiny one for "balance too low", and a large one for the daily / yearly caps. The operator can
change balances. Caps follow `tvclient.money.WALLET_RULES`, counted per buyer on the calendar
of the wallet's home time zone.
"""

from __future__ import annotations

from dataclasses import dataclass

from tvclient.antom import codes
from tvclient.antom.codes import ResultCode
from tvclient.money import WALLET_RULES, Money, Wallet, WalletRules, format_money
from tvclient.sandbox.store import Row, Store
from tvclient.sandbox.times import from_ms

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


def _periods(rules: WalletRules, ms: int) -> tuple[str, str]:
    """The day and year keys a moment counts in, on the wallet's home calendar."""
    local = from_ms(ms).astimezone(rules.timezone)
    return f"D{local.date().isoformat()}", f"Y{local.year}"


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

    def count_spend(self, buyer_id: str, wallet: str, created_ms: int, minor: int) -> None:
        """Add (or, negative, take back) an amount to the buyer's day and year totals.

        What counts: payments that took the money or hold it (PROCESSING), on the day of
        their request. A payment that fails or is cancelled before it was paid is taken back;
        refunds and cancellations of paid payments do not give the allowance back.
        """
        for period in _periods(rules_of(wallet), created_ms):
            self._store.execute(
                "INSERT INTO spend (buyer_id, period, amount) VALUES (?, ?, ?) "
                "ON CONFLICT (buyer_id, period) DO UPDATE SET amount = amount + excluded.amount",
                (buyer_id, period, minor),
            )

    def _spent(self, buyer_id: str, period: str) -> int:
        value = self._store.scalar(
            "SELECT amount FROM spend WHERE buyer_id = ? AND period = ?", (buyer_id, period)
        )
        return int(value or 0)

    def check_caps(self, buyer_id: str, rules: WalletRules, amount: Money, now_ms: int) -> (
        tuple[ResultCode, str] | None
    ):
        """The failure a payment of `amount` now would hit on the daily / yearly caps, or None."""
        day, year = _periods(rules, now_ms)
        if rules.max_per_day is not None:
            spent = self._spent(buyer_id, day)
            if spent + amount.minor > rules.max_per_day.minor:
                return codes.USER_AMOUNT_EXCEED_LIMIT, (
                    f"the daily limit of {format_money(rules.max_per_day)} would be exceeded "
                    f"({format_money(Money(spent, amount.currency))} already paid today)"
                )
        if rules.max_per_year is not None:
            spent = self._spent(buyer_id, year)
            if spent + amount.minor > rules.max_per_year.minor:
                return codes.USER_AMOUNT_EXCEED_LIMIT, (
                    f"the yearly limit of {format_money(rules.max_per_year)} would be exceeded "
                    f"({format_money(Money(spent, amount.currency))} already paid this year)"
                )
        return None


def rules_of(wallet: str) -> WalletRules:
    """The rules of a wallet the sandbox supports (the caller checked the name)."""
    return WALLET_RULES[Wallet(wallet)]
