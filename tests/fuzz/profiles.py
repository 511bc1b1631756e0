"""Hypothesis settings for the fuzz suite: a bounded CI profile and a long one.

The suite runs `fuzz-ci` by default (a few dozen examples per target, a fixed seed, no example
database, so a run is repeatable and a minute or so). `TVCLIENT_FUZZ=long` switches every
fuzz test to `fuzz-long` (thousands of examples, random seed, examples that failed are kept in
`.hypothesis/`), the longer campaign of docs/reliability.md:

    TVCLIENT_FUZZ=long .venv/bin/pytest tests/fuzz -p no:randomly

Profiles are applied per test (`@fuzz(examples)`), never loaded globally, so the rest of the
suite keeps its own Hypothesis settings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings

__all__ = ["LONG", "PROFILE", "fuzz"]

F = TypeVar("F", bound=Callable[..., Any])

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
            HealthCheck.filter_too_much]

settings.register_profile(
    "fuzz-ci", deadline=None, derandomize=True, database=None, suppress_health_check=_SLOW_OK,
    print_blob=True,
)
settings.register_profile(
    "fuzz-long", deadline=None, suppress_health_check=_SLOW_OK, print_blob=True,
)

LONG = os.environ.get("TVCLIENT_FUZZ", "").lower() == "long"
PROFILE = "fuzz-long" if LONG else "fuzz-ci"
# How many times more examples the long profile runs than CI.
LONG_FACTOR = int(os.environ.get("TVCLIENT_FUZZ_FACTOR", "100"))


def fuzz(examples: int) -> Callable[[F], F]:
    """The active profile with `examples` examples in CI (LONG_FACTOR times that when long)."""
    count = examples * LONG_FACTOR if LONG else examples
    chosen: Callable[[F], F] = settings(settings.get_profile(PROFILE), max_examples=count)
    return chosen
