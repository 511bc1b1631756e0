"""The visit cycle on a fake clock: attract → visit → countdown → reset → attract."""

from __future__ import annotations

import pytest

from tests.helpers.clock import FakeClock
from tvclient.booth.errors import BoothConfigError
from tvclient.booth.idle import Change, Mode, VisitCycle


def _mode(visit_cycle: VisitCycle) -> Mode:
    return visit_cycle.mode


@pytest.fixture
def cycle() -> tuple[VisitCycle, FakeClock]:
    """A cycle with the default 90 s timeout, past its start-up clean-up."""
    clock = FakeClock()
    visit_cycle = VisitCycle(clock, 90)
    visit_cycle.reset_done()
    return visit_cycle, clock


def test_the_first_input_starts_a_visit(cycle: tuple[VisitCycle, FakeClock]) -> None:
    """Any input on the attract loop starts a visit; the next inputs only keep it going."""
    visit_cycle, _ = cycle
    assert _mode(visit_cycle) is Mode.ATTRACT
    assert visit_cycle.input() is Change.VISIT_STARTED
    assert visit_cycle.input() is Change.NONE
    assert _mode(visit_cycle) is Mode.VISIT


def test_ninety_idle_seconds_then_a_ten_second_countdown(
    cycle: tuple[VisitCycle, FakeClock],
) -> None:
    """The countdown starts after 90 s without input and calls for the reset 10 s later."""
    visit_cycle, clock = cycle
    visit_cycle.input()
    clock.advance(89.9)
    assert visit_cycle.tick() is Change.NONE
    clock.advance(0.1)
    assert visit_cycle.tick() is Change.COUNTDOWN_STARTED
    assert visit_cycle.seconds_left() == 10
    clock.advance(0.5)
    assert visit_cycle.seconds_left() == 10
    clock.advance(8.6)
    assert visit_cycle.seconds_left() == 1
    assert visit_cycle.tick() is Change.NONE
    clock.advance(0.9)
    assert visit_cycle.tick() is Change.RESET_DUE
    assert _mode(visit_cycle) is Mode.RESETTING
    assert visit_cycle.input() is Change.NONE  # nothing starts while the reset runs
    visit_cycle.reset_done()
    assert _mode(visit_cycle) is Mode.ATTRACT


def test_input_during_the_countdown_cancels_it(cycle: tuple[VisitCycle, FakeClock]) -> None:
    """Input in the countdown returns to the visit with a full timeout again."""
    visit_cycle, clock = cycle
    visit_cycle.input()
    clock.advance(95)
    visit_cycle.tick()
    assert visit_cycle.input() is Change.COUNTDOWN_CANCELLED
    clock.advance(89)
    assert visit_cycle.tick() is Change.NONE
    assert _mode(visit_cycle) is Mode.VISIT


def test_touch_keeps_a_visit_alive_but_never_starts_one(
    cycle: tuple[VisitCycle, FakeClock],
) -> None:
    """Activity on the visitor's behalf (their phone) cancels a countdown, wakes no booth."""
    visit_cycle, clock = cycle
    assert visit_cycle.touch() is Change.NONE
    assert _mode(visit_cycle) is Mode.ATTRACT
    visit_cycle.input()
    clock.advance(90)
    visit_cycle.tick()
    assert visit_cycle.touch() is Change.COUNTDOWN_CANCELLED


def test_the_timeout_is_at_least_ten_seconds() -> None:
    """Under 10 s is refused, both at start and when staff change it."""
    clock = FakeClock()
    with pytest.raises(BoothConfigError):
        VisitCycle(clock, 9.5)
    visit_cycle = VisitCycle(clock, 10)
    with pytest.raises(BoothConfigError):
        visit_cycle.reset_after = 3
    assert visit_cycle.reset_after == 10


def test_a_staff_reset_needs_no_countdown(cycle: tuple[VisitCycle, FakeClock]) -> None:
    """Staff exit resets at once, from any mode."""
    visit_cycle, _ = cycle
    visit_cycle.input()
    visit_cycle.reset_now()
    assert _mode(visit_cycle) is Mode.RESETTING
