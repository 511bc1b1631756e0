"""The waiting policy: RFC 8628 pacing, slow_down, back-off, deadline, long-poll and fallback."""

from __future__ import annotations

import pytest

from tests.helpers.clock import FakeClock
from tvclient.device.errors import (
    AuthError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    RequestError,
    ServerError,
    SlowDownError,
    ValidationError,
)
from tvclient.device.waiting import PollSchedule, Retry, WaitPolicy


def slow_down(interval: int | None = None) -> SlowDownError:
    """A SLOW_DOWN error, with the server's new interval if given."""
    return SlowDownError(400, "SLOW_DOWN", details={"interval": interval} if interval else None)


def test_default_interval_is_five_seconds_and_never_below_one() -> None:
    """Without a server interval the device waits 5 s (RFC 8628); it never polls under 1 s."""
    clock = FakeClock()
    assert PollSchedule(clock).interval == 5
    assert PollSchedule(clock, interval=0).interval == 1


def test_plain_polls_start_one_interval_apart() -> None:
    """Each plain poll starts `interval` seconds after the previous one started."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5)
    assert schedule.next_request().delay == 0
    schedule.started()
    clock.advance(1.5)  # the request took 1.5 s
    schedule.answered(interval=5)
    plan = schedule.next_request()
    assert plan.delay == pytest.approx(3.5)
    assert plan.wait is None


def test_slow_down_adds_five_seconds_for_good() -> None:
    """SLOW_DOWN grows the interval by 5 s for this and every later request."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5)
    schedule.started()
    assert schedule.failed(slow_down()) is Retry.SLOW_DOWN
    assert schedule.interval == 10
    assert schedule.next_request().delay == 10
    schedule.started()
    clock.advance(10)
    schedule.answered(interval=5)  # a later answer with the old interval does not undo it
    assert schedule.interval == 10
    schedule.failed(slow_down())
    assert schedule.interval == 15


def test_slow_down_takes_the_servers_interval_when_larger() -> None:
    """If the backend names a larger interval with SLOW_DOWN, that one is used."""
    schedule = PollSchedule(FakeClock(), interval=5)
    schedule.started()
    schedule.failed(slow_down(30))
    assert schedule.interval == 30


@pytest.mark.parametrize(
    "error",
    [NetworkError("refused"), ServerError(502, "HTTP_502"), ProtocolError("html")],
    ids=["network", "5xx", "garbled"],
)
def test_failures_back_off_doubling_up_to_the_cap(error: RequestError) -> None:
    """The n-th failure in a row waits interval x 2^n, capped at 60 s."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5)
    waits = []
    for _ in range(6):
        schedule.started()
        assert schedule.failed(error) is Retry.OFFLINE
        plan = schedule.next_request()
        waits.append(plan.delay)
        assert schedule.retry_in() == pytest.approx(plan.delay)
        clock.advance(plan.delay)
    assert waits == [10, 20, 40, 60, 60, 60]
    assert schedule.failures == 6


def test_an_answer_resets_the_back_off_but_not_the_interval() -> None:
    """After recovery polling returns to the interval; the back-off starts over."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5)
    for _ in range(3):
        schedule.started()
        schedule.failed(NetworkError("down"))
    schedule.started()
    schedule.answered(interval=5)
    assert schedule.failures == 0
    assert schedule.retry_in() is None
    assert schedule.next_request().delay == 5
    schedule.started()
    schedule.failed(NetworkError("down"))
    assert schedule.next_request().delay == 10


def test_backoff_cap_is_a_policy_number() -> None:
    """The cap comes from the policy."""
    clock = FakeClock()
    schedule = PollSchedule(clock, WaitPolicy(backoff_cap=15), interval=5)
    delays = []
    for _ in range(3):
        schedule.started()
        schedule.failed(NetworkError("down"))
        delays.append(schedule.next_request().delay)
    assert delays == [10, 15, 15]


def test_rate_limited_waits_retry_after_without_counting_a_failure() -> None:
    """429 waits what the backend says (never less than the interval)."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5)
    schedule.started()
    limited = RateLimitedError(429, "RATE_LIMITED", details={"retry_after": 30})
    assert schedule.failed(limited) is Retry.RATE_LIMITED
    assert schedule.next_request().delay == 30
    assert schedule.failures == 0
    schedule.started()
    schedule.failed(RateLimitedError(429, "RATE_LIMITED", details={"retry_after": 1}))
    assert schedule.next_request().delay == 5


def test_server_retry_after_lengthens_the_back_off() -> None:
    """A 503 with Retry-After waits at least that long."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5)
    schedule.started()
    schedule.failed(ServerError(503, "BACKEND_UNAVAILABLE", details={"retry_after": 45}))
    assert schedule.next_request().delay == 45


@pytest.mark.parametrize(
    "error",
    [AuthError(401, "UNAUTHENTICATED"), NotFoundError(404, "NOT_FOUND"),
     ValidationError(400, "VALIDATION_ERROR", details={"field": "wallet"})],
)
def test_other_errors_are_not_retried(error: RequestError) -> None:
    """Anything but pacing and outages stops the polling (RFC 8628: other errors are final)."""
    schedule = PollSchedule(FakeClock(), interval=5)
    schedule.started()
    assert schedule.failed(error) is None


def test_deadline_caps_waits_and_expires() -> None:
    """No wait reaches past the deadline, and the schedule says when it has passed."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5, long_poll=25, expires_in=12)
    assert schedule.remaining() == 12
    plan = schedule.next_request()
    assert (plan.delay, plan.wait) == (0, 12)
    schedule.started(plan.wait)
    for _ in range(4):
        schedule.failed(NetworkError("down"))
    assert schedule.next_request().delay == 12  # the back-off is cut at the deadline
    clock.advance(12)
    assert schedule.expired()
    assert schedule.remaining() == 0


def test_deadline_counts_on_the_monotonic_clock() -> None:
    """A wall clock set far wrong does not stretch the deadline."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5, expires_in=900)
    clock.advance(899)
    assert not schedule.expired()
    clock.advance(1)
    assert schedule.expired()


def test_long_polls_are_used_when_offered_and_capped_at_25() -> None:
    """With long_poll > 0 requests carry wait=min(long_poll, 25) and follow each other at once."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5, long_poll=60)
    plan = schedule.next_request()
    assert plan.wait == 25
    schedule.started(plan.wait)
    clock.advance(25)  # held the whole time, nothing changed
    schedule.answered(interval=5, long_poll=60)
    assert schedule.next_request() == type(plan)(delay=0, wait=25)


def test_a_long_poll_answered_early_still_respects_the_interval() -> None:
    """A backend (or proxy) that answers a long-poll at once does not make the device spin."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5, long_poll=25)
    schedule.started(25)
    clock.advance(0.2)
    schedule.answered(interval=5, long_poll=25)
    assert schedule.next_request().delay == pytest.approx(4.8)


def test_without_long_poll_the_schedule_polls_plainly() -> None:
    """long_poll = 0 from the backend means plain RFC 8628 polling."""
    schedule = PollSchedule(FakeClock(), interval=5, long_poll=0)
    assert schedule.next_request().wait is None
    schedule.answered(interval=5, long_poll=25)
    assert schedule.next_request().wait == 25
    schedule.answered(interval=5, long_poll=0)
    assert schedule.next_request().wait is None


def test_long_polls_cut_twice_fall_back_to_plain_polling() -> None:
    """Two long-polls in a row cut by a timeout or 504 switch to plain polls for good."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5, long_poll=25)
    schedule.started(25)
    schedule.failed(NetworkError("cut", timeout=True))
    assert schedule.long_poll == 25
    schedule.started(25)
    schedule.failed(ServerError(504, "HTTP_504"))
    assert schedule.long_poll == 0
    schedule.answered(interval=5, long_poll=25)
    assert schedule.next_request().wait is None


def test_refused_connections_do_not_turn_long_polling_off() -> None:
    """An outage (connection refused) says nothing about long-polls."""
    schedule = PollSchedule(FakeClock(), interval=5, long_poll=25)
    for _ in range(5):
        schedule.started(25)
        schedule.failed(NetworkError("refused"))
    assert schedule.long_poll == 25


def test_a_backend_refusing_wait_gets_plain_polls() -> None:
    """VALIDATION_ERROR on `wait` switches the schedule to plain polling."""
    schedule = PollSchedule(FakeClock(), interval=5, long_poll=25)
    schedule.started(25)
    refused = ValidationError(400, "VALIDATION_ERROR", details={"field": "wait"})
    assert schedule.failed(refused) is Retry.PLAIN_POLL
    assert schedule.next_request().wait is None


def test_the_first_long_poll_follows_creation_at_once_but_a_plain_poll_waits() -> None:
    """After the creating request a long-poll starts at once; a plain poll waits the interval."""
    clock = FakeClock()
    long = PollSchedule(clock, interval=5, long_poll=25)
    long.started()  # the creating request
    assert long.next_request() == type(long.next_request())(delay=0, wait=25)
    plain = PollSchedule(clock, interval=5, long_poll=0)
    plain.started()
    assert plain.next_request().delay == 5


def test_the_retry_after_a_failure_is_a_plain_request() -> None:
    """Recovering from an outage is noticed at once, not at the end of a held request."""
    clock = FakeClock()
    schedule = PollSchedule(clock, interval=5, long_poll=25)
    schedule.started(25)
    schedule.failed(NetworkError("refused"))
    assert schedule.next_request().wait is None
    schedule.started(None)
    schedule.answered(interval=5, long_poll=25)
    assert schedule.next_request() == type(schedule.next_request())(delay=0, wait=25)
