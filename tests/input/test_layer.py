"""Game controllers (virtual SDL pads) and a CEC remote drive the real QML scene."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import Qt

from tests.input.conftest import Harness, VirtualPad
from tvclient.app.input.cec.link import CecLink
from tvclient.app.input.gamepad.navigator import AXIS_MAX, PadAxis, PadButton
from tvclient.app.input.settings import InputSettings

CEC_SELECT, CEC_UP, CEC_DOWN, CEC_RIGHT, CEC_EXIT, CEC_RED = 0x00, 0x01, 0x02, 0x04, 0x0D, 0x72


def connected(link: CecLink) -> bool:
    """Whether the link holds an adapter (a call, so type narrowing does not stick)."""
    return link.adapter is not None


def ready_pad(h: Harness, plug_pad: Callable[[], VirtualPad]) -> VirtualPad:
    """Plug in a virtual pad and let the layer open it."""
    pad = plug_pad()
    h.pad_poll()  # the pad is opened on the next poll (hot-plug)
    return pad


def test_dpad_moves_focus(make_harness, plug_pad):
    """D-pad right and down move focus through the scene's items."""
    h = make_harness()
    pad = ready_pad(h, plug_pad)
    pad.press(PadButton.DPAD_RIGHT)
    h.pad_poll(0.016)
    assert h.focused() == "tile1"
    pad.release(PadButton.DPAD_RIGHT)
    h.pad_poll(0.016)
    pad.press(PadButton.DPAD_DOWN)
    h.pad_poll(0.016)
    assert h.focused() == "more"
    assert h.layer.router.deviceKind == "controller"


def test_a_activates_and_b_goes_back(make_harness, plug_pad):
    """A activates the focused tile (opening the product screen); B goes back."""
    h = make_harness()
    pad = ready_pad(h, plug_pad)
    pad.press(PadButton.A)
    h.pad_poll(0.016)
    assert h.probe.activations == ["tile0"]
    assert h.focused() == "pay"
    pad.release(PadButton.A)
    h.pad_poll(0.1)
    pad.press(PadButton.B)
    h.pad_poll(0.016)
    assert h.probe.backs == ["pop"]
    assert h.focused() == "tile0"
    assert h.probe.payments == 0


def test_start_is_menu_and_swap_makes_b_ok(make_harness, plug_pad):
    """Start sends Menu; with the Nintendo swap, B activates and A goes back."""
    h = make_harness(InputSettings(swap_ab=True))
    pad = ready_pad(h, plug_pad)
    pad.press(PadButton.START)
    h.pad_poll(0.016)
    assert h.probe.keys == [(Qt.Key.Key_Menu.value, False)]
    pad.press(PadButton.B)
    h.pad_poll(0.016)
    assert h.probe.activations == ["tile0"]
    pad.release(PadButton.B)
    pad.press(PadButton.A)
    h.pad_poll(0.1)
    assert h.probe.backs == ["pop"]


def test_stick_repeats_at_the_set_rate(make_harness, plug_pad):
    """A held stick moves once, then repeats every input.repeat_ms, polled every 16 ms."""
    for repeat in (0.15, 0.25):
        h = make_harness(InputSettings(repeat_seconds=repeat))
        pad = ready_pad(h, plug_pad)
        pad.axis(PadAxis.LEFT_X, AXIS_MAX)
        h.pad_run(1.0)
        pad.axis(PadAxis.LEFT_X, 0)
        h.pad_run(0.5)
        times = h.spy.times(Qt.Key.Key_Right.value)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) == 1 + int(1.0 / repeat - 1e-9)
        # Repeats follow a fixed schedule, seen at the next 16 ms poll: no drift, no burst.
        assert all(abs(g - repeat) <= 0.016 + 1e-6 for g in gaps), gaps
        assert abs((times[-1] - times[0]) - repeat * len(gaps)) <= 0.016 + 1e-6
        assert h.focused() == "tile3"  # moved as far as it goes
        pad.unplug()


def test_dead_zone_ignores_a_resting_stick(make_harness, plug_pad):
    """A stick resting slightly off centre does not move focus."""
    h = make_harness()
    pad = ready_pad(h, plug_pad)
    pad.axis(PadAxis.LEFT_X, AXIS_MAX // 5)
    pad.axis(PadAxis.LEFT_Y, -AXIS_MAX // 5)
    h.pad_run(1.0)
    assert h.focused() == "tile0"
    assert h.spy.presses == []


def test_controller_plugged_in_mid_run_works(make_harness, plug_pad):
    """A pad connected after start-up is picked up on the next poll and drives the scene."""
    h = make_harness()
    h.pad_run(0.1)
    assert h.layer.controllers is not None
    assert h.layer.controllers.gamepads.controllers() == []
    pad = plug_pad()
    h.pad_poll(0.016)
    pad.press(PadButton.DPAD_RIGHT)
    h.pad_poll(0.016)
    assert h.focused() == "tile1"
    pad.unplug()
    h.pad_poll(0.016)
    assert h.layer.controllers.gamepads.controllers() == []
    second = plug_pad()
    h.pad_poll(0.016)
    second.press(PadButton.DPAD_RIGHT)
    h.pad_poll(0.016)
    assert h.focused() == "tile2"


def test_input_is_ignored_while_the_window_is_unfocused(make_harness, plug_pad, qtbot):
    """No polling without focus; presses made meanwhile and buttons still held never act."""
    h = make_harness()
    pad = ready_pad(h, plug_pad)
    h.deactivate(qtbot)
    assert h.layer.controllers is not None
    assert not h.layer.controllers.polling
    pad.press(PadButton.DPAD_RIGHT)
    pad.release(PadButton.DPAD_RIGHT)
    pad.press(PadButton.A)
    assert h.pad_poll(0.016) == 0
    h.activate(qtbot)
    assert h.layer.controllers.polling
    h.pad_run(1.0)
    assert h.focused() == "tile0"  # the queued right press was flushed
    assert h.probe.activations == []  # A is still held from before: ignored
    pad.release(PadButton.A)
    h.pad_poll(0.016)
    pad.press(PadButton.A)
    h.pad_poll(0.016)
    assert h.probe.activations == ["tile0"]


def test_controller_navigation_can_be_switched_off(make_harness, plug_pad):
    """With input.controller_navigation off, no controller backend runs at all."""
    h = make_harness(InputSettings(controller_navigation=False))
    assert h.layer.controllers is None
    pad = plug_pad()
    pad.press(PadButton.DPAD_RIGHT)
    assert h.focused() == "tile0"


def test_missing_sdl_leaves_keyboard_working(make_harness, caplog):
    """No SDL: one INFO line, no controller backend, keys still work."""
    with caplog.at_level("INFO", logger="tvclient.app.input.layer"):
        h = make_harness(controllers=False)
    assert h.layer.controllers is None
    assert "game controllers unavailable" in caplog.text
    h.tap(Qt.Key.Key_Right)
    assert h.focused() == "tile1"


def test_cec_remote_navigates_selects_and_exits(make_harness):
    """CEC RIGHT moves, SELECT activates, EXIT goes back, RED reaches QML as the red key."""
    h = make_harness(controllers=False)
    h.cec_poll()
    assert h.layer.cec is not None
    assert h.layer.cec.link.adapter == "scripted CEC adapter"
    h.cec.tap(CEC_RIGHT)
    h.cec_poll(0.02)
    assert h.focused() == "tile1"
    h.cec.tap(CEC_SELECT)
    h.cec_poll(0.5)
    assert h.probe.activations == ["tile1"]
    h.cec.tap(CEC_EXIT)
    h.cec_poll(0.5)
    assert h.probe.backs == ["pop"]
    h.cec.tap(CEC_RED)
    h.cec_poll(0.5)
    assert h.probe.keys == [(Qt.Key.Key_Red.value, False)]
    assert h.layer.router.deviceKind == "cec"


def test_cec_doubled_presses_count_once(make_harness):
    """A TV's doubled press moves once; two deliberate presses 400 ms apart move twice."""
    h = make_harness(controllers=False)
    h.cec_poll()
    h.cec.tap_twice(CEC_RIGHT)
    h.cec_poll(0.02)
    assert h.focused() == "tile1"
    h.cec.tap(CEC_RIGHT)
    h.cec_poll(0.1)
    h.cec.tap(CEC_RIGHT)
    h.cec_poll(0.1)
    assert h.focused() == "tile1"  # still inside the 300 ms window: doubles
    h.cec_poll(0.4)
    h.cec.tap(CEC_RIGHT)
    h.cec_poll(0.02)
    h.cec_poll(0.4)
    h.cec.tap(CEC_RIGHT)
    h.cec_poll(0.02)
    assert h.focused() == "tile3"


def test_cec_held_key_repeats_at_the_steady_rate(make_harness):
    """A TV resending a held key every 100 ms moves focus at the steady 150 ms rate only."""
    h = make_harness(controllers=False)
    h.cec_poll()
    for _ in range(10):
        h.cec.press(CEC_RIGHT)
        h.cec_poll(0.1)
    h.cec.release(CEC_RIGHT)
    h.cec_poll(0.1)
    times = h.spy.times(Qt.Key.Key_Right.value)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) >= 4
    assert all(g >= 0.149 for g in gaps)


def test_cec_adapter_unplugged_and_back(make_harness):
    """The adapter going away and coming back is re-detected within the 10 s retry."""
    h = make_harness(controllers=False)
    h.cec_poll()
    h.cec.unplug()
    h.cec_poll(0.02)
    assert h.layer.cec is not None
    link = h.layer.cec.link
    assert not connected(link)
    h.cec.plug()
    h.cec_poll(10.0)
    assert connected(link)
    h.cec.tap(CEC_DOWN)
    h.cec_poll(0.02)
    assert h.focused() == "more"


def test_cec_keys_while_unfocused_are_dropped(make_harness, qtbot):
    """TV remote keys that arrive while another window has focus do nothing, then or later."""
    h = make_harness(controllers=False)
    h.cec_poll()
    h.deactivate(qtbot)
    h.cec.tap(CEC_RIGHT)
    h.cec_poll(0.02)
    h.activate(qtbot)
    h.cec_poll(0.5)
    assert h.focused() == "tile0"
