"""Per-device rate limits (token buckets) on bind-session creation and polling."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tvclient.clock import Clock

__all__ = ["RateLimiter"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """`per_minute` requests per key on average, with bursts up to `burst`."""

    def __init__(
        self, clock: Clock, *, per_minute: int, burst: int, max_keys: int = 200_000
    ) -> None:
        self._clock = clock
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}
        self._max_keys = max_keys

    def check(self, key: str) -> float:
        """Take one token for `key`: 0 when allowed, else seconds until one is available."""
        now = self._clock.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._prune(now)
            bucket = _Bucket(self._burst, now)
            self._buckets[key] = bucket
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.stamp) * self._rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate if self._rate > 0 else math.inf

    def _prune(self, now: float) -> None:
        full = [
            key
            for key, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.stamp) * self._rate >= self._burst
        ]
        for key in full:
            del self._buckets[key]
