"""Repeat and double-press filtering per device kind, and press ids."""

from __future__ import annotations

import itertools

from tvclient.app.input.actions import Action, DeviceKind, InputEvent, Phase
from tvclient.app.input.filters import InputFilter, KindPolicy
from tvclient.app.input.settings import InputSettings


def ev(action: Action, phase: Phase, at: float, kind: DeviceKind = DeviceKind.CEC,
       source: str = "s") -> InputEvent:
    """An event from a CEC remote unless told otherwise."""
    return InputEvent(action, phase, kind, source, at)


def make() -> InputFilter:
    """A filter with the default per-kind policies."""
    return InputFilter(InputSettings().policies())


def test_press_repeat_release_share_one_id():
    """A press, its repeats and its release carry the same press id and start time."""
    f = make()
    press = f.accept(ev(Action.DOWN, Phase.PRESS, 0.0, DeviceKind.KEYBOARD))
    repeat = f.accept(ev(Action.DOWN, Phase.REPEAT, 0.5, DeviceKind.KEYBOARD))
    release = f.accept(ev(Action.DOWN, Phase.RELEASE, 0.6, DeviceKind.KEYBOARD))
    assert press
    assert repeat
    assert release
    assert press.press_id == repeat.press_id == release.press_id
    assert repeat.began_at == 0.0
    assert repeat.repeat
    assert not press.repeat
    nxt = f.accept(ev(Action.DOWN, Phase.PRESS, 1.0, DeviceKind.KEYBOARD))
    assert nxt
    assert nxt.press_id != press.press_id


def test_second_identical_cec_press_within_window_is_dropped():
    """CEC's doubled press: the second press inside 300 ms is dropped with its release."""
    f = make()
    assert f.accept(ev(Action.OK, Phase.PRESS, 0.00))
    assert f.accept(ev(Action.OK, Phase.RELEASE, 0.05))
    assert f.accept(ev(Action.OK, Phase.PRESS, 0.12)) is None
    assert f.accept(ev(Action.OK, Phase.RELEASE, 0.17)) is None
    assert f.accept(ev(Action.OK, Phase.PRESS, 0.50))  # a real second press later is kept


def test_triple_press_from_a_universal_remote_registers_once():
    """Three or four IR repeats of one press count once (the window follows the last press)."""
    f = make()
    kept = [
        f.accept(ev(Action.RIGHT, Phase.PRESS, t, DeviceKind.REMOTE))
        for t in (0.0, 0.2, 0.4, 0.6)
    ]
    assert [k is not None for k in kept] == [True, False, False, False]


def test_different_actions_are_not_double_presses():
    """The window applies to identical presses only."""
    f = make()
    assert f.accept(ev(Action.UP, Phase.PRESS, 0.0))
    assert f.accept(ev(Action.DOWN, Phase.PRESS, 0.05))


def test_keyboards_and_controllers_have_no_double_press_window():
    """Fast deliberate key presses on a keyboard or pad are all kept."""
    f = make()
    for kind in (DeviceKind.KEYBOARD, DeviceKind.CONTROLLER):
        for i in range(3):
            assert f.accept(ev(Action.RIGHT, Phase.PRESS, i * 0.05, kind))
            assert f.accept(ev(Action.RIGHT, Phase.RELEASE, i * 0.05 + 0.01, kind))


def test_double_press_window_is_configurable():
    """input.double_press_ms widens or disables the window."""
    wide = InputFilter(InputSettings(double_press_seconds=1.25).policies())
    assert wide.accept(ev(Action.OK, Phase.PRESS, 0.0))
    assert wide.accept(ev(Action.OK, Phase.PRESS, 1.0)) is None
    off = InputFilter(InputSettings(double_press_seconds=0).policies())
    assert off.accept(ev(Action.OK, Phase.PRESS, 0.0))
    assert off.accept(ev(Action.OK, Phase.PRESS, 0.01))


def test_held_arrow_repeats_at_a_steady_rate():
    """OS auto-repeat every 33 ms is thinned to one repeat per 150 ms."""
    f = make()
    f.accept(ev(Action.DOWN, Phase.PRESS, 0.0, DeviceKind.KEYBOARD))
    delivered = [
        t for i in range(1, 31)
        if f.accept(ev(Action.DOWN, Phase.REPEAT, (t := 0.5 + i * 0.033), DeviceKind.KEYBOARD))
    ]
    gaps = [b - a for a, b in itertools.pairwise(delivered)]
    assert len(delivered) >= 5
    assert all(0.149 <= g <= 0.15 + 0.034 for g in gaps)


def test_only_arrows_repeat():
    """OK, Back, Menu and digits never repeat, whatever the device sends."""
    f = make()
    for action in (Action.OK, Action.BACK, Action.MENU, Action.DIGIT_5, Action.RED):
        f.accept(ev(action, Phase.PRESS, 0.0, DeviceKind.KEYBOARD))
        assert f.accept(ev(action, Phase.REPEAT, 1.0, DeviceKind.KEYBOARD)) is None


def test_keys_held_across_a_focus_change_do_nothing():
    """After forget_held, the repeats and release of an earlier press are dropped."""
    f = make()
    f.accept(ev(Action.OK, Phase.PRESS, 0.0, DeviceKind.KEYBOARD))
    f.accept(ev(Action.DOWN, Phase.PRESS, 0.0, DeviceKind.KEYBOARD))
    f.forget_held()
    assert f.accept(ev(Action.DOWN, Phase.REPEAT, 0.5, DeviceKind.KEYBOARD)) is None
    assert f.accept(ev(Action.OK, Phase.RELEASE, 0.6, DeviceKind.KEYBOARD)) is None
    assert f.held_count() == 0


def test_repeat_without_press_is_dropped():
    """Auto-repeat of a key pressed before the window had focus never acts."""
    f = make()
    assert f.accept(ev(Action.LEFT, Phase.REPEAT, 1.0, DeviceKind.KEYBOARD)) is None
    assert f.accept(ev(Action.LEFT, Phase.RELEASE, 1.1, DeviceKind.KEYBOARD)) is None


def test_unthrottled_kind_passes_every_repeat():
    """A kind whose backend times its own repeats is not throttled again."""
    f = InputFilter({DeviceKind.CONTROLLER: KindPolicy()})
    f.accept(ev(Action.UP, Phase.PRESS, 0.0, DeviceKind.CONTROLLER))
    assert f.accept(ev(Action.UP, Phase.REPEAT, 0.01, DeviceKind.CONTROLLER))
    assert f.accept(ev(Action.UP, Phase.REPEAT, 0.02, DeviceKind.CONTROLLER))
