"""The soak of waiting TVs, bounded for CI: long-polls held without a growth trend.

Runs the same command as the full soak of docs/reliability.md (`bench/soak_waiting.py`),
small and fast: 300 TVs long-polling one backend process with a 3 s wait for about 40 s,
sampled every 3 s. Memory, descriptors, plain-request latency and long-poll lateness must show
no growth trend beyond the tolerance after the warm-up, and every long-poll must be answered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WAITERS = 300
LONG_POLL = 3


def test_waiting_tvs_are_held_without_a_growth_trend(tmp_path: Path) -> None:
    """300 long-polling TVs for ~40 s: all held, all answered, no RSS/fd/latency growth."""
    out = tmp_path / "soak.json"
    command = [
        sys.executable, str(ROOT / "bench" / "soak_waiting.py"),
        "--waiters", str(WAITERS), "--minutes", "0.65", "--sample", "3",
        "--long-poll", str(LONG_POLL), "--warmup", "12", "--json", str(out),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        command, capture_output=True, text=True, timeout=300, check=False, cwd=ROOT, env=env
    )
    tail = (done.stdout + done.stderr)[-4000:]
    assert out.exists(), tail
    figures = json.loads(out.read_text())
    assert figures["errors"] == {}, tail
    assert figures["held_min"] >= 0.95 * WAITERS, tail
    held_seconds = figures["minutes"] * 60
    assert figures["answered"] >= 0.7 * WAITERS * held_seconds / LONG_POLL, tail
    assert [t["series"] for t in figures["trends"] if t["growth"]] == [], tail
    assert all(t["samples"] >= 5 for t in figures["trends"]), tail
    assert done.returncode == 0, tail
