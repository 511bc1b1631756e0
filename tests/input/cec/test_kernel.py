"""The kernel's CEC input device read through evdev, against a fake sysfs and event node."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from tvclient.app.input.actions import Action, Phase
from tvclient.app.input.cec.kernel import KernelCecSource, find_cec_input_devices
from tvclient.app.input.cec.link import CecLink
from tvclient.app.input.cec.sources import CecLostError, KeyState

EVENT = struct.Struct("@llHHi")


def connected(link: CecLink) -> bool:
    """Whether the link holds an adapter (a call, so type narrowing does not stick)."""
    return link.adapter is not None
KEY_OK, KEY_UP, KEY_RED, KEY_PLAY = 352, 103, 398, 207


def record(code: int, value: int, kind: int = 1) -> bytes:
    """One `struct input_event` as the kernel writes it."""
    return EVENT.pack(0, 0, kind, code, value)


@pytest.fixture
def fake_system(tmp_path: Path) -> tuple[Path, Path]:
    """A sysfs with an IR receiver and a CEC remote device, and a FIFO as the CEC event node."""
    sysfs = tmp_path / "sys" / "class" / "rc"
    devices = tmp_path / "dev" / "input"
    devices.mkdir(parents=True)
    ir = sysfs / "rc0"
    (ir / "input3" / "event3").mkdir(parents=True)
    (ir / "protocols").write_text("rc-5 [nec]\n")
    cec = sysfs / "rc1"
    (cec / "input7" / "event7").mkdir(parents=True)
    (cec / "protocols").write_text("[cec]\n")
    os.mkfifo(devices / "event7")
    return sysfs, devices


def test_only_cec_remote_devices_are_found(fake_system):
    """An IR receiver's rc device is not the CEC one."""
    sysfs, _ = fake_system
    assert find_cec_input_devices(sysfs) == [("rc1", "event7")]


def test_keys_are_read_and_the_node_going_away_is_noticed(fake_system):
    """Press/repeat/release records map to actions; end of the node means the adapter is lost."""
    sysfs, devices = fake_system
    source = KernelCecSource(sysfs, devices)
    assert source.unavailable() is None
    assert source.open() == f"rc1 ({devices / 'event7'})"
    writer = os.open(devices / "event7", os.O_WRONLY)
    try:
        assert source.read() == []
        os.write(writer, record(KEY_OK, 1) + record(0, 0, kind=0) + record(KEY_OK, 2)
                 + record(KEY_RED, 1)[:10])
        keys = source.read()
        assert [(k.action, k.state) for k in keys] == [
            (Action.OK, KeyState.DOWN), (Action.OK, KeyState.REPEAT)
        ]
        os.write(writer, record(KEY_RED, 1)[10:] + record(KEY_PLAY, 1))
        keys = source.read()
        assert [(k.action, k.name) for k in keys] == [(Action.RED, "KEY_RED"), (None, "key 207")]
    finally:
        os.close(writer)
    with pytest.raises(CecLostError):
        source.read()


def test_link_reconnects_to_the_kernel_device(fake_system):
    """After the node goes away the link finds it again on its next retry."""
    sysfs, devices = fake_system
    link = CecLink([KernelCecSource(sysfs, devices)], retry_seconds=10)
    link.tick(0.0)
    writer = os.open(devices / "event7", os.O_WRONLY)
    os.write(writer, record(KEY_UP, 1) + record(KEY_UP, 0))
    assert [(e.action, e.phase) for e in link.tick(0.1)] == [
        (Action.UP, Phase.PRESS), (Action.UP, Phase.RELEASE)
    ]
    os.close(writer)
    link.tick(0.2)
    assert not connected(link)
    link.tick(10.3)
    assert connected(link)
    link.close()


def test_no_sysfs_means_unavailable(tmp_path):
    """Off Linux (or without the rc class) the kernel path says why it cannot work."""
    source = KernelCecSource(tmp_path / "nope", tmp_path)
    assert "does not exist" in (source.unavailable() or "")
    assert find_cec_input_devices(tmp_path / "nope") == []


def test_unreadable_node_is_skipped_with_a_hint(fake_system, monkeypatch, caplog):
    """A node without permission is explained once (the input group), not an error."""
    sysfs, devices = fake_system
    real_open = os.open

    def no_permission(path, flags, *args):
        if str(path) == str(devices / "event7"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_permission)
    source = KernelCecSource(sysfs, devices)
    with caplog.at_level("INFO"):
        assert source.open() is None
        assert source.open() is None
    hints = [r for r in caplog.records if "'input'" in r.getMessage()]
    assert len(hints) == 1
    assert hints[0].levelname == "INFO"
