"""The bind flow: show a single-use QR, wait for the buyer's phone, keep the binding.

States (`BindPhase`)::

    IDLE --run(wallet)--> CREATING --session--> SHOWING_QR --BOUND------------> BOUND
                            |  ^                  |   ^   +--EXPIRED, deadline--> EXPIRED
                  no answer v  | retry  no answer |   |   +--DECLINED---------> DECLINED
                        OFFLINE(retry_in)         v   |   +--FAILED, error----> FAILED
                                           OFFLINE(retry_in, QR kept)
    before a final state --cancel()--> CANCELLED (the session is deleted at the backend)

Every state is a `BindSnapshot` published to subscribers (plain callbacks). While the QR is
shown the flow re-publishes once a second so `seconds_left` counts down. Waiting follows
`tvclient.device.waiting`: long-polls while the backend offers them, RFC 8628 polling
otherwise, back-off while offline, and a hard deadline at the session's expiry, after which
the flow looks one last time and then ends EXPIRED. A new attempt is a new `BindFlow` (QR
codes are single-use).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from tvclient.clock import Clock
from tvclient.device.client import MerchantClient
from tvclient.device.errors import AuthError, DeviceError, RequestError, VaultError
from tvclient.device.models import Binding, BindSession, BindSessionState, Failure
from tvclient.device.nextstep import NextStep, bind_next_step
from tvclient.device.observe import Observable, Unsubscribe, follow
from tvclient.device.waiting import PollSchedule, Retry, WaitPolicy
from tvclient.money import Wallet

__all__ = ["BindFlow", "BindPhase", "BindSnapshot"]

_log = logging.getLogger(__name__)


class BindPhase(StrEnum):
    """Where a bind attempt is."""

    IDLE = "idle"
    CREATING = "creating"        # asking the backend for a QR
    SHOWING_QR = "showing_qr"    # the QR is on screen; waiting for the phone
    OFFLINE = "offline"          # the backend cannot be reached; retrying in `retry_in`
    BOUND = "bound"              # final: `binding` is kept in the vault
    EXPIRED = "expired"          # final: the QR lapsed; offer a fresh one
    DECLINED = "declined"        # final: the wallet refused
    FAILED = "failed"            # final: `failure` says why
    CANCELLED = "cancelled"      # final: the buyer gave up (Back)

    @property
    def final(self) -> bool:
        """The attempt is over."""
        return self in _FINAL


_FINAL = frozenset(
    {BindPhase.BOUND, BindPhase.EXPIRED, BindPhase.DECLINED, BindPhase.FAILED, BindPhase.CANCELLED}
)


@dataclass(frozen=True, slots=True)
class BindSnapshot:
    """What the Scan-to-bind screen shows now.

    Attributes:
        phase: The state.
        wallet: The wallet being bound.
        session_id: The backend's session id, once created.
        qr_text: The text to encode into the QR (SHOWING_QR, and OFFLINE once created).
        expires_at: When the QR lapses (backend clock, for display).
        seconds_left: Whole seconds until the QR lapses, counted on the device's monotonic
            clock from the backend's `expires_in` (a wrong wall clock does not matter).
        retry_in: OFFLINE: seconds until the next attempt.
        binding: BOUND: the binding (its `ref` is in the vault).
        failure: FAILED / DECLINED: why; OFFLINE: the error being retried.
        next_step: Final states: what the buyer can do now.
    """

    phase: BindPhase
    wallet: Wallet | None = None
    session_id: str | None = None
    qr_text: str | None = None
    expires_at: dt.datetime | None = None
    seconds_left: int | None = None
    retry_in: float | None = None
    binding: Binding | None = None
    failure: Failure | None = None
    next_step: NextStep | None = None

    @property
    def final(self) -> bool:
        """The attempt is over."""
        return self.phase.final


class _Ended(Exception):  # noqa: N818 - control flow, never leaves this module
    """Internal: the drive loop reached a final snapshot."""

    def __init__(self, snapshot: BindSnapshot) -> None:
        super().__init__(snapshot.phase.value)
        self.snapshot = snapshot


class BindFlow:
    """One bind attempt, from asking for a QR to a final state.

    Args:
        client: The merchant API client (enrolled).
        clock: The injected clock; every wait sleeps on it.
        policy: The waiting numbers.
        keep_binding: Called with the binding when BOUND, before BOUND is published (the
            account service stores it in the vault). A `VaultError` from it ends the flow
            FAILED (with the error's code) and the binding is revoked again, since the device
            could not remember it.
        on_unauthenticated: Awaited when the backend no longer knows the device credential
            (the account service re-enrols).
        tick: Seconds between countdown re-publications while the QR is shown (None: off).
    """

    def __init__(
        self,
        client: MerchantClient,
        clock: Clock,
        *,
        policy: WaitPolicy | None = None,
        keep_binding: Callable[[Binding], Awaitable[None]] | None = None,
        on_unauthenticated: Callable[[], Awaitable[None]] | None = None,
        tick: float | None = 1.0,
    ) -> None:
        self._client = client
        self._clock = clock
        self._policy = policy or WaitPolicy()
        self._keep_binding = keep_binding
        self._on_unauthenticated = on_unauthenticated
        self._tick = tick
        self._state: Observable[BindSnapshot] = Observable(BindSnapshot(BindPhase.IDLE))
        self._driver: asyncio.Future[BindSnapshot] | None = None
        self._session: BindSession | None = None
        self._schedule: PollSchedule | None = None
        self._cancel_requested = False
        self._finishing = False
        self._retry_at: float | None = None  # monotonic time of the next attempt while OFFLINE

    # ------------------------------------------------------------------ observing
    @property
    def state(self) -> BindSnapshot:
        """The current snapshot."""
        return self._state.value

    def subscribe(
        self, callback: Callable[[BindSnapshot], None], *, replay: bool = True
    ) -> Unsubscribe:
        """Call `callback` with every new snapshot (and the current one first, with `replay`)."""
        return self._state.subscribe(callback, replay=replay)

    def stream(self, wallet: Wallet) -> AsyncGenerator[BindSnapshot, None]:
        """Run the flow and iterate its snapshots up to the final one (closing it cancels)."""
        return follow(self, self.run(wallet))

    # ------------------------------------------------------------------ driving
    async def run(self, wallet: Wallet) -> BindSnapshot:
        """Bind `wallet`: runs until a final state and returns it.

        Cancelling the task that awaits `run` (or calling `cancel`) deletes the session at the
        backend and ends CANCELLED; an external cancellation is re-raised after that.

        Raises:
            RuntimeError: the flow already ran (make a new one per attempt).
        """
        if self._driver is not None:
            raise RuntimeError("a BindFlow runs once; make a new one for a new QR")
        self._driver = asyncio.ensure_future(self._drive(wallet))
        ticker = asyncio.ensure_future(self._run_ticker()) if self._tick else None
        if self._cancel_requested:
            self._driver.cancel()
        try:
            return await self._driver
        except asyncio.CancelledError:
            task = asyncio.current_task()
            external = task is not None and task.cancelling() > 0
            if not (self._cancel_requested or external):
                raise
            await self._after_cancel(wallet)
            if external:
                raise
            return self.state
        finally:
            if ticker is not None:
                ticker.cancel()

    def cancel(self) -> None:
        """Give up (the buyer pressed Back): the wait stops and the flow ends CANCELLED.

        Has no effect once a final answer is being handled.
        """
        if self._finishing or self.state.final:
            return
        self._cancel_requested = True
        if self._driver is not None and not self._driver.done():
            self._driver.cancel()

    # ------------------------------------------------------------------ internals
    def _publish(self, snapshot: BindSnapshot) -> None:
        self._state.publish(snapshot)

    def _seconds_left(self) -> int | None:
        if self._schedule is None:
            return None
        remaining = self._schedule.remaining()
        return None if remaining is None else math.ceil(remaining)

    def _showing(self, session: BindSession) -> BindSnapshot:
        return BindSnapshot(
            BindPhase.SHOWING_QR,
            wallet=session.wallet,
            session_id=session.id,
            qr_text=session.qr_text,
            expires_at=session.expires_at,
            seconds_left=self._seconds_left(),
        )

    async def _run_ticker(self) -> None:
        assert self._tick is not None  # noqa: S101 - only started with a tick
        while True:
            await self._clock.sleep(self._tick)
            current = self.state
            if current.phase is BindPhase.SHOWING_QR:
                self._publish(replace(current, seconds_left=self._seconds_left()))
            elif current.phase is BindPhase.OFFLINE:
                self._publish(
                    replace(current, seconds_left=self._seconds_left(), retry_in=self._retry_in())
                )

    def _retry_in(self) -> float | None:
        if self._retry_at is None:
            return None
        return max(0.0, self._retry_at - self._clock.monotonic())

    async def _drive(self, wallet: Wallet) -> BindSnapshot:
        try:
            self._publish(BindSnapshot(BindPhase.CREATING, wallet=wallet))
            session = await self._create(wallet)
            return await self._wait(session)
        except _Ended as ended:
            self._publish(ended.snapshot)
            return ended.snapshot

    async def _failed(self, wallet: Wallet, error: DeviceError) -> _Ended:
        unknown_device = isinstance(error, AuthError) and error.code == "UNAUTHENTICATED"
        if unknown_device and self._on_unauthenticated is not None:
            try:
                await self._on_unauthenticated()
            except DeviceError as exc:  # the flow still ends FAILED with the original cause
                _log.warning("enrolling again after UNAUTHENTICATED failed: %s", exc)
        return _Ended(
            BindSnapshot(
                BindPhase.FAILED,
                wallet=wallet,
                session_id=self._session.id if self._session else None,
                failure=Failure(error.code, str(error)),
                next_step=bind_next_step("FAILED", error.code),
            )
        )

    async def _create(self, wallet: Wallet) -> BindSession:
        backoff = PollSchedule(self._clock, self._policy)
        while True:
            try:
                session = await self._client.create_bind_session(wallet)
            except RequestError as exc:
                retry = backoff.failed(exc)
                if retry is None:
                    raise await self._failed(wallet, exc) from None
                wait_for = backoff.retry_in() or backoff.interval
                self._retry_at = self._clock.monotonic() + wait_for
                _log.info("bind session not created (%s); retrying in %.0f s", exc.code, wait_for)
                self._publish(
                    BindSnapshot(
                        BindPhase.OFFLINE,
                        wallet=wallet,
                        retry_in=wait_for,
                        failure=Failure(exc.code, str(exc)),
                    )
                )
                await self._clock.sleep(wait_for)
                self._publish(BindSnapshot(BindPhase.CREATING, wallet=wallet))
                continue
            self._session = session
            self._schedule = PollSchedule(
                self._clock,
                self._policy,
                interval=session.interval,
                long_poll=session.long_poll,
                expires_in=session.expires_in,
            )
            self._schedule.started()  # the creation counts as the first request
            return session

    async def _wait(self, session: BindSession) -> BindSnapshot:
        schedule = self._schedule
        assert schedule is not None  # noqa: S101 - set by _create
        offline = False
        while True:
            self._session = session
            if session.final:
                return await self._finish(session)
            if not offline:
                self._publish(self._showing(session))
            if schedule.expired():
                return await self._expire(session)
            plan = schedule.next_request()
            await self._clock.sleep(plan.delay)
            if schedule.expired():
                continue
            schedule.started(plan.wait)
            try:
                session = await self._client.get_bind_session(session.id, wait=plan.wait)
            except RequestError as exc:
                retry = schedule.failed(exc)
                if retry is None:
                    raise await self._failed(session.wallet, exc) from None
                if retry is Retry.OFFLINE:
                    offline = True
                    self._retry_at = self._clock.monotonic() + (schedule.retry_in() or 0.0)
                    _log.info("bind session %s: %s; backing off", session.id, exc.code)
                    self._publish(
                        BindSnapshot(
                            BindPhase.OFFLINE,
                            wallet=session.wallet,
                            session_id=session.id,
                            qr_text=session.qr_text,
                            expires_at=session.expires_at,
                            seconds_left=self._seconds_left(),
                            retry_in=schedule.retry_in(),
                            failure=Failure(exc.code, str(exc)),
                        )
                    )
                continue
            offline = False
            schedule.answered(interval=session.interval, long_poll=session.long_poll)

    async def _expire(self, session: BindSession) -> BindSnapshot:
        """The deadline passed: one last look (the phone may have just made it), then EXPIRED."""
        try:
            last = await self._client.get_bind_session(session.id)
        except RequestError as exc:
            _log.info("bind session %s: last look failed (%s)", session.id, exc.code)
        else:
            if last.final:
                return await self._finish(last)
        snapshot = BindSnapshot(
            BindPhase.EXPIRED,
            wallet=session.wallet,
            session_id=session.id,
            expires_at=session.expires_at,
            seconds_left=0,
            next_step=bind_next_step("EXPIRED"),
        )
        self._publish(snapshot)
        return snapshot

    async def _finish(self, session: BindSession) -> BindSnapshot:
        self._finishing = True
        base = BindSnapshot(
            BindPhase.FAILED,
            wallet=session.wallet,
            session_id=session.id,
            expires_at=session.expires_at,
            seconds_left=0,
        )
        if session.state is BindSessionState.BOUND and session.binding is not None:
            snapshot = await self._bound(base, session.binding)
        elif session.state is BindSessionState.EXPIRED:
            snapshot = replace(base, phase=BindPhase.EXPIRED, next_step=bind_next_step("EXPIRED"))
        elif session.state is BindSessionState.DECLINED:
            snapshot = replace(
                base,
                phase=BindPhase.DECLINED,
                failure=session.failure or Failure("DECLINED"),
                next_step=bind_next_step("DECLINED"),
            )
        else:
            failure = session.failure or Failure("FAILED")
            snapshot = replace(
                base, failure=failure, next_step=bind_next_step("FAILED", failure.code)
            )
        self._publish(snapshot)
        return snapshot

    async def _bound(self, base: BindSnapshot, binding: Binding) -> BindSnapshot:
        if self._keep_binding is not None:
            try:
                await self._keep_binding(binding)
            except VaultError as exc:
                _log.warning("bound, but the binding cannot be kept: %s", exc)
                try:
                    await self._client.delete_binding(binding.ref)
                except RequestError as revoke_error:
                    _log.info("could not revoke the unkept binding: %s", revoke_error.code)
                return replace(
                    base,
                    failure=Failure(exc.code, str(exc)),
                    next_step=bind_next_step("FAILED", exc.code),
                )
        return replace(base, phase=BindPhase.BOUND, binding=binding, next_step=NextStep.NONE)

    async def _after_cancel(self, wallet: Wallet) -> None:
        """Tell the backend the session is abandoned; honour a bind that beat the cancel."""
        session = self._session
        if session is not None and not session.final:
            try:
                answer = await self._client.cancel_bind_session(session.id)
            except RequestError as exc:
                _log.info("bind session %s not cancelled at the backend: %s", session.id, exc.code)
            else:
                if answer.state is BindSessionState.BOUND:
                    await self._finish(answer)
                    return
        self._publish(
            BindSnapshot(
                BindPhase.CANCELLED,
                wallet=wallet,
                session_id=session.id if session else None,
                next_step=NextStep.NONE,
            )
        )
