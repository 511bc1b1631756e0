"""Pending purchase intents: what was pressed, kept until the backend gives its final answer.

A purchase intent (one press of Pay) gets one idempotency key. The intent is written to the
device's state store *before* the first request and removed only once the outcome is known, so
an app that dies mid-purchase finds it at the next start and asks again with the same key and
the same body: the backend answers the existing purchase instead of charging twice.

The binding reference belongs in the keyring, not in a settings file, so an intent stores only
a SHA-256 fingerprint of it; the flow gets the reference back from the vault and checks the
fingerprint. Once the backend has answered once, the purchase id is stored too, and from then
on the intent can be followed without the reference at all.

Records that cannot be read are reported (warning) and left in the store untouched, never
dropped silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, replace

from tvclient.device.client import IDEMPOTENCY_KEY_RE
from tvclient.device.safety.store import JsonValue, StateStore
from tvclient.money import Money, MoneyError

__all__ = ["INTENTS_KEY", "IntentStore", "PendingPurchase", "binding_fingerprint", "new_key"]

_log = logging.getLogger(__name__)

INTENTS_KEY = "device.pending_purchases"


def new_key() -> str:
    """A fresh idempotency key: 32 random URL-safe characters (A-Z a-z 0-9 _ -)."""
    return secrets.token_urlsafe(24)


def binding_fingerprint(ref: str) -> str:
    """The SHA-256 of a binding reference, hex (what an intent stores instead of the ref)."""
    return hashlib.sha256(ref.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class PendingPurchase:
    """A purchase intent whose final answer is not known yet.

    Attributes:
        key: The idempotency key, the same on every request of this intent.
        product_id: The product bought.
        title: Its title as shown on the Pay control (for the screens after a restart).
        amount: The amount the buyer saw and the request carries.
        binding_sha256: The fingerprint of the binding reference the request carries.
        created_at: When Pay was pressed.
        purchase_id: The backend's purchase id, once it has answered once.
    """

    key: str
    product_id: str
    title: str
    amount: Money
    binding_sha256: str
    created_at: dt.datetime
    purchase_id: str | None = None

    def matches(self, binding_ref: str) -> bool:
        """Whether `binding_ref` is the reference this intent was made with."""
        return hmac.compare_digest(binding_fingerprint(binding_ref), self.binding_sha256)

    def with_purchase(self, purchase_id: str) -> PendingPurchase:
        """The same intent, now knowing its purchase id."""
        return replace(self, purchase_id=purchase_id)

    def to_json(self) -> dict[str, JsonValue]:
        """The stored form."""
        return {
            "key": self.key,
            "product_id": self.product_id,
            "title": self.title,
            "amount": {"currency": self.amount.currency, "value": self.amount.minor},
            "binding_sha256": self.binding_sha256,
            "created_at": self.created_at.isoformat(),
            "purchase_id": self.purchase_id,
        }

    @classmethod
    def from_json(cls, value: JsonValue) -> PendingPurchase:
        """Read a stored intent.

        Raises:
            ValueError: the record is malformed (the message says which member).
        """
        if not isinstance(value, dict):
            raise ValueError("not an object")
        key, product_id = value.get("key"), value.get("product_id")
        title, fingerprint = value.get("title", ""), value.get("binding_sha256")
        created, purchase_id, amount = (
            value.get("created_at"), value.get("purchase_id"), value.get("amount"),
        )
        if not isinstance(key, str) or not IDEMPOTENCY_KEY_RE.fullmatch(key):
            raise ValueError("key is not an idempotency key")
        if not isinstance(product_id, str) or not product_id:
            raise ValueError("product_id is missing")
        if not isinstance(title, str):
            raise ValueError("title is not a string")
        if not isinstance(fingerprint, str) or len(fingerprint) != 64:
            raise ValueError("binding_sha256 is not a SHA-256")
        if purchase_id is not None and not isinstance(purchase_id, str):
            raise ValueError("purchase_id is not a string")
        if not isinstance(created, str):
            raise ValueError("created_at is missing")
        moment = dt.datetime.fromisoformat(created)
        if moment.tzinfo is None:
            raise ValueError("created_at has no time zone")
        if not isinstance(amount, dict):
            raise ValueError("amount is missing")
        currency, minor = amount.get("currency"), amount.get("value")
        if not isinstance(currency, str) or isinstance(minor, bool) or not isinstance(minor, int):
            raise ValueError("amount is malformed")
        try:
            money = Money(minor, currency)
        except MoneyError as exc:
            raise ValueError(f"amount is invalid: {exc}") from None
        return cls(
            key=key,
            product_id=product_id,
            title=title,
            amount=money,
            binding_sha256=fingerprint,
            created_at=moment,
            purchase_id=purchase_id,
        )


class IntentStore:
    """The pending purchase intents, in a `StateStore` (the settings file in the app)."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def all(self) -> list[PendingPurchase]:
        """Every readable pending intent, oldest first (unreadable ones are logged, kept)."""
        intents: list[PendingPurchase] = []
        for n, record in enumerate(self._records()):
            try:
                intents.append(PendingPurchase.from_json(record))
            except ValueError as exc:
                _log.warning(
                    "pending purchase record %d in the settings is unreadable (%s); left as is",
                    n, exc,
                )
        return intents

    def get(self, key: str) -> PendingPurchase | None:
        """The pending intent with idempotency key `key`, if any."""
        return next((intent for intent in self.all() if intent.key == key), None)

    def put(self, intent: PendingPurchase) -> None:
        """Add the intent, or replace the stored one with the same key.

        Raises:
            SettingsError: it could not be stored (then nothing may be sent for it).
        """
        records = self._records()
        stored = intent.to_json()
        for n, record in enumerate(records):
            if isinstance(record, dict) and record.get("key") == intent.key:
                records[n] = stored
                break
        else:
            records.append(stored)
        self._store.save(INTENTS_KEY, records)

    def remove(self, key: str) -> None:
        """Forget the intent with `key` (its final answer is known)."""
        records = self._records()
        kept = [r for r in records if not (isinstance(r, dict) and r.get("key") == key)]
        if len(kept) != len(records):
            self._store.save(INTENTS_KEY, kept or None)

    def _records(self) -> list[JsonValue]:
        value = self._store.load(INTENTS_KEY)
        if value is None:
            return []
        if not isinstance(value, list):
            _log.warning("the pending purchases record in the settings is not a list; ignored")
            return []
        return value
