"""The Linux kernel's CEC framework as an input device, read through evdev (no Qt, no libCEC).

Since Linux 4.8 a CEC adapter driver (vc4-hdmi on a Raspberry Pi, the Pulse-Eight driver, many
SoC HDMI drivers) can pass the TV remote's keys to a remote-control device whose keymap is
`rc-cec`; it appears as `/sys/class/rc/rcN` with an input node `/dev/input/eventM`. We find it
through sysfs and read `struct input_event` records from the node without any library, so no
GPL code is involved. Reading needs permission on the node (the `input` group on most systems).
"""

from __future__ import annotations

import errno
import logging
import os
import struct
from pathlib import Path

from tvclient.app.input.cec.sources import CecKey, CecLostError, KeyState
from tvclient.app.input.linux_keys import EVDEV_ACTIONS, EVDEV_NAMES

__all__ = ["KernelCecSource", "find_cec_input_devices"]

_log = logging.getLogger(__name__)
# struct input_event: struct timeval (two C longs) + u16 type + u16 code + s32 value.
_EVENT = struct.Struct("@llHHi")
_EV_KEY = 1
_STATES = {0: KeyState.UP, 1: KeyState.DOWN, 2: KeyState.REPEAT}


def find_cec_input_devices(sysfs: Path) -> list[tuple[str, str]]:
    """(rc device, event node name) of every remote-control device driven by CEC."""
    found: list[tuple[str, str]] = []
    if not sysfs.is_dir():
        return found
    for rc in sorted(sysfs.glob("rc*")):
        if not _is_cec(rc):
            continue
        for event in sorted(rc.glob("input*/event*")):
            found.append((rc.name, event.name))
    return found


def _is_cec(rc: Path) -> bool:
    for name in ("protocols", "uevent"):
        try:
            text = (rc / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "cec" in text.lower():
            return True
    return False


class KernelCecSource:
    """Keys from the kernel's CEC remote-control input device."""

    def __init__(
        self, sysfs: Path = Path("/sys/class/rc"), devices: Path = Path("/dev/input"),
    ) -> None:
        self._sysfs = sysfs
        self._devices = devices
        self._fd: int | None = None
        self._buffer = b""
        self._told_permission = False

    @property
    def name(self) -> str:
        """Source name."""
        return "kernel"

    @property
    def sysfs(self) -> Path:
        """Where remote-control devices are looked for."""
        return self._sysfs

    @property
    def connecting(self) -> bool:
        """Opening a node is immediate."""
        return False

    def unavailable(self) -> str | None:
        """Why the kernel path cannot work here (not Linux, no remote-control class)."""
        if not self._sysfs.is_dir():
            return f"no kernel remote-control devices ({self._sysfs} does not exist)"
        return None

    def open(self) -> str | None:
        """Open the first CEC input device that can be read."""
        for rc, event in find_cec_input_devices(self._sysfs):
            path = self._devices / event
            try:
                self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            except PermissionError:
                if not self._told_permission:
                    self._told_permission = True
                    _log.info(
                        "HDMI-CEC input %s exists but cannot be read; add this user to the "
                        "group owning it (usually 'input')", path,
                    )
                continue
            except OSError:
                continue
            self._buffer = b""
            return f"{rc} ({path})"
        return None

    def read(self) -> list[CecKey]:
        """Key events waiting on the node."""
        if self._fd is None:
            raise CecLostError("not open")
        while True:
            try:
                chunk = os.read(self._fd, _EVENT.size * 64)
            except BlockingIOError:
                break
            except OSError as exc:
                self.close()
                why = exc.strerror or errno.errorcode.get(exc.errno or 0, "read failed")
                raise CecLostError(why) from None
            if not chunk:
                # A character device never reports end of file; the node is gone.
                self.close()
                raise CecLostError("device closed")
            self._buffer += chunk
        keys: list[CecKey] = []
        usable = len(self._buffer) - len(self._buffer) % _EVENT.size
        for offset in range(0, usable, _EVENT.size):
            _, _, kind, code, value = _EVENT.unpack_from(self._buffer, offset)
            state = _STATES.get(value)
            if kind != _EV_KEY or state is None:
                continue
            keys.append(CecKey(EVDEV_ACTIONS.get(code), EVDEV_NAMES.get(code, f"key {code}"),
                               state))
        self._buffer = self._buffer[usable:]
        return keys

    def close(self) -> None:
        """Close the node."""
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None
        self._buffer = b""
