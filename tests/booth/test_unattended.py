"""Many visits in a row, unattended: nothing accumulates from one visitor to the next."""

from __future__ import annotations

import asyncio
import csv

from pytestqt.qtbot import QtBot

from tests.app.ui import walk
from tests.booth.conftest import BoothRig
from tests.booth.drive import (
    countdown_then_reset,
    open_scan,
    pay,
    staff_approve_and_continue,
    start_visit,
)
from tvclient.app.viewmodels.navigation import Screen
from tvclient.booth.forget import VISITOR_STATE_KEYS

VISITS = 20


def _items(rig: BoothRig) -> int:
    """Visual items in the window (screens and overlays left behind would add up)."""
    return sum(1 for _ in walk(rig.booth.shell.window.contentItem()))


def _tasks(rig: BoothRig) -> int:
    """Tasks on the device core's loop (flows still running would add up)."""
    return rig.booth.shell.worker.call_sync(lambda: len(asyncio.all_tasks()))


def test_twenty_visits_leave_nothing_behind(qtbot: QtBot, rig: BoothRig) -> None:
    """Each visit binds (every fourth buys); after each reset nothing of it remains anywhere."""
    app = rig.booth.shell.model
    baseline: tuple[int, int] | None = None
    for visit in range(VISITS):
        start_visit(qtbot, rig)
        assert app.binding is None
        open_scan(qtbot, rig)
        staff_approve_and_continue(qtbot, rig)
        if visit % 4 == 0:
            pay(qtbot, rig)
        countdown_then_reset(qtbot, rig)

        assert rig.active_bindings() == []
        assert rig.keyring_entries() == {"device-credential": None, "binding-ref": None}
        assert [k for k in VISITOR_STATE_KEYS if rig.device_store.load(k) is not None] == []
        assert app.navigator.stack == (Screen.HOME,)
        assert app.account_model.history_rows.rowCount() == 0
        sizes = (_items(rig), _tasks(rig))
        if baseline is None:
            baseline = sizes
        assert sizes == baseline, f"visit {visit + 1}: items/tasks {sizes} != {baseline}"

    summary = rig.booth.visits.summary()
    assert (summary.visits, summary.binds, summary.purchases) == (VISITS, VISITS, VISITS // 4)
    assert summary.average_bind_seconds == 0.0  # the booth's clock only moves while idle
    with rig.csv_path.open(newline="") as log:
        rows = list(csv.DictReader(log))
    assert len(rows) == VISITS
    assert {row["bound"] for row in rows} == {"yes"}
    assert sum(int(row["purchases"]) for row in rows) == VISITS // 4
