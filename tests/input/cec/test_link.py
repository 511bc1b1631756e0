"""Finding and re-finding a CEC adapter, with a scripted adapter standing in for the TV."""

from __future__ import annotations

import logging

from tvclient.app.input.actions import Action, InputEvent, Phase
from tvclient.app.input.cec.link import CecLink
from tvclient.app.input.cec.scripted import ScriptedCecSource
from tvclient.app.input.cec.sources import CecKey

RIGHT = 0x04


def connected(link: CecLink) -> bool:
    """Whether the link holds an adapter (a call, so type narrowing does not stick)."""
    return link.adapter is not None


class AbsentSource:
    """A source whose library is not installed."""

    name = "absent"
    connecting = False

    def unavailable(self) -> str | None:
        return "library not installed"

    def open(self) -> str | None:
        raise AssertionError("an unavailable source is never opened")

    def read(self) -> list[CecKey]:
        raise AssertionError("never read")

    def close(self) -> None:
        pass


def summary(events: list[InputEvent]) -> list[tuple[Action, Phase]]:
    """Actions and phases, for comparing event lists."""
    return [(e.action, e.phase) for e in events]


def test_keys_flow_once_connected(caplog):
    """The first tick connects; keys then become events tagged with the adapter."""
    source = ScriptedCecSource("TV adapter")
    link = CecLink([AbsentSource(), source])
    with caplog.at_level(logging.INFO):
        assert link.tick(0.0) == []
    assert link.adapter == "TV adapter"
    assert "HDMI-CEC remote connected" in caplog.text
    source.tap(RIGHT)
    events = link.tick(0.1)
    assert summary(events) == [(Action.RIGHT, Phase.PRESS), (Action.RIGHT, Phase.RELEASE)]
    assert events[0].source == "cec:TV adapter"


def test_absent_hardware_is_one_notice_then_silence(caplog):
    """No adapter: one INFO line naming why, then quiet retries every 10 s."""
    source = ScriptedCecSource()
    source.unplug()
    link = CecLink([AbsentSource(), source], retry_seconds=10)
    with caplog.at_level(logging.INFO):
        for at in range(60):
            link.tick(float(at))
    notices = [r for r in caplog.records if "not available" in r.getMessage()]
    assert len(notices) == 1
    assert "library not installed" in notices[0].getMessage()
    assert all(r.levelno == logging.INFO for r in caplog.records)
    assert source.opens == 0


def test_adapter_lost_and_found_again_within_ten_seconds():
    """Unplugged mid-press: the key is released; the adapter is re-detected on the 10 s retry."""
    source = ScriptedCecSource()
    link = CecLink([source], retry_seconds=10)
    link.tick(0.0)
    source.press(RIGHT)
    link.tick(0.1)
    source.unplug()
    assert summary(link.tick(0.2)) == [(Action.RIGHT, Phase.RELEASE)]
    assert not connected(link)
    source.plug()
    link.tick(5.0)
    assert not connected(link)  # not yet: retries are 10 s apart
    link.tick(10.2)
    assert connected(link)
    assert source.opens == 2
    source.tap(RIGHT)
    assert summary(link.tick(10.3))[0] == (Action.RIGHT, Phase.PRESS)


def test_status_lines_for_doctor():
    """status() names each source and why it cannot work."""
    link = CecLink([AbsentSource(), ScriptedCecSource()])
    assert link.status() == ["absent: library not installed", "scripted: usable"]
