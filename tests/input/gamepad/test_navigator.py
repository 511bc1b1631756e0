"""Controller buttons and sticks become actions, with a dead zone and steady repeats."""

from __future__ import annotations

from tvclient.app.input.actions import Action, InputEvent, Phase
from tvclient.app.input.gamepad.navigator import (
    AXIS_MAX,
    GamepadNavigator,
    PadAxis,
    PadButton,
    PadTiming,
)


def summary(events: list[InputEvent]) -> list[tuple[Action, Phase]]:
    """Actions and phases, for comparing event lists."""
    return [(e.action, e.phase) for e in events]


def test_buttons_map_to_actions():
    """A = OK, B = Back, Start = Menu, Guide = Home, D-pad = arrows; other buttons nothing."""
    nav = GamepadNavigator(PadTiming())
    expected = {
        PadButton.A: Action.OK, PadButton.B: Action.BACK, PadButton.START: Action.MENU,
        PadButton.GUIDE: Action.HOME, PadButton.DPAD_UP: Action.UP,
        PadButton.DPAD_LEFT: Action.LEFT,
    }
    for button, action in expected.items():
        assert summary(nav.button("p", button, True, 0.0)) == [(action, Phase.PRESS)]
        assert summary(nav.button("p", button, False, 0.1)) == [(action, Phase.RELEASE)]
    assert nav.button("p", PadButton.X, True, 0.0) == []
    assert nav.button("p", 99, True, 0.0) == []


def test_nintendo_swap():
    """With swap_ab, B is OK and A is Back."""
    nav = GamepadNavigator(PadTiming(), swap_ab=True)
    assert summary(nav.button("p", PadButton.B, True, 0.0)) == [(Action.OK, Phase.PRESS)]
    assert summary(nav.button("p", PadButton.A, True, 0.0)) == [(Action.BACK, Phase.PRESS)]


def test_held_dpad_repeats_after_a_delay_at_a_steady_rate():
    """D-pad held: one press, then repeats after 400 ms every 150 ms; OK never repeats."""
    nav = GamepadNavigator(PadTiming(dpad_delay=0.4, repeat=0.15))
    nav.button("p", PadButton.DPAD_DOWN, True, 0.0)
    nav.button("p", PadButton.A, True, 0.0)
    times = []
    t = 0.0
    while t < 1.0:
        t = round(t + 0.01, 3)
        times += [t for e in nav.tick(t) if e.phase is Phase.REPEAT]
    assert times == [0.4, 0.55, 0.7, 0.85, 1.0]


def test_stick_dead_zone_and_direction():
    """Small deflections do nothing; the dominant axis beyond the threshold picks the way."""
    nav = GamepadNavigator(PadTiming(stick_threshold=0.5))
    assert nav.axis("p", PadAxis.LEFT_X, int(AXIS_MAX * 0.3), 0.0) == []
    assert summary(nav.axis("p", PadAxis.LEFT_X, int(AXIS_MAX * 0.7), 0.0)) == [
        (Action.RIGHT, Phase.PRESS)
    ]
    # Pushing further up than right turns the push into Up.
    assert summary(nav.axis("p", PadAxis.LEFT_Y, -AXIS_MAX, 0.1)) == [
        (Action.RIGHT, Phase.RELEASE), (Action.UP, Phase.PRESS)
    ]
    assert summary(nav.axis("p", PadAxis.LEFT_Y, 0, 0.2)) == [
        (Action.UP, Phase.RELEASE), (Action.RIGHT, Phase.PRESS)
    ]
    assert summary(nav.axis("p", PadAxis.LEFT_X, 0, 0.3)) == [(Action.RIGHT, Phase.RELEASE)]
    assert nav.axis("p", PadAxis.RIGHT_X, AXIS_MAX, 0.4) == []  # only the left stick navigates


def test_stick_hysteresis_avoids_chatter_at_the_threshold():
    """A stick hovering just under the push threshold stays pushed."""
    nav = GamepadNavigator(PadTiming(stick_threshold=0.5))
    nav.axis("p", PadAxis.LEFT_X, int(AXIS_MAX * 0.55), 0.0)
    assert nav.axis("p", PadAxis.LEFT_X, int(AXIS_MAX * 0.45), 0.1) == []
    assert summary(nav.axis("p", PadAxis.LEFT_X, int(AXIS_MAX * 0.3), 0.2)) == [
        (Action.RIGHT, Phase.RELEASE)
    ]


def test_stick_repeats_every_repeat_interval():
    """A held stick repeats every 150 ms from the push."""
    nav = GamepadNavigator(PadTiming(repeat=0.15))
    nav.axis("p", PadAxis.LEFT_X, -AXIS_MAX, 0.0)
    times = []
    for i in range(1, 61):
        times += [round(i * 0.01, 2) for e in nav.tick(i * 0.01)]
    assert times == [0.15, 0.3, 0.45, 0.6]


def test_stall_does_not_burst():
    """After a stall (window frozen), repeats resume at the steady rate instead of bursting."""
    nav = GamepadNavigator(PadTiming(repeat=0.15))
    nav.axis("p", PadAxis.LEFT_X, AXIS_MAX, 0.0)
    assert len(nav.tick(2.0)) == 1
    assert nav.tick(2.1) == []
    assert len(nav.tick(2.15)) == 1


def test_unplug_releases_what_was_held():
    """An unplugged pad releases its held buttons and stick."""
    nav = GamepadNavigator(PadTiming())
    nav.button("p", PadButton.A, True, 0.0)
    nav.axis("p", PadAxis.LEFT_Y, AXIS_MAX, 0.0)
    nav.button("q", PadButton.B, True, 0.0)
    released = summary(nav.forget("p", 0.5))
    assert sorted(released) == sorted([(Action.OK, Phase.RELEASE), (Action.DOWN, Phase.RELEASE)])
    assert nav.tick(5.0) == []


def test_held_across_focus_loss_is_ignored_until_let_go():
    """Buttons and a stick held when focus returns do nothing until released and used again."""
    nav = GamepadNavigator(PadTiming())
    nav.button("p", PadButton.A, True, 0.0)
    nav.suspend()
    nav.resume([("p", PadButton.A)], {"p": (AXIS_MAX, 0)})
    assert nav.tick(3.0) == []
    assert nav.button("p", PadButton.A, False, 3.1) == []
    assert nav.axis("p", PadAxis.LEFT_X, AXIS_MAX - 1, 3.2) == []
    assert nav.axis("p", PadAxis.LEFT_X, 0, 3.3) == []
    assert summary(nav.button("p", PadButton.A, True, 3.4)) == [(Action.OK, Phase.PRESS)]
    assert summary(nav.axis("p", PadAxis.LEFT_X, AXIS_MAX, 3.5)) == [(Action.RIGHT, Phase.PRESS)]
