"""SDL2 backend with virtual controllers: hot-plug, mappings, events, focus flush (no Qt)."""

from __future__ import annotations

import ctypes
import sys

import pytest

from tvclient.app.input.actions import Action, InputEvent, Phase
from tvclient.app.input.gamepad.mappings import BUNDLED_DB
from tvclient.app.input.gamepad.navigator import (
    AXIS_MAX,
    GamepadNavigator,
    PadAxis,
    PadButton,
    PadTiming,
)
from tvclient.app.input.gamepad.sdl import SdlGamepads, SdlUnavailableError, load_sdl


@pytest.fixture
def gamepads(sdl2, tmp_path):
    """An SDL backend with the bundled database and an (empty) user database."""
    user_db = tmp_path / "gamecontrollerdb.txt"
    pads = SdlGamepads(sdl2, GamepadNavigator(PadTiming()), [BUNDLED_DB, user_db])
    yield pads
    pads.close()


def summary(events: list[InputEvent]) -> list[tuple[Action, Phase]]:
    """Actions and phases, for comparing event lists."""
    return [(e.action, e.phase) for e in events]


def test_virtual_pad_buttons_become_actions(gamepads, plug_pad):
    """A plugged-in pad is opened on the next poll and its A press is OK."""
    gamepads.open()
    pad = plug_pad()
    assert gamepads.poll(0.0) == []
    assert [c.source for c in gamepads.controllers()] == [pad.source]
    pad.press(PadButton.A)
    pad.press(PadButton.DPAD_RIGHT)
    events = gamepads.poll(0.1)
    assert summary(events) == [(Action.OK, Phase.PRESS), (Action.RIGHT, Phase.PRESS)]
    assert {e.source for e in events} == {pad.source}
    pad.release(PadButton.A)
    assert summary(gamepads.poll(0.2)) == [(Action.OK, Phase.RELEASE)]


def test_unplugged_pad_releases_and_closes(gamepads, plug_pad):
    """Unplugging mid-press releases the held direction and forgets the pad."""
    gamepads.open()
    pad = plug_pad()
    gamepads.poll(0.0)
    pad.press(PadButton.DPAD_DOWN)
    gamepads.poll(0.1)
    pad.unplug()
    events = gamepads.poll(0.2)
    assert (Action.DOWN, Phase.RELEASE) in summary(events)
    assert gamepads.controllers() == []
    assert gamepads.poll(5.0) == []


def test_flush_drops_queued_presses_and_ignores_held_buttons(gamepads, plug_pad):
    """Focus back: what happened meanwhile is dropped; a button still held stays ignored."""
    gamepads.open()
    pad = plug_pad()
    gamepads.poll(0.0)
    gamepads.suspend()
    pad.press(PadButton.B)
    pad.press(PadButton.A)
    pad.release(PadButton.B)
    gamepads.flush(1.0)
    assert gamepads.poll(1.1) == []
    pad.release(PadButton.A)
    assert gamepads.poll(1.2) == []
    pad.press(PadButton.A)
    assert summary(gamepads.poll(1.3)) == [(Action.OK, Phase.PRESS)]


def test_bundled_and_user_mappings_are_loaded(sdl2, tmp_path, expect_log, caplog):
    """SDL knows the bundled pads and the user's own lines; bad user lines are logged."""
    user_db = tmp_path / "gamecontrollerdb.txt"
    user_db.write_text(
        "03000000d2040000a1b2000000000000,Sofa Pad,a:b0,b:b1,dpup:h0.1,platform:Linux,\n"
        "garbage line\n",
        encoding="utf-8",
    )
    pads = SdlGamepads(sdl2, GamepadNavigator(PadTiming()), [BUNDLED_DB, user_db])
    files = pads.open()
    try:
        assert len(files[0].mappings) >= 10
        assert [m.name for m in files[1].mappings] == ["Sofa Pad"]
        assert "gamecontrollerdb.txt:2" in caplog.text
        for guid, name in (("030000005e0400008e02000000000000", "Xbox 360 Controller"),
                           ("03000000d2040000a1b2000000000000", "Sofa Pad")):
            mapping = sdl2.SDL_GameControllerMappingForGUID(
                sdl2.SDL_JoystickGetGUIDFromString(guid.encode())
            )
            assert mapping is not None
            assert mapping.decode().split(",")[1] == name
    finally:
        pads.close()


def test_unmapped_joystick_is_reported_with_its_guid(gamepads, sdl2, caplog):
    """A joystick SDL cannot map is named in a log line that says where to add a mapping."""
    gamepads.open()
    index = sdl2.SDL_JoystickAttachVirtual(sdl2.SDL_JOYSTICK_TYPE_UNKNOWN, 2, 3, 0)
    assert index >= 0
    try:
        with caplog.at_level("INFO", logger="tvclient.app.input.gamepad.sdl"):
            gamepads.poll(0.0)
        assert "no controller mapping" in caplog.text
        assert [j.mapping for j in gamepads.joysticks()] == [None]
    finally:
        sdl2.SDL_JoystickDetachVirtual(index)
        event = sdl2.SDL_Event()
        while sdl2.SDL_PollEvent(ctypes.byref(event)):
            pass


def test_missing_pysdl2_is_a_clear_unavailable(monkeypatch):
    """Without PySDL2 the backend is unavailable with an install hint, not a crash."""
    monkeypatch.setitem(sys.modules, "sdl2", None)  # what Python does for a missing package
    with pytest.raises(SdlUnavailableError, match=r"tvclient\[gamepad\]"):
        load_sdl()


def test_stick_held_across_focus_change_stays_ignored(gamepads, plug_pad):
    """A stick pushed before focus returned does nothing, even as it wobbles, until centred."""
    gamepads.open()
    pad = plug_pad()
    gamepads.poll(0.0)
    gamepads.suspend()
    pad.axis(PadAxis.LEFT_X, AXIS_MAX)
    gamepads.flush(1.0)
    pad.axis(PadAxis.LEFT_X, AXIS_MAX - 2000)
    assert gamepads.poll(1.1) == []
    assert gamepads.poll(2.0) == []
    pad.axis(PadAxis.LEFT_X, 0)
    gamepads.poll(2.1)
    pad.axis(PadAxis.LEFT_X, AXIS_MAX)
    assert summary(gamepads.poll(2.2)) == [(Action.RIGHT, Phase.PRESS)]
