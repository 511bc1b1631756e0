"""The Pay press-freshness gate: only a deliberate press on the Product screen pays, once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.clock import FakeClock
from tvclient.device.safety.paygate import PayDecision, PayGate, PayPress
from tvclient.device.safety.settings import SafetySettings


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock."""
    return FakeClock()


def armed_gate(clock: FakeClock, **settings: Any) -> PayGate:
    """A gate armed a second ago (the buyer has read the screen)."""
    gate = PayGate(clock, SafetySettings(**settings))
    gate.arm()
    clock.advance(1.0)  # the buyer reads the screen
    return gate


def click(gate: PayGate, clock: FakeClock, press_id: int, hold: float = 0.1) -> PayDecision:
    """A fresh press held for `hold` seconds; the release's decision."""
    first = gate.press(PayPress(press_id, clock.monotonic()))
    assert first is PayDecision.PENDING
    clock.advance(hold)
    return gate.release(press_id)


def test_a_fresh_click_pays_exactly_once(clock):
    """The legitimate press pays, and nothing after it pays again until the screen is re-shown."""
    gate = armed_gate(clock)
    assert click(gate, clock, 1) is PayDecision.PAY
    assert gate.press(PayPress(2, clock.monotonic())) is PayDecision.ALREADY_PAID
    assert gate.release(2) is PayDecision.ALREADY_PAID
    assert gate.update() is None


def test_auto_repeat_never_pays(clock):
    """Auto-repeat events of a held key neither pay nor start a press."""
    gate = armed_gate(clock)
    for _ in range(20):
        assert gate.press(PayPress(7, clock.monotonic(), repeat=True)) is PayDecision.REPEAT
        clock.advance(0.05)
    assert gate.release(7) is PayDecision.UNKNOWN_PRESS
    assert not gate.paid


def test_press_begun_before_the_screen_never_pays(clock):
    """A press carried over from the previous screen is refused, press and release."""
    gate = PayGate(clock, SafetySettings())
    began = clock.monotonic()
    clock.advance(0.2)
    gate.arm()
    clock.advance(0.5)
    assert gate.press(PayPress(3, began)) is PayDecision.CARRIED_OVER
    clock.advance(0.1)
    assert gate.release(3) is PayDecision.CARRIED_OVER


def test_release_without_its_press_never_pays(clock):
    """The release of a press this control never saw (pressed on the previous screen) is refused."""
    gate = armed_gate(clock)
    assert gate.release(42) is PayDecision.UNKNOWN_PRESS
    assert not gate.paid


def test_press_right_after_the_screen_appears_never_pays(clock):
    """A press landing within the settle time was aimed at the previous screen."""
    gate = PayGate(clock, SafetySettings(settle_seconds=0.25))
    gate.arm()
    clock.advance(0.1)
    assert gate.press(PayPress(1, clock.monotonic())) is PayDecision.TOO_SOON
    clock.advance(0.1)
    assert gate.release(1) is PayDecision.TOO_SOON
    clock.advance(0.2)
    assert click(gate, clock, 2) is PayDecision.PAY


def test_held_key_never_pays_in_click_mode(clock):
    """Someone sitting on the remote: a press longer than max_click_seconds does not pay."""
    gate = armed_gate(clock, max_click_seconds=1.5)
    assert click(gate, clock, 1, hold=3.0) is PayDecision.HELD
    assert click(gate, clock, 2, hold=0.2) is PayDecision.PAY


def test_not_armed_never_pays(clock):
    """Before arm() and after disarm() nothing pays."""
    gate = PayGate(clock, SafetySettings())
    assert gate.press(PayPress(1, clock.monotonic())) is PayDecision.NOT_ARMED
    gate.arm()
    clock.advance(1)
    gate.press(PayPress(2, clock.monotonic()))
    gate.disarm()
    assert gate.release(2) is PayDecision.NOT_ARMED


def test_rearm_drops_the_press_in_progress(clock):
    """Re-arming (window refocused, screen shown again) makes a press in progress stale."""
    gate = armed_gate(clock)
    gate.press(PayPress(1, clock.monotonic()))
    gate.arm()
    clock.advance(1)
    assert gate.release(1) is PayDecision.UNKNOWN_PRESS
    assert click(gate, clock, 2) is PayDecision.PAY


def test_two_presses_at_once_never_pay(clock):
    """Overlapping presses from two devices are both refused."""
    gate = armed_gate(clock)
    assert gate.press(PayPress(1, clock.monotonic())) is PayDecision.PENDING
    clock.advance(0.05)
    assert gate.press(PayPress(2, clock.monotonic(), kind="controller")) is PayDecision.OVERLAP
    clock.advance(0.05)
    assert gate.release(1) is PayDecision.OVERLAP
    assert gate.release(2) is PayDecision.OVERLAP
    assert not gate.paid


def test_cancel_drops_the_press(clock):
    """Focus leaving the Pay control mid-press means that press cannot pay."""
    gate = armed_gate(clock)
    gate.press(PayPress(1, clock.monotonic()))
    gate.cancel()
    assert gate.release(1) is PayDecision.UNKNOWN_PRESS


def test_hold_to_confirm_pays_when_the_hold_completes(clock):
    """Hold mode: progress fills over hold_seconds, pays once when full, release adds nothing."""
    gate = armed_gate(clock, hold_to_confirm=True, hold_seconds=1.0)
    assert gate.press(PayPress(1, clock.monotonic())) is PayDecision.PENDING
    clock.advance(0.5)
    assert gate.update() is None
    assert gate.hold_progress() == pytest.approx(0.5)
    clock.advance(0.5)
    assert gate.update() is PayDecision.PAY
    assert gate.update() is None
    clock.advance(0.3)
    assert gate.release(1) is PayDecision.ALREADY_PAID
    assert gate.hold_progress() == 0.0


def test_hold_released_early_never_pays(clock):
    """Hold mode: a click is not enough."""
    gate = armed_gate(clock, hold_to_confirm=True, hold_seconds=1.0)
    assert click(gate, clock, 1, hold=0.4) is PayDecision.HOLD_TOO_SHORT
    assert not gate.paid


def test_hold_completed_pays_on_release_without_a_timer(clock):
    """Hold mode still pays once on release if nobody ticked the timer."""
    gate = armed_gate(clock, hold_to_confirm=True, hold_seconds=1.0)
    assert click(gate, clock, 1, hold=1.2) is PayDecision.PAY
    assert gate.update() is None


def test_double_press_pays_once(clock):
    """A remote's doubled press (two quick clicks) pays once."""
    gate = armed_gate(clock)
    decisions = [click(gate, clock, 1, hold=0.03)]
    clock.advance(0.05)
    gate.press(PayPress(2, clock.monotonic()))
    clock.advance(0.03)
    decisions.append(gate.release(2))
    assert decisions == [PayDecision.PAY, PayDecision.ALREADY_PAID]
