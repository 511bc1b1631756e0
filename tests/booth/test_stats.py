"""Visit statistics: the staff menu's summary and the CSV log under the data dir."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.helpers.clock import FakeClock
from tvclient.booth.stats import CSV_FIELDS, STATS_KEY, VisitLog
from tvclient.device.safety.store import MemoryStateStore


def test_visits_binds_purchases_and_the_average_time_to_bind(tmp_path: Path) -> None:
    """Time to bind counts from the visit's first input; a visit binds at most once."""
    clock, store = FakeClock(), MemoryStateStore()
    log = VisitLog(store, tmp_path / "visits.csv", clock)
    log.start()
    clock.advance(40)
    log.bound("ALIPAY_HK")
    clock.advance(5)
    log.bound("DANA")  # a second bind in the same visit is not a second visitor binding
    log.purchased()
    log.purchased()
    clock.advance(100)
    log.end("inactivity")
    log.start()
    clock.advance(20)
    log.bound("DANA")
    log.end("inactivity")
    log.start()
    log.end("inactivity")
    summary = log.summary()
    assert (summary.visits, summary.binds, summary.purchases) == (3, 2, 2)
    assert summary.average_bind_seconds == 30.0
    with (tmp_path / "visits.csv").open(newline="") as out:
        rows = list(csv.DictReader(out))
    assert tuple(rows[0]) == CSV_FIELDS
    assert [(r["bound"], r["seconds_to_bind"], r["wallet"], r["purchases"]) for r in rows] == [
        ("yes", "40.0", "ALIPAY_HK", "2"), ("yes", "20.0", "DANA", "0"), ("no", "", "", "0"),
    ]
    assert rows[0]["seconds"] == "145"


def test_the_summary_survives_a_restart_and_reset_starts_a_new_count(tmp_path: Path) -> None:
    """A new VisitLog on the same store continues; reset zeroes it but keeps the CSV."""
    clock, store = FakeClock(), MemoryStateStore()
    first = VisitLog(store, tmp_path / "visits.csv", clock)
    first.start()
    first.end("inactivity")
    again = VisitLog(store, tmp_path / "visits.csv", clock)
    assert again.summary().visits == 1
    clock.advance(3600)
    summary = again.reset()
    assert summary.visits == 0
    assert summary.since == clock.now()
    assert len((tmp_path / "visits.csv").read_text().splitlines()) == 2


def test_staff_visits_are_not_counted(tmp_path: Path) -> None:
    """A visit that was staff getting in is left out of the summary and the log."""
    log = VisitLog(MemoryStateStore(), tmp_path / "visits.csv", FakeClock())
    log.start()
    log.end("staff", counted=False)
    assert log.summary().visits == 0
    assert not (tmp_path / "visits.csv").exists()


def test_a_damaged_summary_starts_afresh(tmp_path: Path, expect_log: None) -> None:
    """Garbage in the stored summary is reported and replaced, never a crash."""
    store = MemoryStateStore()
    store.save(STATS_KEY, {"visits": "many"})
    log = VisitLog(store, tmp_path / "visits.csv", FakeClock())
    assert log.summary().visits == 0


def test_an_unwritable_log_keeps_the_summary(tmp_path: Path, expect_log: None) -> None:
    """A CSV that cannot be written costs the line, not the count."""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the log's folder should be")
    log = VisitLog(MemoryStateStore(), blocked / "visits.csv", FakeClock())
    log.start()
    log.end("inactivity")
    assert log.summary().visits == 1
