"""Pending purchase intents: stored before sending, read back, never dropped silently."""

from __future__ import annotations

import datetime as dt

import pytest

from tvclient.device.client import IDEMPOTENCY_KEY_RE
from tvclient.device.intents import (
    INTENTS_KEY,
    IntentStore,
    PendingPurchase,
    binding_fingerprint,
    new_key,
)
from tvclient.device.safety.store import JsonValue, MemoryStateStore
from tvclient.money import Money

WHEN = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)


def intent(key: str = "k1", purchase_id: str | None = None) -> PendingPurchase:
    """A pending intent for movie-night."""
    return PendingPurchase(key, "movie-night", "Movie night", Money(3800, "HKD"),
                           binding_fingerprint("bnd_1"), WHEN, purchase_id)


def test_keys_are_fresh_and_fit_the_contract() -> None:
    """Every intent gets its own key of 1-64 of A-Z a-z 0-9 _ -."""
    keys = {new_key() for _ in range(200)}
    assert len(keys) == 200
    assert all(IDEMPOTENCY_KEY_RE.fullmatch(key) for key in keys)


def test_put_get_update_remove() -> None:
    """Intents are added, updated in place by key, and removed by key."""
    store = IntentStore(MemoryStateStore())
    store.put(intent("k1"))
    store.put(intent("k2"))
    store.put(intent("k1", "pur_9"))
    assert [(i.key, i.purchase_id) for i in store.all()] == [("k1", "pur_9"), ("k2", None)]
    assert store.get("k2") == intent("k2")
    store.remove("k1")
    store.remove("k1")
    assert [i.key for i in store.all()] == ["k2"]
    store.remove("k2")
    assert store.get("k2") is None


def test_the_binding_is_kept_only_as_a_fingerprint() -> None:
    """The stored record names the binding by its SHA-256, never the reference itself."""
    state = MemoryStateStore()
    IntentStore(state).put(intent())
    assert "bnd_1" not in repr(state.load(INTENTS_KEY))
    assert intent().matches("bnd_1")
    assert not intent().matches("bnd_2")


@pytest.mark.parametrize(
    "damage",
    [{"key": "bad key!"}, {"amount": {"currency": "HKD", "value": "38"}},
     {"created_at": "2026-03-02T04:00:00"}, {"binding_sha256": "short"}, {"product_id": ""}],
)
def test_unreadable_records_are_reported_and_kept(
    damage: dict[str, object], expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A damaged record is skipped with a warning but stays in the store for a person to see."""
    state = MemoryStateStore()
    store = IntentStore(state)
    store.put(intent("good"))
    records = state.load(INTENTS_KEY)
    assert isinstance(records, list)
    bad: JsonValue = {**intent("bad").to_json(), **damage}  # type: ignore[dict-item]
    state.save(INTENTS_KEY, [*records, bad])
    assert [i.key for i in store.all()] == ["good"]
    assert "unreadable" in caplog.text
    store.put(intent("other"))
    store.remove("good")
    remaining = state.load(INTENTS_KEY)
    assert isinstance(remaining, list)
    assert bad in remaining
