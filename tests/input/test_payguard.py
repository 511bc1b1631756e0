"""Purchase safety end to end in a QML scene: only a fresh, deliberate press on Pay pays, once."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.input.conftest import Harness
from tvclient.app.input.gamepad.navigator import PadButton
from tvclient.app.input.settings import InputSettings
from tvclient.device.safety.settings import SafetySettings

K = Qt.Key
CEC_SELECT = 0x00
HOLD = SafetySettings(hold_to_confirm=True, hold_seconds=1.0)


def open_product(h: Harness) -> None:
    """From the store, open the product screen with the keyboard and let the buyer read it."""
    h.tap(K.Key_Return)
    assert h.focused() == "pay"
    h.clock.advance(1.0)


def test_deliberate_press_pays_exactly_once(make_harness):
    """The legitimate press pays once; pressing again on the same screen does nothing."""
    h = make_harness(controllers=False)
    open_product(h)
    h.tap(K.Key_Return, hold=0.12)
    assert h.probe.payments == 1
    h.clock.advance(0.5)
    h.tap(K.Key_Return, hold=0.12)
    assert h.probe.payments == 1


def test_press_carried_over_from_the_store_never_pays(make_harness):
    """OK pressed on a tile (which opens the product) and released on Pay does not pay."""
    h = make_harness(controllers=False)
    h.key_press(K.Key_Return)
    assert h.focused() == "pay"
    h.clock.advance(0.3)
    h.key_release(K.Key_Return)
    assert h.probe.payments == 0


def test_held_ok_auto_repeat_never_pays(make_harness):
    """OK held from the store through the product screen, auto-repeating, never pays."""
    h = make_harness(controllers=False)
    h.key_press(K.Key_Return)
    for _ in range(40):
        h.clock.advance(0.05)
        h.key_press(K.Key_Return, repeat=True)
    h.key_release(K.Key_Return)
    assert h.probe.payments == 0


def test_key_held_too_long_never_pays(make_harness):
    """In click mode a press held for seconds (someone sitting on the remote) does not pay."""
    h = make_harness(controllers=False)
    open_product(h)
    h.tap(K.Key_Return, hold=3.0)
    assert h.probe.payments == 0
    assert h.guard.hint == "released-late"


def test_press_as_the_screen_appears_never_pays(make_harness):
    """A press within the settle time after Pay appears was aimed at the previous screen."""
    h = make_harness(controllers=False)
    h.tap(K.Key_Return)
    h.clock.advance(0.1)
    h.tap(K.Key_Return, hold=0.05)
    assert h.probe.payments == 0
    assert h.guard.hint == "too-soon"
    h.clock.advance(0.5)
    h.tap(K.Key_Return)
    assert h.probe.payments == 1


def test_cec_double_press_pays_once(make_harness):
    """A TV's doubled SELECT on Pay pays once, with or without the double-press filter."""
    for window in (0.3, 0.0):
        h = make_harness(InputSettings(double_press_seconds=window), controllers=False)
        h.cec_poll()
        open_product(h)
        h.cec.tap_twice(CEC_SELECT)
        h.cec_poll(0.05)
        h.cec.tap(CEC_SELECT)
        h.cec_poll(0.05)
        assert h.probe.payments == 1


def test_controller_a_pays_once(make_harness, plug_pad):
    """A controller's A on Pay pays once; B then leaves the screen."""
    h = make_harness()
    pad = plug_pad()
    h.pad_poll()
    open_product(h)
    pad.press(PadButton.A)
    h.pad_poll(0.016)
    assert h.probe.payments == 0  # pays on release, not on press
    pad.release(PadButton.A)
    h.pad_poll(0.1)
    assert h.probe.payments == 1
    pad.press(PadButton.A)
    h.pad_poll(0.016)
    pad.release(PadButton.A)
    h.pad_poll(0.1)
    assert h.probe.payments == 1


def test_controller_a_held_from_the_store_never_pays(make_harness, plug_pad):
    """A held on a tile (opening the product) and released seconds later on Pay does not pay."""
    h = make_harness()
    pad = plug_pad()
    h.pad_poll()
    pad.press(PadButton.A)
    h.pad_poll(0.016)
    assert h.focused() == "pay"
    h.pad_run(1.0)
    pad.release(PadButton.A)
    h.pad_poll(0.016)
    assert h.probe.payments == 0


def test_hold_to_confirm_fills_the_ring_and_pays_once(make_harness):
    """Hold mode: progress rises while OK is held; pays when full; the release adds nothing."""
    h = make_harness(safety=HOLD, controllers=False)
    assert h.guard.holdToConfirm
    open_product(h)
    h.key_press(K.Key_Return)
    h.clock.advance(0.5)
    h.guard.tick()
    assert 0.45 < h.guard.holdProgress < 0.55
    assert h.probe.payments == 0
    for _ in range(10):
        h.key_press(K.Key_Return, repeat=True)  # auto-repeat during the hold changes nothing
        h.clock.advance(0.06)
    h.guard.tick()
    assert h.probe.payments == 1
    h.key_release(K.Key_Return)
    assert h.probe.payments == 1
    assert h.guard.holdProgress == 0.0


def test_hold_to_confirm_click_is_not_enough(make_harness):
    """Hold mode: a normal click does not pay and tells the buyer to hold."""
    h = make_harness(safety=HOLD, controllers=False)
    open_product(h)
    h.tap(K.Key_Return, hold=0.3)
    assert h.probe.payments == 0
    assert h.guard.hint == "hold-longer"


def test_focus_loss_mid_press_and_wake_press_never_pay(make_harness, qtbot):
    """A press spanning a focus change, and a press right after waking, never pay."""
    h = make_harness(controllers=False)
    open_product(h)
    h.key_press(K.Key_Return)
    h.deactivate(qtbot)
    assert not h.guard.armed
    h.activate(qtbot)
    assert h.guard.armed
    h.key_release(K.Key_Return)
    h.clock.advance(0.05)
    h.tap(K.Key_Return, hold=0.05)  # the press that woke the screen
    assert h.probe.payments == 0
    h.clock.advance(1.0)
    h.tap(K.Key_Return)
    assert h.probe.payments == 1


def test_leaving_and_returning_allows_a_new_purchase(make_harness):
    """Each showing of the product screen allows one purchase intent."""
    h = make_harness(controllers=False)
    open_product(h)
    h.tap(K.Key_Return)
    h.tap(K.Key_Escape)
    h.clock.advance(0.5)
    open_product(h)
    h.tap(K.Key_Return)
    assert h.probe.payments == 2


def test_pointer_tap_pays_once(make_harness):
    """A touch/mouse tap on Pay pays once; a second tap does not."""
    h = make_harness(controllers=False)
    open_product(h)
    h.guard.pointerPress()
    h.clock.advance(0.1)
    h.guard.pointerRelease()
    h.guard.pointerPress()
    h.guard.pointerRelease()
    h.guard.pointerRelease()
    assert h.probe.payments == 1


def test_focus_moving_off_pay_mid_press_cancels(make_harness):
    """Pressing OK, moving focus away and back, then releasing does not pay."""
    h = make_harness(controllers=False)
    open_product(h)
    h.key_press(K.Key_Return)
    h.guard.cancel()
    h.clock.advance(0.1)
    h.key_release(K.Key_Return)
    assert h.probe.payments == 0
