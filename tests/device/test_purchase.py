"""The purchase flow: one key per intent, every failure mapped, nothing unknown called failure."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.device.fakes import BASE, FakeBackend, PurchaseRow, run_for, settle
from tests.helpers.clock import FakeClock
from tvclient.device.client import MerchantClient
from tvclient.device.errors import PurchasePendingError, SettingsError
from tvclient.device.intents import IntentStore, PendingPurchase
from tvclient.device.models import RevokedBy
from tvclient.device.nextstep import NextStep
from tvclient.device.purchase import PurchaseFlow, PurchasePhase, PurchaseSnapshot
from tvclient.device.safety.cap import SpendingCap
from tvclient.device.safety.store import JsonValue, MemoryStateStore
from tvclient.device.settings import SettingsStore
from tvclient.money import Money

PRICE = Money(3800, "HKD")


class Recorder:
    def __init__(self, flow: PurchaseFlow) -> None:
        self.states: list[PurchaseSnapshot] = []
        flow.subscribe(self.states.append)

    @property
    def phases(self) -> list[PurchasePhase]:
        phases: list[PurchasePhase] = []
        for state in self.states:
            if not phases or phases[-1] is not state.phase:
                phases.append(state.phase)
        return phases

    @property
    def last(self) -> PurchaseSnapshot:
        return self.states[-1]


@pytest.fixture
def ref(enrolled: MerchantClient, backend: FakeBackend) -> str:
    """A binding of the enrolled device at the fake backend."""
    assert enrolled.credential is not None
    return backend.add_binding(enrolled.credential)


def make_flow(
    client: MerchantClient, intents: IntentStore, clock: FakeClock, **kwargs: Any
) -> PurchaseFlow:
    """A purchase flow over the fakes."""
    return PurchaseFlow(client, intents, clock, **kwargs)


def pay(
    flow: PurchaseFlow, ref: str, amount: Money = PRICE, product: str = "movie-night"
) -> asyncio.Task[PurchaseSnapshot]:
    """Start paying in a task."""
    return asyncio.ensure_future(flow.pay(ref, product, "Movie night", amount))


def posts(backend: FakeBackend) -> list[tuple[str, dict[str, object]]]:
    """Idempotency key and body of every purchase POST sent."""
    return [
        (r.headers["idempotency-key"], json.loads(r.content))
        for r in backend.sent("POST", "/v1/purchases")
    ]


async def test_one_press_pays_and_gives_a_receipt(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """Success: SUBMITTING then SUCCEEDED with the receipt; the intent is cleared."""
    flow = make_flow(enrolled, intents, clock)
    seen = Recorder(flow)
    final = await flow.pay(ref, "movie-night", "Movie night", PRICE)
    assert final.phase is PurchasePhase.SUCCEEDED
    assert final.receipt is not None
    assert final.receipt.amount == PRICE
    assert final.receipt.order_ref == backend.only_purchase().id.replace("pur", "ord_pur")
    assert final.next_step is NextStep.NONE
    assert seen.phases == [PurchasePhase.READY, PurchasePhase.SUBMITTING, PurchasePhase.SUCCEEDED]
    assert intents.all() == []
    assert len(posts(backend)) == 1


async def test_the_intent_is_stored_before_the_first_request(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """When the first request leaves, the intent (key, product, amount) is already stored."""
    stored: list[list[PendingPurchase]] = []
    original = backend.handle

    async def spy(request):
        if request.method == "POST":
            stored.append(intents.all())
        return await original(request)

    backend.handle = spy  # type: ignore[method-assign]
    async with __import__("httpx").AsyncClient(transport=backend.transport()) as http:
        client = MerchantClient(http, BASE, credential=enrolled.credential)
        flow = make_flow(client, intents, clock, key_factory=lambda: "key_fixed")
        await flow.pay(ref, "movie-night", "Movie night", PRICE)
    (pending,) = stored[0]
    assert (pending.key, pending.product_id, pending.amount) == ("key_fixed", "movie-night", PRICE)
    assert pending.matches(ref)
    assert ref not in intents_file_text(intents)


def intents_file_text(intents: IntentStore) -> str:
    """What the settings file holds on disk."""
    store = intents._store  # the test looks at what reached the disk
    assert isinstance(store, SettingsStore)
    return store.path.read_text() if store.path.exists() else ""


PURCHASE_FAILURES = [
    ("BELOW_MINIMUM", NextStep.CHOOSE_ANOTHER),
    ("ABOVE_TRANSACTION_LIMIT", NextStep.CHOOSE_ANOTHER),
    ("DAILY_LIMIT_REACHED", NextStep.TRY_TOMORROW),
    ("YEARLY_LIMIT_REACHED", NextStep.CONTACT_WALLET),
    ("INSUFFICIENT_BALANCE", NextStep.TOP_UP),
    ("BINDING_REVOKED", NextStep.BIND_AGAIN),
    ("BINDING_EXPIRED", NextStep.BIND_AGAIN),
    ("PAYMENT_DECLINED", NextStep.CONTACT_WALLET),
    ("WALLET_UNAVAILABLE", NextStep.TRY_LATER),
    ("PAYMENT_TIMEOUT", NextStep.TRY_LATER),
    ("MERCHANT_CANCELLED", NextStep.NONE),
]


@pytest.mark.parametrize(("code", "step"), PURCHASE_FAILURES)
async def test_each_purchase_failure_code_has_its_next_step(  # noqa: PLR0917 - fixtures
    enrolled: MerchantClient,
    backend: FakeBackend,
    intents: IntentStore,
    clock: FakeClock,
    ref: str,
    code: str,
    step: NextStep,
) -> None:
    """A FAILED purchase ends FAILED with the contract's next step for its code."""
    backend.outcome, backend.outcome_failure = "FAILED", code
    lost: list[tuple[str, RevokedBy | None]] = []

    async def binding_lost(which: str, who: RevokedBy | None) -> None:
        lost.append((which, who))

    flow = make_flow(enrolled, intents, clock, on_binding_lost=binding_lost)
    final = await flow.pay(ref, "movie-night", "Movie night", PRICE)
    assert final.phase is PurchasePhase.FAILED
    assert final.failure is not None
    assert final.failure.code == code
    assert final.next_step is step
    assert intents.all() == []
    assert (lost == [(code, None)]) is (code in ("BINDING_REVOKED", "BINDING_EXPIRED"))


async def test_a_cancelled_purchase_is_a_failure_with_its_code(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """CANCELLED (Antom never confirmed) is final, nothing charged, "try later"."""
    backend.outcome, backend.outcome_failure = "CANCELLED", "PAYMENT_TIMEOUT"
    final = await make_flow(enrolled, intents, clock).pay(ref, "movie-night", "M", PRICE)
    assert final.phase is PurchasePhase.FAILED
    assert final.purchase is not None
    assert final.purchase.state.value == "CANCELLED"
    assert final.next_step is NextStep.TRY_LATER


async def test_processing_then_success_is_checking_never_failure(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """PROCESSING shows CHECKING until the answer; the answer arrives through the long-poll."""
    backend.outcome = "PROCESSING"
    flow = make_flow(enrolled, intents, clock)
    seen = Recorder(flow)
    task = pay(flow, ref)
    await run_for(clock, 40)
    assert seen.last.phase is PurchasePhase.CHECKING
    assert not seen.last.offline
    assert len(intents.all()) == 1
    assert intents.all()[0].purchase_id == backend.only_purchase().id
    backend.resolve(backend.only_purchase().id, "SUCCEEDED")
    await settle()
    assert task.done()
    assert task.result().phase is PurchasePhase.SUCCEEDED
    assert PurchasePhase.FAILED not in seen.phases
    assert intents.all() == []
    gets = backend.sent("GET", "/v1/purchases/")
    assert all(r.url.params["wait"] == "25" for r in gets)


REQUEST_ERRORS = [
    ("PRICE_CHANGED", NextStep.REVIEW_PRICE),
    ("CURRENCY_MISMATCH", NextStep.CHOOSE_ANOTHER),
    ("NOT_FOUND:product", NextStep.CHOOSE_ANOTHER),
    ("NOT_FOUND:binding", NextStep.BIND_AGAIN),
    ("BINDING_EXPIRED", NextStep.BIND_AGAIN),
    ("BINDING_REVOKED", NextStep.BIND_AGAIN),
    ("IDEMPOTENCY_KEY_REUSED", NextStep.TRY_AGAIN),
]


@pytest.mark.parametrize(("case", "step"), REQUEST_ERRORS)
async def test_each_request_error_fails_with_nothing_charged(  # noqa: PLR0917 - fixtures
    enrolled: MerchantClient,
    backend: FakeBackend,
    intents: IntentStore,
    clock: FakeClock,
    ref: str,
    case: str,
    step: NextStep,
) -> None:
    """A refused request ends FAILED with its code's next step; the intent is cleared."""
    amount, product, binding = PRICE, "movie-night", ref
    if case == "PRICE_CHANGED":
        amount = Money(3900, "HKD")
    elif case == "CURRENCY_MISMATCH":
        amount = Money(7500000, "IDR")
    elif case == "NOT_FOUND:product":
        product = "gone"
    elif case == "NOT_FOUND:binding":
        binding = "bnd_unknown"
    elif case == "BINDING_EXPIRED":
        backend.bindings[ref].state = "EXPIRED"
    elif case == "BINDING_REVOKED":
        backend.revoke_by_wallet(ref)
    elif case == "IDEMPOTENCY_KEY_REUSED":
        backend.purchases["pur_x"] = PurchaseRow(
            "pur_x",
            "same-key",
            backend.credentials[enrolled.credential or ""],
            {
                "binding": ref,
                "product_id": "game-coins",
                "amount": {"currency": "HKD", "value": 1200},
            },
            "SUCCEEDED",
            "2026-03-02T04:00:00Z",
        )
    lost: list[tuple[str, RevokedBy | None]] = []

    async def binding_lost(which: str, who: RevokedBy | None) -> None:
        lost.append((which, who))

    flow = make_flow(
        enrolled, intents, clock, on_binding_lost=binding_lost, key_factory=lambda: "same-key"
    )
    final = await flow.pay(binding, product, "Movie night", amount)
    assert final.phase is PurchasePhase.FAILED
    assert final.failure is not None
    assert final.failure.code == case.split(":", maxsplit=1)[0]
    assert final.next_step is step
    assert intents.all() == []
    assert len(backend.purchases) == (1 if case == "IDEMPOTENCY_KEY_REUSED" else 0)
    if case == "BINDING_REVOKED":
        assert lost == [("BINDING_REVOKED", RevokedBy.WALLET)]
    if case == "PRICE_CHANGED":
        assert final.current_price == PRICE


async def test_a_lost_answer_is_retried_with_the_same_key_and_body(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """Network loss mid-purchase: every retry carries the same key and body; one purchase."""
    backend.fail_next(1, "lost", match=lambda r: r.method == "POST")
    backend.fail_next(2, "connect", match=lambda r: r.method == "POST")
    backend.fail_next(1, "status:502", match=lambda r: r.method == "POST")
    flow = make_flow(enrolled, intents, clock)
    seen = Recorder(flow)
    task = pay(flow, ref)
    await run_for(clock, 5)
    assert seen.last.phase is PurchasePhase.CHECKING
    assert seen.last.offline
    assert seen.last.retry_in is not None
    await run_for(clock, 120)
    final = task.result()
    assert final.phase is PurchasePhase.SUCCEEDED
    sent = posts(backend)
    assert len(sent) == 5
    assert len({key for key, _ in sent}) == 1
    assert all(body == sent[0][1] for _, body in sent)
    assert len(backend.purchases) == 1
    assert PurchasePhase.FAILED not in seen.phases


async def test_network_loss_while_processing_keeps_checking(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """The backend unreachable during PROCESSING: still CHECKING (offline), then the answer."""
    backend.outcome = "PROCESSING"
    flow = make_flow(enrolled, intents, clock)
    seen = Recorder(flow)
    task = pay(flow, ref)
    await settle()
    backend.down = True
    await run_for(clock, 300, step=1)
    assert seen.last.phase is PurchasePhase.CHECKING
    assert seen.last.offline
    backend.resolve(backend.only_purchase().id, "FAILED", "INSUFFICIENT_BALANCE")
    backend.down = False
    await run_for(clock, 61, step=1)
    final = task.result()
    assert final.phase is PurchasePhase.FAILED
    assert final.next_step is NextStep.TOP_UP
    assert len(posts(backend)) == 1


async def test_restart_mid_purchase_resumes_and_finds_out(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock, ref: str, tmp_path: Path
) -> None:
    """The app dies after sending; the next start replays the same intent and gets the outcome."""
    path = tmp_path / "settings.json"
    backend.fail_next(1, "lost", match=lambda r: r.method == "POST")
    backend.down = False
    first = make_flow(enrolled, IntentStore(SettingsStore(path)), clock)
    task = pay(first, ref)
    await settle()
    task.cancel()  # the process ends here
    with pytest.raises(asyncio.CancelledError):
        await task
    assert first.state.phase is PurchasePhase.DEFERRED
    created = backend.only_purchase()
    backend.resolve(created.id, "SUCCEEDED")

    # a new process: new settings object, same file
    intents = IntentStore(SettingsStore(path))
    (pending,) = intents.all()
    assert pending.purchase_id is None  # the answer never arrived
    second = make_flow(enrolled, intents, clock)
    final = await second.resume(pending, ref)
    assert final.phase is PurchasePhase.SUCCEEDED
    assert final.resumed
    assert final.receipt is not None
    assert len(backend.purchases) == 1
    keys = {key for key, _ in posts(backend)}
    assert keys == {pending.key}
    assert intents.all() == []


async def test_restart_after_an_answer_follows_by_id_without_the_binding(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock, ref: str, tmp_path: Path
) -> None:
    """Once the backend answered, a restarted app follows the purchase by its id alone."""
    path = tmp_path / "settings.json"
    backend.outcome = "PROCESSING"
    first = make_flow(enrolled, IntentStore(SettingsStore(path)), clock)
    task = pay(first, ref)
    await run_for(clock, 3)
    first.stop()
    await settle()
    assert task.result().phase is PurchasePhase.DEFERRED
    backend.resolve(backend.only_purchase().id, "SUCCEEDED")
    intents = IntentStore(SettingsStore(path))
    (pending,) = intents.all()
    assert pending.purchase_id == backend.only_purchase().id
    final = await make_flow(enrolled, intents, clock).resume(pending, None)
    assert final.phase is PurchasePhase.SUCCEEDED
    assert len(posts(backend)) == 1


async def test_an_intent_whose_binding_is_gone_is_unknown_not_failed(  # noqa: PLR0917
    enrolled: MerchantClient,
    intents: IntentStore,
    clock: FakeClock,
    ref: str,
    expect_log: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An intent never answered whose binding left the device is UNKNOWN, not FAILED."""
    intent = PendingPurchase("k1", "movie-night", "Movie night", PRICE, "0" * 64, clock.now())
    intents.put(intent)
    final = await make_flow(enrolled, intents, clock).resume(intent, ref)
    assert final.phase is PurchasePhase.UNKNOWN
    assert final.next_step is NextStep.CONTACT_WALLET
    assert intents.all() == []
    assert "cannot be followed" in caplog.text


async def test_an_unknown_device_after_a_lost_answer_is_unknown(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """A credential refused after an unanswered attempt proves nothing: UNKNOWN."""
    backend.fail_next(1, "connect", match=lambda r: r.method == "POST")
    called: list[bool] = []

    async def hook() -> None:
        called.append(True)

    flow = make_flow(enrolled, intents, clock, on_unauthenticated=hook)
    task = pay(flow, ref)
    await settle()
    backend.forget_devices()
    await run_for(clock, 11)
    assert task.result().phase is PurchasePhase.UNKNOWN
    assert called == [True]


async def test_an_unknown_device_on_the_first_attempt_is_a_failure(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """Refused on the very first request: nothing was created, so FAILED is true."""
    backend.forget_devices()
    final = await make_flow(enrolled, intents, clock).pay(ref, "movie-night", "M", PRICE)
    assert final.phase is PurchasePhase.FAILED
    assert final.failure is not None
    assert final.failure.code == "UNAUTHENTICATED"


async def test_a_pending_intent_blocks_a_new_purchase(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """A new press while an earlier outcome is unknown is refused before anything happens."""
    intents.put(PendingPurchase("k1", "movie-night", "M", PRICE, "0" * 64, clock.now()))
    flow = make_flow(enrolled, intents, clock)
    with pytest.raises(PurchasePendingError) as caught:
        await flow.pay(ref, "movie-night", "M", PRICE)
    assert caught.value.keys == ["k1"]
    assert posts(backend) == []
    assert flow.state.phase is PurchasePhase.READY


async def test_stop_defers_and_keeps_the_intent(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """Leaving the Paying screen never cancels a payment: DEFERRED, intent kept."""
    backend.outcome = "PROCESSING"
    flow = make_flow(enrolled, intents, clock)
    task = pay(flow, ref)
    await run_for(clock, 3)
    flow.stop()
    await settle()
    final = task.result()
    assert final.phase is PurchasePhase.DEFERRED
    assert not final.final
    assert final.done
    assert len(intents.all()) == 1
    assert clock.sleepers == 0


async def test_the_spending_cap_is_reserved_settled_and_released(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """The cap holds the amount during the purchase, keeps it on success, frees it on failure."""
    cap = SpendingCap(MemoryStateStore(), clock, dt.UTC)
    cap.set_limit("HKD", Money(10000, "HKD"))
    over = await make_flow(enrolled, intents, clock, cap=cap).pay(
        ref, "movie-night", "M", Money(10100, "HKD")
    )
    assert over.phase is PurchasePhase.FAILED
    assert over.failure is not None
    assert over.failure.code == "SPENDING_CAP"
    assert over.next_step is NextStep.TRY_TOMORROW
    assert posts(backend) == []
    assert intents.all() == []

    ok = await make_flow(enrolled, intents, clock, cap=cap).pay(ref, "movie-night", "M", PRICE)
    assert ok.phase is PurchasePhase.SUCCEEDED
    assert cap.remaining("HKD") == Money(6200, "HKD")

    backend.outcome, backend.outcome_failure = "FAILED", "INSUFFICIENT_BALANCE"
    failed = await make_flow(enrolled, intents, clock, cap=cap).pay(ref, "movie-night", "M", PRICE)
    assert failed.phase is PurchasePhase.FAILED
    assert cap.remaining("HKD") == Money(6200, "HKD")


class BrokenStore:
    """A state store whose disk is full."""

    def load(self, key: str) -> JsonValue:
        return None

    def save(self, key: str, value: JsonValue) -> None:
        raise SettingsError("cannot write the settings file: No space left on device")


async def test_an_intent_that_cannot_be_stored_is_never_sent(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock, ref: str, expect_log: None
) -> None:
    """No record, no request: a purchase that could not be remembered is not attempted."""
    final = await make_flow(enrolled, IntentStore(BrokenStore()), clock).pay(
        ref, "movie-night", "M", PRICE
    )
    assert final.phase is PurchasePhase.FAILED
    assert final.failure is not None
    assert final.failure.code == "SETTINGS"
    assert final.next_step is NextStep.CONTACT_OPERATOR
    assert posts(backend) == []


async def test_a_flow_handles_one_intent(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """Each press gets its own flow (and its own key)."""
    flow = make_flow(enrolled, intents, clock)
    await flow.pay(ref, "movie-night", "M", PRICE)
    with pytest.raises(RuntimeError, match="one intent"):
        await flow.pay(ref, "movie-night", "M", PRICE)


async def test_stream_pay_yields_to_the_final_state(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """The async-iterator form ends with the final snapshot."""
    flow = make_flow(enrolled, intents, clock)
    phases = [s.phase async for s in flow.stream_pay(ref, "movie-night", "M", PRICE)]
    assert phases == [PurchasePhase.SUBMITTING, PurchasePhase.SUCCEEDED]


async def test_offline_shows_a_countdown_to_the_next_try(
    enrolled: MerchantClient, backend: FakeBackend, intents: IntentStore, clock: FakeClock, ref: str
) -> None:
    """While the backend cannot be reached, retry_in counts down on screen each second."""
    backend.down = True
    flow = make_flow(enrolled, intents, clock)
    seen = Recorder(flow)
    task = pay(flow, ref)
    await run_for(clock, 3.5, step=0.25)
    countdown = [s.retry_in for s in seen.states if s.offline]
    assert countdown[0] == 4  # the first retry after 2 s x 2
    assert countdown[1:4] == [3, 2, 1]
    flow.stop()
    await settle()
    assert task.result().phase is PurchasePhase.DEFERRED
