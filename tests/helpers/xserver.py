"""A private Xvfb X server for the few tests that need the real xcb platform."""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path
from typing import IO

from tests.helpers.processes import (
    ServiceError,
    leashed,
    require_binary,
    stop_process_group,
    tail,
)


class XvfbServer:
    """Xvfb on a display number it picks itself (`-displayfd`), so parallel runs never clash.

    Windows on it are never active on their own (there is no window manager): UI code under
    test must call `requestActivate()` and wait for the window to become active.
    """

    def __init__(
        self, popen: subprocess.Popen[bytes], display: str, log_path: Path, log: IO[bytes]
    ) -> None:
        self.popen = popen
        self.display = display
        self.log_path = log_path
        self._log = log

    @classmethod
    def start(
        cls, log_path: Path, screen: str = "1280x720x24", deadline: float = 15.0
    ) -> XvfbServer:
        """Start Xvfb and return once it has announced its display number."""
        xvfb = require_binary("Xvfb", "xvfb")
        read_end, write_end = os.pipe()
        argv = [xvfb, "-displayfd", str(write_end), "-screen", "0", screen]
        argv += ["-nolisten", "tcp", "-noreset"]
        log = log_path.open("ab")
        try:
            popen = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                leashed(argv),
                pass_fds=(write_end,),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        except BaseException:
            log.close()
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        try:
            number = _read_display_number(read_end, popen, deadline, log_path)
        except BaseException:
            stop_process_group(popen)
            log.close()
            raise
        finally:
            os.close(read_end)
        return cls(popen, f":{number}", log_path, log)

    def environment(self) -> dict[str, str]:
        """Variables that put a child Qt process on this display with the xcb platform."""
        return {"DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}

    def stop(self) -> None:
        """Stop the server."""
        stop_process_group(self.popen, grace=3.0)
        self._log.close()


def _read_display_number(
    fd: int, popen: subprocess.Popen[bytes], deadline: float, log_path: Path
) -> int:
    data = b""
    end = time.monotonic() + deadline
    while not data.endswith(b"\n"):
        remaining = end - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(remaining, 0))
        chunk = os.read(fd, 32) if ready else b""
        if not chunk:
            why = f"exited with code {popen.poll()}" if ready else "timed out"
            raise ServiceError(f"Xvfb announced no display ({why}):\n{tail(log_path)}")
        data += chunk
    return int(data.strip())
