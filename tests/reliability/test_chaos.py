"""The chaos campaign, bounded for CI: exactly once under faults, kills and flaky networks.

Runs the same command as the full campaign of docs/reliability.md (`bench/chaos.py`), small:
6 TVs on 2 backend processes sharing the suite's PostgreSQL, 45 s of sandbox faults, SIGKILLs
and lost requests, then settling and the three-way audit. About a minute. The seed is fixed
so a failure can be rerun; `TVCLIENT_CHAOS_SEED` picks another.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("TVCLIENT_CHAOS_SEED", "20240611"))


def test_no_double_charge_lost_payment_stuck_purchase_or_mismatch(
    postgres_url: str, tmp_path: Path
) -> None:
    """Under faults and SIGKILLs every purchase ends once, alike in all books; reconcile clean."""
    out = tmp_path / "chaos.json"
    command = [
        sys.executable, str(ROOT / "bench" / "chaos.py"),
        "--devices", "6", "--backends", "2", "--duration", "45", "--seed", str(SEED),
        "--kill-every", "4,10", "--settle", "120",
        "--postgres-url", postgres_url, "--work-dir", str(tmp_path / "work"), "--json", str(out),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        command, capture_output=True, text=True, timeout=400, check=False, cwd=ROOT, env=env
    )
    tail = (done.stdout + done.stderr)[-6000:]
    assert out.exists(), tail
    figures = json.loads(out.read_text())
    audit = figures["audit"]
    assert (audit["double_charges"], audit["lost_payments"], audit["stuck"],
            audit["mismatches"]) == (0, 0, 0, 0), tail
    assert figures["secret_leaks"] == [], tail
    assert figures["reconcile"]["exit_code"] == 0, tail
    assert figures["reconcile"]["clean"] is True, tail
    assert done.returncode == 0, tail
    # The campaign did what it claims, so the zeros above mean something.
    assert figures["backend"]["sigkills"] >= 2, tail
    assert sum(figures["faults_armed"].values()) >= 20, tail
    counts = audit["counts"]
    assert counts["purchases_by_state"].get("SUCCEEDED", 0) >= 20, tail
    assert counts["charged_payments"] >= 20, tail
    assert figures["network"]["answers_lost"] + figures["network"]["requests_refused"] > 0, tail
    assert figures["reconcile"]["matched"] >= counts["charged_payments"], tail
