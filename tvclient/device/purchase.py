"""The purchase flow: one press of Pay, one idempotency key, exactly one final answer.

States (`PurchasePhase`)::

    READY --pay()--> SUBMITTING --answer: PROCESSING--> CHECKING --final--> SUCCEEDED(receipt)
                        |                                 ^   |             FAILED(code, next step)
                        +--no answer (network, 5xx)-------+   +--stop()--> DEFERRED (resumed later)
                        +--refused (409, 400...)--> FAILED (nothing charged)
    resume(intent) ------------------------------------> CHECKING ...
    an intent this device can no longer follow --------> UNKNOWN (never reported as failure)

How "exactly once" is kept on the device side:

1. The intent (key + what the body carries) is written to the settings *before* the first
   request. If that write fails nothing is sent.
2. Every retry, after a lost answer, a 5xx, a network outage or an app restart, sends the same
   key and the same body, so the backend answers the one purchase it already has.
3. The intent is removed only once the answer is final (SUCCEEDED / FAILED / CANCELLED, or a
   request error, which the contract guarantees created nothing).
4. An outcome that is not known yet is CHECKING ("checking with your wallet…"), and if the flow
   stops waiting, DEFERRED; both keep the intent. Nothing unknown is ever shown as failure.

The daily spending cap (`tvclient.device.safety.cap.SpendingCap`, or anything with the same
`reserve` / `settle` / `release`) is reserved under the intent's key before anything is
stored or sent, settled on success and released when nothing was charged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from tvclient.clock import Clock
from tvclient.device.client import MerchantClient
from tvclient.device.errors import (
    ApiError,
    AuthError,
    ConflictError,
    DeviceError,
    NetworkError,
    NotFoundError,
    PurchasePendingError,
    RequestError,
    SettingsError,
)
from tvclient.device.intents import IntentStore, PendingPurchase, binding_fingerprint, new_key
from tvclient.device.models import Failure, Purchase, Receipt, RevokedBy
from tvclient.device.nextstep import NextStep, next_step
from tvclient.device.observe import Observable, Unsubscribe, follow
from tvclient.device.safety.errors import SafetyError, SpendingCapExceededError
from tvclient.device.waiting import PollSchedule, Retry, WaitPolicy
from tvclient.money import Money

__all__ = ["PurchaseFlow", "PurchasePhase", "PurchaseSnapshot", "Reservations"]

_log = logging.getLogger(__name__)

_BINDING_GONE = ("BINDING_REVOKED", "BINDING_EXPIRED")
_WHO = frozenset(member.value for member in RevokedBy)
_PURCHASE_INTERVAL = 2


class Reservations(Protocol):
    """The spending cap's side of a purchase (`SpendingCap` implements it)."""

    def reserve(self, intent_key: str, amount: Money) -> None:
        """Hold `amount` for this intent, or raise `SpendingCapExceededError`."""
        ...

    def settle(self, intent_key: str) -> None:
        """The intent was paid."""
        ...

    def release(self, intent_key: str) -> None:
        """Nothing was charged for the intent."""
        ...


class PurchasePhase(StrEnum):
    """Where a purchase is."""

    READY = "ready"
    SUBMITTING = "submitting"  # the first request of a new intent is on its way
    CHECKING = "checking"      # not known yet: PROCESSING at the backend, or no answer
    SUCCEEDED = "succeeded"    # final: paid; `receipt`
    FAILED = "failed"          # final: nothing charged; `failure` and `next_step`
    DEFERRED = "deferred"      # stopped waiting; the intent stays pending and is resumed later
    UNKNOWN = "unknown"        # final: this device can no longer find out; check the wallet

    @property
    def final(self) -> bool:
        """The outcome is settled for this device (SUCCEEDED, FAILED or UNKNOWN)."""
        return self in (PurchasePhase.SUCCEEDED, PurchasePhase.FAILED, PurchasePhase.UNKNOWN)


@dataclass(frozen=True, slots=True)
class PurchaseSnapshot:
    """What the Paying / Receipt / Failure screens show now.

    Attributes:
        phase: The state.
        key: The intent's idempotency key (stable for the whole intent).
        product_id: The product.
        title: Its title as shown on the Pay control.
        amount: The amount.
        since: When Pay was pressed.
        purchase: The backend's latest view of the purchase, once it answered.
        receipt: SUCCEEDED: the receipt.
        failure: FAILED: code and message; CHECKING offline / DEFERRED / UNKNOWN: the cause.
        next_step: FAILED / UNKNOWN: what the buyer can do.
        offline: CHECKING because the backend cannot be reached (not because it is processing).
        retry_in: Offline: seconds until the next attempt.
        resumed: This purchase was pressed in an earlier run of the app.
        current_price: FAILED with PRICE_CHANGED: the product's price now, if the backend
            said (show it before the buyer presses Pay again).
    """

    phase: PurchasePhase
    key: str | None = None
    product_id: str | None = None
    title: str = ""
    amount: Money | None = None
    since: dt.datetime | None = None
    purchase: Purchase | None = None
    receipt: Receipt | None = None
    failure: Failure | None = None
    next_step: NextStep | None = None
    offline: bool = False
    retry_in: float | None = None
    resumed: bool = False
    current_price: Money | None = None

    @property
    def final(self) -> bool:
        """The outcome is settled for this device."""
        return self.phase.final

    @property
    def done(self) -> bool:
        """The flow has stopped (final, or DEFERRED)."""
        return self.phase.final or self.phase is PurchasePhase.DEFERRED


class _Ended(Exception):  # noqa: N818 - control flow, never leaves this module
    def __init__(self, snapshot: PurchaseSnapshot) -> None:
        super().__init__(snapshot.phase.value)
        self.snapshot = snapshot


class PurchaseFlow:
    """One purchase intent, from the press of Pay (or a restart) to its final answer.

    Args:
        client: The merchant API client (enrolled).
        intents: Where pending intents are kept (the settings).
        clock: The injected clock; every wait sleeps on it.
        policy: The waiting numbers.
        cap: The spending cap to reserve against, if any.
        on_binding_lost: Awaited with the code (`BINDING_REVOKED` / `BINDING_EXPIRED`) and who
            revoked it, when the backend says the binding is gone (the account service
            forgets it and tells the UI).
        on_unauthenticated: Awaited when the backend no longer knows the device credential.
        key_factory: Makes idempotency keys (tests pass a fixed one).
        tick: Seconds between re-publications while offline, so `retry_in` counts down
            (None: off).
    """

    def __init__(
        self,
        client: MerchantClient,
        intents: IntentStore,
        clock: Clock,
        *,
        policy: WaitPolicy | None = None,
        cap: Reservations | None = None,
        on_binding_lost: Callable[[str, RevokedBy | None], Awaitable[None]] | None = None,
        on_unauthenticated: Callable[[], Awaitable[None]] | None = None,
        key_factory: Callable[[], str] = new_key,
        tick: float | None = 1.0,
    ) -> None:
        self._client = client
        self._intents = intents
        self._clock = clock
        self._policy = policy or WaitPolicy()
        self._cap = cap
        self._on_binding_lost = on_binding_lost
        self._on_unauthenticated = on_unauthenticated
        self._key_factory = key_factory
        self._tick = tick
        self._retry_at: float | None = None
        self._state: Observable[PurchaseSnapshot] = Observable(
            PurchaseSnapshot(PurchasePhase.READY)
        )
        self._driver: asyncio.Future[PurchaseSnapshot] | None = None
        self._stop_requested = False
        self._finishing = False

    # ------------------------------------------------------------------ observing
    @property
    def state(self) -> PurchaseSnapshot:
        """The current snapshot."""
        return self._state.value

    def subscribe(
        self, callback: Callable[[PurchaseSnapshot], None], *, replay: bool = True
    ) -> Unsubscribe:
        """Call `callback` with every new snapshot (and the current one first, with `replay`)."""
        return self._state.subscribe(callback, replay=replay)

    def stream_pay(
        self, binding_ref: str, product_id: str, title: str, amount: Money
    ) -> AsyncGenerator[PurchaseSnapshot, None]:
        """`pay` as an iterator of snapshots (closing it early stops waiting: DEFERRED)."""
        return follow(self, self.pay(binding_ref, product_id, title, amount))

    def stream_resume(
        self, intent: PendingPurchase, binding_ref: str | None
    ) -> AsyncGenerator[PurchaseSnapshot, None]:
        """`resume` as an iterator of snapshots."""
        return follow(self, self.resume(intent, binding_ref))

    # ------------------------------------------------------------------ driving
    async def pay(
        self, binding_ref: str, product_id: str, title: str, amount: Money
    ) -> PurchaseSnapshot:
        """Buy `product_id` for `amount` with the binding: a new intent, followed to its end.

        Returns the last snapshot: final, or DEFERRED when stopped before the answer.

        Raises:
            PurchasePendingError: an earlier intent has no final answer yet (resume it first);
                nothing was reserved, stored or sent.
            RuntimeError: the flow already ran (one flow per intent).
        """
        self._claim()
        pending = self._intents.all()
        if pending:
            raise PurchasePendingError([intent.key for intent in pending])
        intent = PendingPurchase(
            key=self._key_factory(),
            product_id=product_id,
            title=title,
            amount=amount,
            binding_sha256=binding_fingerprint(binding_ref),
            created_at=self._clock.now(),
        )
        base = _base(intent, resumed=False)
        self._publish(replace(base, phase=PurchasePhase.SUBMITTING))
        refusal = self._reserve_and_store(intent)
        if refusal is not None:
            self._publish(refusal)
            return refusal
        return await self._run(intent, binding_ref, fresh=True)

    async def resume(self, intent: PendingPurchase, binding_ref: str | None) -> PurchaseSnapshot:
        """Follow an intent left pending by an earlier run to its end.

        `binding_ref` is the vault's current binding reference; it is needed only when the
        backend never answered the intent (no purchase id yet), to repeat the same request.
        """
        self._claim()
        base = _base(intent, resumed=True)
        self._publish(replace(base, phase=PurchasePhase.CHECKING))
        if intent.purchase_id is None and (binding_ref is None or not intent.matches(binding_ref)):
            # The request may or may not have reached the backend, and the binding it named
            # is no longer on this device, so the same request cannot be repeated.
            _log.warning(
                "pending purchase %s cannot be followed: its binding is no longer on this device",
                intent.key,
            )
            return self._unknown(base, Failure("BINDING_GONE", "the binding is no longer kept"))
        return await self._run(intent, binding_ref, fresh=False)

    def stop(self) -> None:
        """Stop waiting (the buyer left the screen): the flow ends DEFERRED, intent kept.

        Has no effect once the final answer is being handled.
        """
        if self._finishing or self.state.done:
            return
        self._stop_requested = True
        if self._driver is not None and not self._driver.done():
            self._driver.cancel()

    # ------------------------------------------------------------------ internals
    def _claim(self) -> None:
        if self._driver is not None or self.state.phase is not PurchasePhase.READY:
            raise RuntimeError("a PurchaseFlow handles one intent; make a new one")

    def _publish(self, snapshot: PurchaseSnapshot) -> None:
        self._state.publish(snapshot)

    def _reserve_and_store(self, intent: PendingPurchase) -> PurchaseSnapshot | None:
        """Reserve the cap and store the intent; a FAILED snapshot when either is refused."""
        base = _base(intent, resumed=False)
        if self._cap is not None:
            try:
                self._cap.reserve(intent.key, intent.amount)
            except SpendingCapExceededError as exc:
                return _failed(base, Failure("SPENDING_CAP", str(exc)))
            except SafetyError as exc:
                return _failed(base, Failure("SAFETY_CHECK", str(exc)))
        try:
            self._intents.put(intent)
        except SettingsError as exc:
            _log.warning("purchase not sent: the intent could not be stored: %s", exc)
            self._release(intent.key)
            return _failed(base, Failure(exc.code, str(exc)))
        return None

    async def _run(
        self, intent: PendingPurchase, binding_ref: str | None, *, fresh: bool
    ) -> PurchaseSnapshot:
        self._driver = asyncio.ensure_future(self._drive(intent, binding_ref, fresh=fresh))
        ticker = asyncio.ensure_future(self._run_ticker()) if self._tick else None
        if self._stop_requested:
            self._driver.cancel()
        try:
            return await self._driver
        except asyncio.CancelledError:
            task = asyncio.current_task()
            external = task is not None and task.cancelling() > 0
            if not (self._stop_requested or external):
                raise
            current = self.state
            deferred = replace(current, phase=PurchasePhase.DEFERRED, retry_in=None)
            _log.info("purchase %s: stopped waiting; it stays pending", intent.key)
            self._publish(deferred)
            if external:
                raise
            return deferred
        finally:
            if ticker is not None:
                ticker.cancel()

    async def _run_ticker(self) -> None:
        """While offline, re-publish once a tick so `retry_in` counts down on screen."""
        assert self._tick is not None  # noqa: S101 - only started with a tick
        while True:
            await self._clock.sleep(self._tick)
            current = self.state
            if current.phase is PurchasePhase.CHECKING and current.offline:
                left = None
                if self._retry_at is not None:
                    left = max(0.0, self._retry_at - self._clock.monotonic())
                self._publish(replace(current, retry_in=left))

    async def _drive(
        self, intent: PendingPurchase, binding_ref: str | None, *, fresh: bool
    ) -> PurchaseSnapshot:
        try:
            return await self._follow(intent, binding_ref, fresh=fresh)
        except _Ended as ended:
            self._publish(ended.snapshot)
            return ended.snapshot

    async def _follow(
        self, intent: PendingPurchase, binding_ref: str | None, *, fresh: bool
    ) -> PurchaseSnapshot:
        base = _base(intent, resumed=not fresh)
        schedule = PollSchedule(self._clock, self._policy, interval=_PURCHASE_INTERVAL)
        # A request that got no answer may have created the purchase: from then on a refusal
        # of the credential no longer proves that nothing was charged.
        unanswered = not fresh
        replayed_after_not_found = False
        purchase: Purchase | None = None
        first = True
        while True:
            plan = schedule.next_request()
            if not first:
                await self._clock.sleep(plan.delay)
            first = False
            purchase_id = intent.purchase_id
            schedule.started(plan.wait if purchase_id else None)
            try:
                if purchase_id is None:
                    if binding_ref is None:
                        return self._unknown(base, Failure("BINDING_GONE"))
                    created = await self._client.create_purchase(
                        intent.key,
                        binding=binding_ref,
                        product_id=intent.product_id,
                        amount=intent.amount,
                    )
                    purchase = created.purchase
                    intent = self._remember_id(intent, purchase.id)
                else:
                    purchase = await self._client.get_purchase(purchase_id, wait=plan.wait)
            except RequestError as exc:
                retry = schedule.failed(exc)
                if retry is not None:
                    if purchase_id is None and isinstance(exc, NetworkError):
                        unanswered = True
                    self._retry_at = self._clock.monotonic() + (schedule.retry_in() or 0.0)
                    self._publish(
                        replace(
                            base,
                            phase=PurchasePhase.CHECKING,
                            purchase=purchase,
                            offline=retry is Retry.OFFLINE,
                            retry_in=schedule.retry_in(),
                            failure=Failure(exc.code, str(exc)),
                        )
                    )
                    continue
                if purchase_id is None:
                    return await self._refused(intent, base, exc, unanswered=unanswered)
                if isinstance(exc, NotFoundError) and not replayed_after_not_found:
                    # The backend does not find the id it gave: ask again the way we began.
                    replayed_after_not_found = True
                    intent = replace(intent, purchase_id=None)
                    continue
                if isinstance(exc, AuthError):
                    await self._unauthenticated()
                    return self._unknown(base, Failure(exc.code, str(exc)))
                _log.warning("purchase %s: unexpected answer %s; left pending", intent.key, exc)
                raise _Ended(
                    replace(
                        base,
                        phase=PurchasePhase.DEFERRED,
                        purchase=purchase,
                        failure=Failure(exc.code, str(exc)),
                    )
                ) from None
            schedule.answered(interval=purchase.interval, long_poll=purchase.long_poll)
            if purchase.final:
                return await self._finish(intent, base, purchase)
            self._publish(replace(base, phase=PurchasePhase.CHECKING, purchase=purchase))

    def _remember_id(self, intent: PendingPurchase, purchase_id: str) -> PendingPurchase:
        if intent.purchase_id == purchase_id:
            return intent
        updated = intent.with_purchase(purchase_id)
        try:
            self._intents.put(updated)
        except SettingsError as exc:
            # Not fatal: the stored intent still has the key and can be replayed.
            _log.warning("purchase %s: could not store its id: %s", intent.key, exc)
        return updated

    async def _finish(
        self, intent: PendingPurchase, base: PurchaseSnapshot, purchase: Purchase
    ) -> PurchaseSnapshot:
        self._finishing = True
        if purchase.paid:
            self._settle(intent.key)
            self._forget(intent.key)
            snapshot = replace(
                base,
                phase=PurchasePhase.SUCCEEDED,
                purchase=purchase,
                receipt=purchase.receipt or _receipt_of(purchase, self._clock.now()),
                next_step=NextStep.NONE,
            )
            self._publish(snapshot)
            return snapshot
        self._release(intent.key)
        self._forget(intent.key)
        failure = purchase.failure or Failure(purchase.state.value)
        if failure.code in _BINDING_GONE:
            await self._binding_lost(failure.code, None)
        snapshot = replace(_failed(base, failure), purchase=purchase)
        self._publish(snapshot)
        return snapshot

    async def _refused(
        self,
        intent: PendingPurchase,
        base: PurchaseSnapshot,
        error: RequestError,
        *,
        unanswered: bool,
    ) -> PurchaseSnapshot:
        """The backend refused the request: nothing was created or charged for this intent."""
        self._finishing = True
        if isinstance(error, AuthError) and error.code == "UNAUTHENTICATED":
            await self._unauthenticated()
            if unanswered:
                return self._unknown(base, Failure(error.code, str(error)))
        self._release(intent.key)
        self._forget(intent.key)
        if isinstance(error, ConflictError) and error.code in _BINDING_GONE:
            who = error.revoked_by
            await self._binding_lost(error.code, RevokedBy(who) if who in _WHO else None)
        message = error.backend_message if isinstance(error, ApiError) else ""
        field = getattr(error, "field", None)
        snapshot = replace(
            base,
            phase=PurchasePhase.FAILED,
            failure=Failure(error.code, message or str(error)),
            next_step=next_step(error.code, field=field if isinstance(field, str) else None),
            current_price=error.price if isinstance(error, ConflictError) else None,
        )
        self._publish(snapshot)
        return snapshot

    def _unknown(self, base: PurchaseSnapshot, cause: Failure) -> PurchaseSnapshot:
        """Give up on an intent this device cannot follow any more (never shown as failure)."""
        self._finishing = True
        if base.key is not None:
            # The reservation stays: the buyer may have been charged.
            self._forget(base.key)
        snapshot = replace(
            base,
            phase=PurchasePhase.UNKNOWN,
            failure=cause,
            next_step=next_step("OUTCOME_UNKNOWN"),
        )
        self._publish(snapshot)
        return snapshot

    def _forget(self, key: str) -> None:
        try:
            self._intents.remove(key)
        except SettingsError as exc:
            # The next start resumes it and gets the same final answer again: harmless.
            _log.warning("purchase %s: final, but could not clear its record: %s", key, exc)

    def _settle(self, key: str) -> None:
        if self._cap is None:
            return
        try:
            self._cap.settle(key)
        except (SafetyError, SettingsError) as exc:
            _log.warning("purchase %s: paid, but the spending record failed: %s", key, exc)

    def _release(self, key: str) -> None:
        if self._cap is None:
            return
        try:
            self._cap.release(key)
        except (SafetyError, SettingsError) as exc:
            _log.warning("purchase %s: could not release its cap reservation: %s", key, exc)

    async def _binding_lost(self, code: str, revoked_by: RevokedBy | None) -> None:
        if self._on_binding_lost is not None:
            try:
                await self._on_binding_lost(code, revoked_by)
            except DeviceError as exc:  # the purchase's answer is still reported
                _log.warning("could not forget the lost binding: %s", exc)

    async def _unauthenticated(self) -> None:
        if self._on_unauthenticated is not None:
            try:
                await self._on_unauthenticated()
            except DeviceError as exc:
                _log.warning("enrolling again after UNAUTHENTICATED failed: %s", exc)


def _base(intent: PendingPurchase, *, resumed: bool) -> PurchaseSnapshot:
    return PurchaseSnapshot(
        PurchasePhase.READY,
        key=intent.key,
        product_id=intent.product_id,
        title=intent.title,
        amount=intent.amount,
        since=intent.created_at,
        resumed=resumed,
    )


def _failed(base: PurchaseSnapshot, failure: Failure) -> PurchaseSnapshot:
    return replace(
        base, phase=PurchasePhase.FAILED, failure=failure, next_step=next_step(failure.code)
    )


def _receipt_of(purchase: Purchase, now: dt.datetime) -> Receipt:
    """A receipt from the purchase itself, for a backend that sent none."""
    return Receipt(
        order_ref=purchase.order_ref,
        payment_ref="",
        item=purchase.product.title or purchase.product.id,
        amount=purchase.amount,
        wallet=purchase.wallet,
        account="",
        paid_at=purchase.completed_at or now,
    )
