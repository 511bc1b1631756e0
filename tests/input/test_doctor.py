"""`tvclient doctor`'s input lines: devices seen and what each button does."""

from __future__ import annotations

from types import ModuleType

from tvclient.app.input.cec.scripted import ScriptedCecSource
from tvclient.app.input.doctor import input_report, keyboards
from tvclient.app.input.gamepad.sdl import SdlUnavailableError, load_sdl
from tvclient.app.input.settings import InputSettings

PROC = """I: Bus=0011 Vendor=0001 Product=0001 Version=ab41
N: Name="AT Translated Set 2 keyboard"
H: Handlers=sysrq kbd event0 leds
B: EV=120013
B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe

I: Bus=0019 Vendor=0000 Product=0001 Version=0000
N: Name="Power Button"
H: Handlers=kbd event1
B: EV=3
B: KEY=10000000000000 0

I: Bus=0019 Vendor=0001 Product=0001 Version=0100
N: Name="gpio_ir_recv"
H: Handlers=kbd event2
B: EV=100013
B: KEY=100000000 0 0 0 8000000000 0

I: Bus=0003 Vendor=046d Product=c52b Version=0111
N: Name="Logitech USB Receiver Mouse"
H: Handlers=mouse0 event3
B: EV=17
"""


def unavailable() -> ModuleType:
    """An SDL loader for a machine without PySDL2."""
    raise SdlUnavailableError("PySDL2 is not installed; install it with: pip install x")


def test_keyboards_and_remotes_are_listed(tmp_path):
    """Keyboard-like devices that can navigate are listed; remotes are recognised by name."""
    proc = tmp_path / "devices"
    proc.write_text(PROC)
    found = keyboards(InputSettings(), proc)
    assert [(d.name, d.remote) for d in found] == [
        ("AT Translated Set 2 keyboard", False), ("gpio_ir_recv", True)
    ]


def test_report_lists_devices_and_buttons(tmp_path, sdl2, plug_pad):
    """The report names keyboards, connected controllers with mappings, CEC adapters, buttons."""
    proc = tmp_path / "devices"
    proc.write_text(PROC)
    plug_pad()
    lines = input_report(
        InputSettings(), tmp_path, sdl_loader=load_sdl,
        cec_sources=[ScriptedCecSource("Pulse-Eight on /dev/ttyACM0")], proc_devices=proc,
    )
    text = "\n".join(lines)
    assert "gpio_ir_recv (remote" in text
    assert "Virtual Controller" in text
    assert "mapped as" in text
    assert "A → OK" in text
    assert "B → Back" in text
    assert "Pulse-Eight on /dev/ttyACM0" in text
    assert "SELECT, ENTER → OK" in text
    assert "F2_RED → Red" in text
    assert "Return, Enter, Select, Space → OK" in text
    assert "F1 → Red" in text


def test_missing_pieces_are_one_line_notices(tmp_path):
    """No SDL and no CEC adapter each give one readable line, no exception."""
    absent = ScriptedCecSource()
    absent.unplug()
    lines = input_report(
        InputSettings(), None, sdl_loader=unavailable, cec_sources=[absent],
        proc_devices=tmp_path / "missing",
    )
    controller = [line for line in lines if "game controllers" in line]
    cec = [line for line in lines if "HDMI-CEC" in line]
    assert controller == ["  game controllers: unavailable — PySDL2 is not installed; "
                          "install it with: pip install x"]
    assert len(cec) == 1
    assert "no adapter" in cec[0]


def test_settings_that_switch_backends_off_are_reported(tmp_path):
    """Controller navigation off and CEC off are said so, with the setting's name."""
    lines = input_report(
        InputSettings(controller_navigation=False, cec="off"), None,
        proc_devices=tmp_path / "missing",
    )
    assert "  game controllers: off (setting input.controller_navigation)" in lines
    assert "  HDMI-CEC: off (setting input.cec = 'off')" in lines


def test_swap_is_reflected(tmp_path, sdl2):
    """With the Nintendo swap, doctor says B is OK and A is Back."""
    lines = input_report(
        InputSettings(swap_ab=True, cec="off"), None, proc_devices=tmp_path / "missing",
    )
    buttons = next(line for line in lines if "buttons:" in line)
    assert "B → OK" in buttons
    assert "A → Back" in buttons
