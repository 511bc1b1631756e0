"""The booth over the real app on the real embedded stack: visits, resets, kiosk lock, staff."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.app.ui import find_item, screen, settle
from tests.booth.conftest import STAFF_PIN, BoothRig, MakeBooth
from tests.booth.drive import (
    BACK,
    BLUE,
    DOWN,
    MENU,
    OK,
    countdown_then_reset,
    enter_staff_sequence,
    idle,
    mode,
    open_scan,
    pay,
    press,
    staff_approve_and_continue,
    start_visit,
    type_pin,
    wait_ready,
)
from tests.helpers.secret_service import SecretServiceSession
from tvclient.app.viewmodels.navigation import Screen
from tvclient.booth.idle import Mode
from tvclient.booth.kiosk import EXIT_RESTART, EXIT_STAFF, MenuItem
from tvclient.booth.state import BoothState
from tvclient.money import Money


def test_attract_visit_bind_buy_idle_reset_and_the_next_visit_starts_clean(
    qtbot: QtBot, secret_service: SecretServiceSession, make_booth: MakeBooth
) -> None:
    """A whole visit, then the reset: binding revoked, keyring empty, no trace on screen."""
    rig = make_booth(keyring=secret_service.backend())
    booth, app = rig.booth, rig.booth.shell.model
    assert find_item(booth.shell, "attract") is not None

    start_visit(qtbot, rig)
    assert find_item(booth.shell, "attract") is None
    assert find_item(booth.shell, "demoBadge") is not None
    open_scan(qtbot, rig)
    assert find_item(booth.shell, "demoBadge") is not None
    staff_approve_and_continue(qtbot, rig)
    assert len(rig.active_bindings()) == 1
    assert rig.keyring_entries()["binding-ref"] is not None
    pay(qtbot, rig)
    receipt = app.purchase_model.view("receiptRows")
    assert receipt

    idle(rig, 89)
    assert mode(rig) is Mode.VISIT
    idle(rig, 1)
    assert mode(rig) is Mode.COUNTDOWN
    qtbot.waitUntil(lambda: find_item(booth.shell, "countdown") is not None)
    assert booth.model.view("secondsLeft") == 10
    idle(rig, 4)
    assert booth.model.view("secondsLeft") == 6
    idle(rig, 6)
    wait_ready(qtbot, rig)

    assert rig.active_bindings() == []
    assert rig.keyring_entries() == {"device-credential": None, "binding-ref": None}
    assert find_item(booth.shell, "attract") is not None
    assert app.binding is None
    assert app.navigator.stack == (Screen.HOME,)
    assert app.purchase_model.view("phase") == "idle"
    assert app.account_model.history_rows.rowCount() == 0
    assert not app.view("badgeVisible")
    summary = booth.visits.summary()
    assert (summary.visits, summary.binds, summary.purchases) == (1, 1, 1)
    with rig.csv_path.open(newline="") as log:
        [row] = list(csv.DictReader(log))
    assert (row["bound"], row["purchases"], row["ended_by"]) == ("yes", "1", "inactivity")

    start_visit(qtbot, rig)
    press(rig, MENU)
    settle(qtbot, booth.shell, "account")
    qtbot.waitUntil(lambda: app.account_model.view("historyNote") != "")
    assert not app.account_model.view("bound")
    assert app.account_model.history_rows.rowCount() == 0
    assert find_item(booth.shell, "walletBadge") is None


def test_input_during_the_countdown_cancels_the_reset(qtbot: QtBot, rig: BoothRig) -> None:
    """Any key during the countdown keeps the visit (and the key does nothing else)."""
    booth = rig.booth
    start_visit(qtbot, rig)
    idle(rig, 90)
    assert mode(rig) is Mode.COUNTDOWN
    press(rig, DOWN)
    assert mode(rig) is Mode.VISIT
    assert screen(booth.shell) == "home"
    idle(rig, 89)
    assert mode(rig) is Mode.VISIT
    idle(rig, 1)
    assert mode(rig) is Mode.COUNTDOWN


def test_the_phone_binding_counts_as_activity(qtbot: QtBot, rig: BoothRig) -> None:
    """A wallet linked from the phone during the countdown cancels it (the visitor is there)."""
    booth = rig.booth
    start_visit(qtbot, rig)
    open_scan(qtbot, rig)
    idle(rig, 90)
    assert mode(rig) is Mode.COUNTDOWN
    booth.approve_for_visitor()  # what the visitor's phone does, through the same sandbox
    qtbot.waitUntil(lambda: booth.shell.model.binding is not None, timeout=15_000)
    assert mode(rig) is Mode.VISIT


def test_quit_keys_and_window_close_do_nothing(qtbot: QtBot, rig: BoothRig) -> None:
    """Alt+F4, Ctrl+Q, Back on the store and a close request leave the booth on screen."""
    booth = rig.booth
    window = booth.shell.window
    assert window.flags() & Qt.WindowType.FramelessWindowHint
    assert window.cursor().shape() == Qt.CursorShape.BlankCursor
    start_visit(qtbot, rig)
    press(rig, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    press(rig, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    press(rig, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    press(rig, BACK)
    qtbot.wait(200)
    assert not booth.shell.model.dialog_model.open_
    window.close()
    QGuiApplication.processEvents()
    assert window.isVisible()
    assert screen(booth.shell) == "home"
    # Back still works where it goes somewhere: Product → store.
    press(rig, OK)
    settle(qtbot, booth.shell, "product")
    press(rig, BACK)
    settle(qtbot, booth.shell, "home")


def test_staff_wrong_pins_lock_the_pad_then_the_right_pin_exits(
    qtbot: QtBot, rig: BoothRig
) -> None:
    """Five wrong PINs lock the pad for 30 s, the next five for 60 s; the right PIN gets in."""
    booth = rig.booth
    exits: list[int] = []
    booth.finished.connect(exits.append)
    enter_staff_sequence(rig)
    assert booth.staff_layer == "pin"
    for _ in range(5):
        type_pin(rig, "1111")
    assert booth.model.view("padError").startswith("Too many wrong PINs")
    type_pin(rig, STAFF_PIN)
    assert booth.staff_layer == "pin"  # locked: even the right PIN is refused
    idle(rig, 31)
    for _ in range(5):
        type_pin(rig, "0000")
    idle(rig, 31)
    type_pin(rig, STAFF_PIN)
    assert booth.staff_layer == "pin"  # the second lock lasts 60 s
    idle(rig, 30)
    type_pin(rig, STAFF_PIN)
    assert booth.staff_layer == "menu"
    assert find_item(booth.shell, "staffMenu") is not None
    for _ in range(MenuItem.ALL.index(MenuItem.EXIT)):
        press(rig, DOWN)
    press(rig, OK)
    qtbot.waitUntil(lambda: exits == [EXIT_STAFF], timeout=15_000)
    assert booth.closing_allowed


def test_staff_restart_ends_with_the_restart_code(qtbot: QtBot, rig: BoothRig) -> None:
    """Restart in the staff menu asks for exit code 75 (the service starts the booth again)."""
    booth = rig.booth
    exits: list[int] = []
    booth.finished.connect(exits.append)
    enter_staff_sequence(rig)
    type_pin(rig, STAFF_PIN)
    for _ in range(MenuItem.ALL.index(MenuItem.RESTART)):
        press(rig, DOWN)
    press(rig, OK)
    qtbot.waitUntil(lambda: exits == [EXIT_RESTART], timeout=15_000)


def test_staff_visit_is_not_counted_and_back_closes_the_pad(qtbot: QtBot, rig: BoothRig) -> None:
    """Staff getting in from the attract loop is no visitor; closing returns to the loop."""
    booth = rig.booth
    enter_staff_sequence(rig)
    assert booth.staff_layer == "pin"
    press(rig, BACK)
    assert booth.staff_layer == ""
    wait_ready(qtbot, rig)
    assert booth.visits.summary().visits == 0


def test_staff_approve_for_a_visitor_from_the_menu(qtbot: QtBot, rig: BoothRig) -> None:
    """Staff open the menu over the visitor's QR and approve it for a demo buyer."""
    booth = rig.booth
    start_visit(qtbot, rig)
    open_scan(qtbot, rig)
    enter_staff_sequence(rig)
    type_pin(rig, STAFF_PIN)
    assert booth.staff_layer == "menu"
    assert booth.model.view("menuItems")[0]["enabled"]
    press(rig, OK)  # "Approve for visitor" is the first entry
    assert booth.staff_layer == ""
    settle(qtbot, booth.shell, "bound", timeout=15_000)
    assert mode(rig) is Mode.VISIT


@pytest.mark.parametrize("key", [OK, BLUE])
def test_the_key_that_starts_a_visit_does_nothing_else(
    qtbot: QtBot, rig: BoothRig, key: Qt.Key
) -> None:
    """The first press only wakes the booth: the store shows, nothing is opened."""
    press(rig, key)
    assert mode(rig) is Mode.VISIT
    settle(qtbot, rig.booth.shell, "home")
    qtbot.wait(150)
    assert screen(rig.booth.shell) == "home"


def test_a_visit_in_chinese_starts_over_in_the_default_language(
    qtbot: QtBot, make_booth: MakeBooth
) -> None:
    """A visitor's language choice is forgotten: the next visit is in the booth's default."""
    rig = make_booth(language="en")
    app = rig.booth.shell.model
    start_visit(qtbot, rig)
    app.chooseLanguage("zh-HK")
    assert app.lang.value == "zh-HK"
    countdown_then_reset(qtbot, rig)
    assert app.lang.value == "en"


def test_the_visitors_pin_and_spending_cap_are_forgotten(qtbot: QtBot, rig: BoothRig) -> None:
    """A purchase PIN or daily cap set by one visitor never greets the next one."""
    services = rig.booth.shell.services
    start_visit(qtbot, rig)
    services.pins.set_pin("1234")
    services.cap.set_limit("HKD", Money(10_000, "HKD"))
    countdown_then_reset(qtbot, rig)
    assert not services.pins.has_pin()
    assert services.cap.limit("HKD") is None
    assert rig.booth.shell.model.account_model.view("pinText").endswith("Off")


def test_a_tap_on_the_attract_loop_starts_a_visit_and_reaches_nothing_else(
    qtbot: QtBot, rig: BoothRig
) -> None:
    """On a touch screen the first tap wakes the booth; it does not open a product."""
    window = rig.booth.shell.window
    point = window.contentItem().mapToScene(QPointF(250, 300)).toPoint()
    QTest.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert mode(rig) is Mode.VISIT
    settle(qtbot, rig.booth.shell, "home")
    qtbot.wait(150)
    assert screen(rig.booth.shell) == "home"


def test_staff_menu_settings_are_kept(qtbot: QtBot, rig: BoothRig) -> None:
    """Language and timeout cycle and are remembered; statistics reset needs OK twice."""
    booth = rig.booth
    start_visit(qtbot, rig)
    countdown_then_reset(qtbot, rig)
    assert booth.visits.summary().visits == 1
    enter_staff_sequence(rig)
    type_pin(rig, STAFF_PIN)
    items = MenuItem.ALL

    def choose(item: str) -> None:
        while items[booth.model.view("menuIndex")] != item:
            press(rig, DOWN)
        press(rig, OK)

    choose(MenuItem.LANGUAGE)
    assert booth.language == "zh-HK"
    assert booth.model.view("texts")["staff_title"] == "展位職員"
    choose(MenuItem.RESET_AFTER)
    assert booth.cycle.reset_after == 120
    choose(MenuItem.RESET_STATS)
    assert booth.visits.summary().visits == 1
    assert "再按 OK" in booth.model.view("menuItems")[items.index(MenuItem.RESET_STATS)]["label"]
    press(rig, OK)
    assert booth.visits.summary().visits == 0
    press(rig, BACK)
    assert booth.staff_layer == ""
    wait_ready(qtbot, rig)
    assert BoothState(rig.booth_store).language() == "zh-HK"
    assert BoothState(rig.booth_store).reset_after() == 120
    assert booth.shell.model.lang.value == "zh-HK"  # the reset after staff left applied it
