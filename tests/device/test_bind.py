"""The bind flow against the in-memory backend, on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from tests.device.fakes import FakeBackend, run_for, settle
from tests.helpers.clock import FakeClock
from tvclient.device.bind import BindFlow, BindPhase, BindSnapshot
from tvclient.device.client import MerchantClient
from tvclient.device.errors import KeyringUnavailableError
from tvclient.device.models import Binding
from tvclient.device.nextstep import NextStep
from tvclient.money import Wallet


class Recorder:
    def __init__(self, flow: BindFlow) -> None:
        self.states: list[BindSnapshot] = []
        flow.subscribe(self.states.append)

    @property
    def phases(self) -> list[BindPhase]:
        phases: list[BindPhase] = []
        for state in self.states:
            if not phases or phases[-1] is not state.phase:
                phases.append(state.phase)
        return phases

    @property
    def last(self) -> BindSnapshot:
        return self.states[-1]

    def now(self) -> BindPhase:
        """The phase of the latest snapshot (a call, so type checkers do not pin it)."""
        return self.states[-1].phase


def start(flow: BindFlow, wallet: Wallet = Wallet.ALIPAY_HK) -> asyncio.Task[BindSnapshot]:
    """Run the flow in a task."""
    return asyncio.ensure_future(flow.run(wallet))


async def test_bound_shows_as_soon_as_the_backend_knows(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """QR first; an approval reaches the screen within the held long-poll, not a poll later."""
    kept: list[Binding] = []

    async def keep(binding: Binding) -> None:
        kept.append(binding)

    flow = BindFlow(enrolled, clock, keep_binding=keep)
    seen = Recorder(flow)
    task = start(flow)
    await run_for(clock, 7)
    assert seen.last.phase is BindPhase.SHOWING_QR
    session = backend.only_session()
    assert seen.last.qr_text == session.qr_text
    assert seen.last.session_id == session.id
    assert backend.sent("GET", "/v1/bind-sessions")[-1].url.params["wait"] == "25"
    backend.approve(session.id)
    await settle()
    assert task.done()
    final = task.result()
    assert final.phase is BindPhase.BOUND
    assert final.binding is not None
    assert final.binding.account == "852****5678"
    assert final.next_step is NextStep.NONE
    assert [b.ref for b in kept] == [final.binding.ref]
    assert seen.phases == [
        BindPhase.IDLE,
        BindPhase.CREATING,
        BindPhase.SHOWING_QR,
        BindPhase.BOUND,
    ]


async def test_countdown_ticks_every_second(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """While the QR shows, seconds_left is re-published each second, counting down."""
    flow = BindFlow(enrolled, clock)
    seen = Recorder(flow)
    task = start(flow)
    await run_for(clock, 3.2, step=0.1)
    lefts = [s.seconds_left for s in seen.states if s.phase is BindPhase.SHOWING_QR]
    assert lefts[0] == 900
    assert {897, 898, 899} <= set(lefts)
    flow.cancel()
    await settle()
    assert task.done()


async def test_expired_session_ends_expired_and_offers_a_new_code(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """Nothing before the expiry: EXPIRED, with binding again (a fresh QR) as the next step."""
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await run_for(clock, 901, step=5)
    final = task.result()
    assert final.phase is BindPhase.EXPIRED
    assert final.next_step is NextStep.BIND_AGAIN
    assert final.seconds_left == 0


async def test_the_deadline_holds_even_if_the_backend_never_says_expired(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """The device stops at expires_in by its own clock, after one last look."""
    backend.expires_in = 60
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await settle()
    backend.only_session().expires_at += __import__("datetime").timedelta(hours=1)
    await run_for(clock, 61, step=1)
    assert task.result().phase is BindPhase.EXPIRED
    last_two = backend.sent("GET", "/v1/bind-sessions")[-1]
    assert "wait" not in last_two.url.params  # the last look is a plain GET


async def test_an_approval_at_the_last_second_still_binds(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """The last look at the deadline catches a bind that just happened."""
    backend.expires_in = 30
    backend.long_poll = 0
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await run_for(clock, 29.5, step=0.5)
    session = backend.only_session()
    session.expires_at += __import__("datetime").timedelta(seconds=5)  # backend a bit behind
    backend.approve(session.id)
    await run_for(clock, 1, step=0.5)
    assert task.result().phase is BindPhase.BOUND


async def test_declined(enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock) -> None:
    """The wallet refusing ends DECLINED with "contact the wallet"."""
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await run_for(clock, 2)
    backend.decline(backend.only_session().id)
    await settle()
    final = task.result()
    assert final.phase is BindPhase.DECLINED
    assert final.next_step is NextStep.CONTACT_WALLET


async def test_failed_carries_the_backends_code(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """A FAILED session ends FAILED with its code and the matching next step."""
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await run_for(clock, 2)
    backend.fail_session(backend.only_session().id, "WALLET_UNAVAILABLE")
    await settle()
    final = task.result()
    assert final.phase is BindPhase.FAILED
    assert final.failure is not None
    assert final.failure.code == "WALLET_UNAVAILABLE"
    assert final.next_step is NextStep.TRY_LATER


async def test_cancel_stops_waiting_and_deletes_the_session(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """Back: the held request is abandoned, the session deleted, the flow CANCELLED."""
    flow = BindFlow(enrolled, clock)
    task = start(flow)
    await run_for(clock, 3)
    flow.cancel()
    await settle()
    final = task.result()
    assert final.phase is BindPhase.CANCELLED
    assert final.next_step is NextStep.NONE
    assert backend.sent("DELETE", "/v1/bind-sessions")
    session = backend.only_session()
    assert (session.state, session.failure) == ("FAILED", "CANCELLED")
    assert clock.sleepers == 0  # no wait left behind


async def test_cancelling_the_task_also_cancels_the_session(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """Cancelling the awaiting task ends CANCELLED at the backend and re-raises."""
    flow = BindFlow(enrolled, clock)
    task = start(flow)
    await run_for(clock, 3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert flow.state.phase is BindPhase.CANCELLED
    assert backend.only_session().failure == "CANCELLED"


async def test_cancel_before_run_ends_cancelled_without_a_session(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """A flow cancelled before it started never creates a session."""
    flow = BindFlow(enrolled, clock)
    flow.cancel()
    assert (await flow.run(Wallet.DANA)).phase is BindPhase.CANCELLED
    assert backend.sessions == {}


async def test_offline_while_waiting_then_recovery(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """Network loss shows OFFLINE (QR kept, retry countdown); it recovers by itself."""
    flow = BindFlow(enrolled, clock)
    seen = Recorder(flow)
    task = start(flow)
    await run_for(clock, 2)
    backend.down = True
    await run_for(clock, 26)  # the held long-poll ends; the next one fails
    offline = seen.last
    assert offline.phase is BindPhase.OFFLINE
    assert offline.qr_text == backend.only_session().qr_text
    assert offline.failure is not None
    assert offline.failure.code == "UNREACHABLE"
    assert offline.retry_in is not None
    assert 0 < offline.retry_in <= 10
    await run_for(clock, 30)
    assert seen.now() is BindPhase.OFFLINE
    backend.down = False
    await run_for(clock, 61)
    assert seen.now() is BindPhase.SHOWING_QR
    backend.approve(backend.only_session().id)
    await settle()
    assert task.result().phase is BindPhase.BOUND
    assert seen.phases[-4:] == [
        BindPhase.SHOWING_QR,
        BindPhase.OFFLINE,
        BindPhase.SHOWING_QR,
        BindPhase.BOUND,
    ]


async def test_offline_before_the_qr_retries_creating(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """No backend at all: OFFLINE with a countdown, then a QR once it answers."""
    backend.down = True
    flow = BindFlow(enrolled, clock, tick=None)
    seen = Recorder(flow)
    task = start(flow)
    await run_for(clock, 1)
    assert seen.last.phase is BindPhase.OFFLINE
    assert seen.last.qr_text is None
    assert seen.last.retry_in == 10
    backend.down = False
    await run_for(clock, 10)
    assert seen.now() is BindPhase.SHOWING_QR
    assert len(backend.sessions) == 1
    flow.cancel()
    await settle()
    assert task.result().phase is BindPhase.CANCELLED


async def test_plain_polling_keeps_the_interval_and_obeys_slow_down(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """Without long-polls, polls follow the interval; SLOW_DOWN slows them for good."""
    backend.long_poll = 0
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await run_for(clock, 21, step=0.5)
    polls = backend.sent("GET", "/v1/bind-sessions")
    assert len(polls) == 4  # t = 5, 10, 15, 20
    assert all("wait" not in p.url.params for p in polls)
    slow_downs_before = backend.only_session().interval
    assert slow_downs_before == 5
    # The backend now wants 10 s between polls but has not said so yet.
    backend.only_session().interval = 10
    await run_for(clock, 60, step=0.5)
    session = backend.only_session()
    assert session.interval == 15  # exactly one SLOW_DOWN happened (10 + 5)
    times = list(backend.sent("GET", "/v1/bind-sessions"))
    assert len(times) < 4 + 60 // 5
    flow.cancel()
    await settle()
    assert task.done()


async def test_long_polls_cut_by_the_network_fall_back_to_plain_polls(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """Two held requests cut by timeouts: the flow switches to plain polling and still binds."""
    backend.fail_next(2, "timeout", match=lambda r: "wait" in r.url.params)
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await run_for(clock, 60, step=0.5)
    polls = backend.sent("GET", "/v1/bind-sessions")
    assert "wait" in polls[0].url.params
    assert "wait" not in polls[-1].url.params
    backend.approve(backend.only_session().id)
    await run_for(clock, 6)
    assert task.result().phase is BindPhase.BOUND


async def test_a_binding_the_vault_cannot_keep_fails_and_is_revoked(
    enrolled: MerchantClient,
    backend: FakeBackend,
    clock: FakeClock,
    expect_log: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """BOUND but no keyring: FAILED with the keyring's code, and the binding is revoked."""

    async def keep(binding: Binding) -> None:
        raise KeyringUnavailableError("no backend", "install one")

    flow = BindFlow(enrolled, clock, keep_binding=keep, tick=None)
    task = start(flow)
    await run_for(clock, 2)
    ref = backend.approve(backend.only_session().id)
    await settle()
    final = task.result()
    assert final.phase is BindPhase.FAILED
    assert final.failure is not None
    assert final.failure.code == "KEYRING_UNAVAILABLE"
    assert "install one" in final.failure.message
    assert final.next_step is NextStep.CONTACT_OPERATOR
    assert backend.bindings[ref].state == "REVOKED"
    assert "binding cannot be kept" in caplog.text


async def test_an_unknown_device_fails_and_calls_the_hook(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """UNAUTHENTICATED ends FAILED and tells the account to enrol again."""
    called: list[bool] = []

    async def hook() -> None:
        called.append(True)

    backend.forget_devices()
    flow = BindFlow(enrolled, clock, on_unauthenticated=hook, tick=None)
    final = await flow.run(Wallet.ALIPAY_HK)
    assert final.phase is BindPhase.FAILED
    assert final.failure is not None
    assert final.failure.code == "UNAUTHENTICATED"
    assert final.next_step is NextStep.TRY_AGAIN
    assert called == [True]


async def test_a_session_that_vanishes_fails(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """NOT_FOUND while waiting is final (RFC 8628: other errors stop the polling)."""
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await run_for(clock, 1)
    backend.sessions.clear()
    await run_for(clock, 30)
    final = task.result()
    assert final.phase is BindPhase.FAILED
    assert final.failure is not None
    assert final.failure.code == "NOT_FOUND"


async def test_stream_yields_states_up_to_the_final_one(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """The async-iterator form ends with the final snapshot."""
    flow = BindFlow(enrolled, clock, tick=None)
    phases: list[BindPhase] = []

    async def consume() -> None:
        async for state in flow.stream(Wallet.DANA):
            phases.append(state.phase)

    consumer = asyncio.ensure_future(consume())
    await run_for(clock, 2)
    backend.decline(backend.only_session().id)
    await settle()
    await consumer
    assert phases == [BindPhase.CREATING, BindPhase.SHOWING_QR, BindPhase.DECLINED]


async def test_a_flow_runs_once(
    enrolled: MerchantClient, clock: FakeClock, backend: FakeBackend
) -> None:
    """A new QR needs a new flow (codes are single-use)."""
    flow = BindFlow(enrolled, clock, tick=None)
    task = start(flow)
    await settle()
    with pytest.raises(RuntimeError, match="runs once"):
        await flow.run(Wallet.DANA)
    flow.cancel()
    await settle()
    assert task.done()


async def test_offline_before_the_qr_counts_down(
    enrolled: MerchantClient, backend: FakeBackend, clock: FakeClock
) -> None:
    """The Offline screen's countdown to the next attempt moves every second."""
    backend.down = True
    flow = BindFlow(enrolled, clock)
    seen = Recorder(flow)
    task = start(flow)
    await run_for(clock, 3.5, step=0.25)
    countdown = [s.retry_in for s in seen.states if s.phase is BindPhase.OFFLINE]
    assert countdown[:4] == [10, 9, 8, 7]
    flow.cancel()
    await settle()
    assert task.result().phase is BindPhase.CANCELLED


async def test_a_failing_recovery_hook_does_not_break_the_flow(
    enrolled: MerchantClient,
    backend: FakeBackend,
    clock: FakeClock,
    expect_log: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Re-enrolling may fail too (no keyring); the flow still ends FAILED with its cause."""

    async def hook() -> None:
        raise KeyringUnavailableError("locked", "unlock it")

    backend.forget_devices()
    final = await BindFlow(enrolled, clock, on_unauthenticated=hook, tick=None).run(Wallet.DANA)
    assert final.phase is BindPhase.FAILED
    assert final.failure is not None
    assert final.failure.code == "UNAUTHENTICATED"
    assert "enrolling again" in caplog.text
