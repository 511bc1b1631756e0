"""CEC key reports become press / repeat / release, whatever the TV sends."""

from __future__ import annotations

from tvclient.app.input.actions import Action, DeviceKind, InputEvent, Phase
from tvclient.app.input.cec.sources import KeyState, key_from_cec
from tvclient.app.input.cec.tracker import CecKeyTracker

UP, SELECT, PLAY = 0x01, 0x00, 0x44


def summary(events: list[InputEvent]) -> list[tuple[Action, Phase]]:
    """Actions and phases, for comparing event lists."""
    return [(e.action, e.phase) for e in events]


def test_press_and_release():
    """A TV that sends press and release gives one press and one release."""
    t = CecKeyTracker("cec:x")
    events = t.feed(key_from_cec(SELECT, KeyState.DOWN), 0.0)
    events += t.feed(key_from_cec(SELECT, KeyState.UP), 0.1)
    assert summary(events) == [(Action.OK, Phase.PRESS), (Action.OK, Phase.RELEASE)]
    assert {e.kind for e in events} == {DeviceKind.CEC}


def test_resent_press_is_a_repeat_and_silence_releases():
    """A TV that resends the press while held, and never releases, still gives repeat + release."""
    t = CecKeyTracker("cec:x", release_timeout=0.55)
    events = []
    for at in (0.0, 0.25, 0.5, 0.75):
        events += t.feed(key_from_cec(UP, KeyState.DOWN), at)
    events += t.expire(1.0)
    assert events == [] or summary(events)[-1] != (Action.UP, Phase.RELEASE)
    events += t.expire(1.3)
    assert summary(events) == [
        (Action.UP, Phase.PRESS), (Action.UP, Phase.REPEAT), (Action.UP, Phase.REPEAT),
        (Action.UP, Phase.REPEAT), (Action.UP, Phase.RELEASE),
    ]


def test_another_key_releases_the_first():
    """A remote holds one key at a time: a new key releases the old one."""
    t = CecKeyTracker("cec:x")
    t.feed(key_from_cec(UP, KeyState.DOWN), 0.0)
    assert summary(t.feed(key_from_cec(SELECT, KeyState.DOWN), 0.1)) == [
        (Action.UP, Phase.RELEASE), (Action.OK, Phase.PRESS)
    ]


def test_media_keys_are_ignored():
    """Keys with no action (PLAY) produce nothing and do not disturb a held key."""
    t = CecKeyTracker("cec:x")
    t.feed(key_from_cec(UP, KeyState.DOWN), 0.0)
    assert t.feed(key_from_cec(PLAY, KeyState.DOWN), 0.1) == []
    assert summary(t.feed(key_from_cec(UP, KeyState.UP), 0.2)) == [(Action.UP, Phase.RELEASE)]


def test_colour_keys_follow_cec_numbering():
    """CEC's F1..F4 are blue, red, green, yellow."""
    t = CecKeyTracker("cec:x")
    actions = []
    for code in (0x71, 0x72, 0x73, 0x74):
        actions += [e.action for e in t.feed(key_from_cec(code, KeyState.DOWN), 0.0)
                    if e.phase is Phase.PRESS]
    assert actions == [Action.BLUE, Action.RED, Action.GREEN, Action.YELLOW]
