"""When to ask the backend again: RFC 8628 polling plus long-polls, as pure logic.

One `PollSchedule` follows one bind session or one purchase. The flow asks it for the next
request (`next_request`: how long to wait first and which `?wait=` to send), tells it when a
request starts (`started`) and how it ended (`answered` / `failed`), and sleeps on the injected
clock in between, so every wait is a plain cancellable `clock.sleep`.

The rules (numbers are `WaitPolicy` defaults; tv-anchors §1.1):

- Plain polls start at least `interval` seconds apart (the first one `interval` after the
  request that created the session): the server's interval, 5 s when it gives none, never
  under 1 s. A long-poll follows the previous answer at once, unless the previous long-poll
  came back sooner than `interval`.
- `SLOW_DOWN` adds 5 s to the interval for the rest of the schedule (or takes the server's new
  interval if that is larger): RFC 8628 §3.5.
- No answer, a 5xx or a garbled answer backs off: the n-th failure in a row waits
  `interval * 2^n`, capped at 60 s; any answer resets it (the interval itself stays).
- `RATE_LIMITED` waits `retry_after` (at least the interval), without counting as a failure.
- Long-polls (`?wait=N`, N = min(long_poll, 25)) are used while the backend offers them
  (`long_poll` > 0), except for the retry after a failure, which is a plain request so that
  a recovery shows at once. Two long-polls cut by a timeout or a 502/504 (a proxy that does
  not hold requests) with no long-poll answered in between, or a backend that refuses the
  `wait` parameter, switch the schedule to plain polling for good.
- A deadline (the session's expiry, counted on the monotonic clock from `expires_in` so a
  wrong wall clock cannot stretch it) caps every wait; `wait=` never reaches past it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from tvclient.clock import Clock
from tvclient.device.errors import (
    NetworkError,
    ProtocolError,
    RateLimitedError,
    RequestError,
    ServerError,
    SlowDownError,
    ValidationError,
)

__all__ = ["Plan", "PollSchedule", "Retry", "WaitPolicy"]


@dataclass(frozen=True, slots=True)
class WaitPolicy:
    """The numbers of the waiting policy.

    Attributes:
        default_interval: Seconds between polls when the server gives no interval (RFC 8628).
        min_interval: Never poll faster than this, whatever the server says.
        slow_down_step: Seconds added to the interval by each SLOW_DOWN, for good.
        backoff_cap: The longest wait after failures in a row.
        max_long_poll: The longest `wait` ever sent (the contract allows 1-25).
        long_poll_failures: Long-polls cut in a row before falling back to plain polling.
    """

    default_interval: float = 5.0
    min_interval: float = 1.0
    slow_down_step: float = 5.0
    backoff_cap: float = 60.0
    max_long_poll: int = 25
    long_poll_failures: int = 2


@dataclass(frozen=True, slots=True)
class Plan:
    """The next request: wait `delay` seconds, then ask with `?wait=wait` (None: plain poll)."""

    delay: float
    wait: int | None


class Retry(StrEnum):
    """How a failed request is retried (`PollSchedule.failed`)."""

    SLOW_DOWN = "slow_down"        # pace was too fast; the interval grew for good
    RATE_LIMITED = "rate_limited"  # told to wait `retry_after`
    OFFLINE = "offline"            # no usable answer; backing off
    PLAIN_POLL = "plain_poll"      # long-polling does not work here; plain polls from now on


class PollSchedule:
    """The waiting state of one bind session or purchase.

    Args:
        clock: The injected clock (only `monotonic` is read).
        policy: The numbers.
        interval: The server's interval, if known yet.
        long_poll: The server's `long_poll` (0: off), if known yet.
        expires_in: Seconds from now until the hard deadline; None for no deadline.
    """

    def __init__(
        self,
        clock: Clock,
        policy: WaitPolicy | None = None,
        *,
        interval: float | None = None,
        long_poll: int = 0,
        expires_in: float | None = None,
    ) -> None:
        self._clock = clock
        self._policy = policy or WaitPolicy()
        self._floor = self._policy.min_interval  # raised by SLOW_DOWN, never lowered
        self._interval = self._policy.default_interval
        self._long_poll = 0
        self._long_poll_off = False
        self._failures = 0
        self._cut_long_polls = 0
        self._last_start: float | None = None
        self._last_wait: int | None = None
        self._hold_until: float | None = None
        self._deadline: float | None = None
        self.answered(interval=interval, long_poll=long_poll)
        if expires_in is not None:
            self.set_deadline(expires_in)

    # ------------------------------------------------------------------ views
    @property
    def policy(self) -> WaitPolicy:
        """The numbers in use."""
        return self._policy

    @property
    def interval(self) -> float:
        """Seconds between request starts now (server interval, grown by SLOW_DOWN)."""
        return self._interval

    @property
    def long_poll(self) -> int:
        """The `wait` the next request may use (0: plain polling)."""
        return 0 if self._long_poll_off else min(self._long_poll, self._policy.max_long_poll)

    @property
    def failures(self) -> int:
        """Failed requests in a row."""
        return self._failures

    @property
    def deadline(self) -> float | None:
        """The hard deadline on the clock's monotonic scale, if any."""
        return self._deadline

    def remaining(self) -> float | None:
        """Seconds until the deadline (never negative), or None without a deadline."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - self._clock.monotonic())

    def expired(self) -> bool:
        """The deadline has passed."""
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    def retry_in(self) -> float | None:
        """Seconds until the retry after a failure, or None when not holding back."""
        if self._hold_until is None:
            return None
        return max(0.0, self._hold_until - self._clock.monotonic())

    # ------------------------------------------------------------------ decisions
    def set_deadline(self, expires_in: float) -> None:
        """Put the hard deadline `expires_in` seconds from now."""
        self._deadline = self._clock.monotonic() + max(0.0, expires_in)

    def next_request(self) -> Plan:
        """How long to wait before the next request, and the `wait` to send with it."""
        now = self._clock.monotonic()
        # After a failure the retry is a plain request, so a recovery shows at once instead of
        # at the end of a held long-poll.
        wait: int | None = (self.long_poll or None) if self._failures == 0 else None
        if self._last_start is None or (wait is not None and self._last_wait is None):
            # The first long-poll follows the creating request at once; only long-polls that
            # come back early are paced, so a backend answering at once cannot make us spin.
            earliest = now
        else:
            earliest = self._last_start + self._interval
        if self._hold_until is not None:
            earliest = max(earliest, self._hold_until)
        delay = max(0.0, earliest - now)
        if self._deadline is not None:
            left = max(0.0, self._deadline - now)
            delay = min(delay, left)
            if wait is not None:
                wait = min(wait, math.floor(left - delay))
                if wait < 1:
                    wait = None
        return Plan(delay=delay, wait=wait)

    def started(self, wait: int | None = None) -> None:
        """A request is being sent now (with `?wait=wait`)."""
        self._last_start = self._clock.monotonic()
        self._last_wait = wait
        self._hold_until = None

    def answered(self, *, interval: float | None = None, long_poll: int | None = None) -> None:
        """The backend answered; take its current `interval` / `long_poll` and reset back-off."""
        self._failures = 0
        if self._last_wait:  # only a long-poll that came back proves long-polls get through
            self._cut_long_polls = 0
        self._hold_until = None
        server = self._policy.default_interval if interval is None else float(interval)
        self._interval = max(self._floor, server, self._policy.min_interval)
        if long_poll is not None:
            self._long_poll = max(0, long_poll)

    def failed(self, error: RequestError) -> Retry | None:
        """Account for a failed request; how it will be retried, or None when it is final.

        None means the error is not a waiting matter (e.g. NOT_FOUND, UNAUTHENTICATED): the
        flow must decide what it means.
        """
        now = self._clock.monotonic()
        if isinstance(error, SlowDownError):
            self._floor = max(self._interval + self._policy.slow_down_step, error.interval or 0.0)
            self._interval = self._floor
            return Retry.SLOW_DOWN
        if isinstance(error, RateLimitedError):
            self._hold_until = now + max(error.retry_after or 0.0, self._interval)
            return Retry.RATE_LIMITED
        if isinstance(error, ValidationError) and error.field == "wait" and self._last_wait:
            self._long_poll_off = True
            return Retry.PLAIN_POLL
        if isinstance(error, NetworkError | ServerError | ProtocolError):
            self._failures += 1
            backoff = min(self._policy.backoff_cap, self._interval * 2**self._failures)
            if isinstance(error, ServerError) and error.retry_after:
                backoff = max(backoff, error.retry_after)
            self._hold_until = now + backoff
            if self._last_wait and _cut_long_poll(error):
                self._cut_long_polls += 1
                if self._cut_long_polls >= self._policy.long_poll_failures:
                    self._long_poll_off = True
            return Retry.OFFLINE
        return None


def _cut_long_poll(error: RequestError) -> bool:
    """A held request that something between device and backend did not let finish."""
    if isinstance(error, NetworkError):
        return error.timeout
    return isinstance(error, ServerError) and error.status in (502, 504)
