"""Sandbox time after a restart never goes back before what the sandbox recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.helpers.clock import FakeClock
from tests.sandbox.conftest import start_harness
from tvclient.clock import ScaledClock
from tvclient.sandbox.clocks import latest_recorded_ms, resume_clock
from tvclient.sandbox.times import from_ms


async def test_restart_resumes_after_the_latest_record(data_dir: Path, clock: FakeClock) -> None:
    """A sandbox that ran ten (scaled) days ahead starts again from there, not from today."""
    async for h in start_harness(data_dir, clock):
        await h.bind(buyer="hk-alice")
        await h.advance(10 * 86400)
        token = (await h.bind(buyer="hk-carol"))["accessToken"]
        await h.pay(token, 100)
        last = h.clock.now()
    real = FakeClock()  # "today": ten days before the last record
    recorded = latest_recorded_ms(data_dir)
    assert recorded is not None
    assert from_ms(recorded) == last
    resumed = resume_clock(data_dir, 1, base=real)
    assert resumed.now() == last
    real.advance(5)
    assert resumed.now() == last + dt.timedelta(seconds=5)
    scaled = resume_clock(data_dir, 60, base=real)
    assert isinstance(scaled, ScaledClock)
    real.advance(1)
    assert scaled.now() == last + dt.timedelta(seconds=60)


def test_fresh_or_behind_data_dir_uses_real_time(tmp_path: Path) -> None:
    """Without records (or with records in the past) the clock is the real one."""
    real = FakeClock()
    assert latest_recorded_ms(tmp_path) is None
    assert resume_clock(tmp_path, 1, base=real) is real
