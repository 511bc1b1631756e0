"""Pictures of the booth's own screens, from the real booth on the real embedded stack.

`python -m tests.booth.screenshots docs/screens` writes `booth-*.png` (offscreen, software
renderer, 1280x720); `test_screenshots.py` takes the same pictures and checks what they show.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

import shiboken6
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication

from tests.app.memkeyring import MemoryKeyring
from tests.app.ui import grab
from tests.booth.drive import (
    BLUE,
    DOWN,
    OK,
    enter_staff_sequence,
    idle,
    press,
    type_pin,
)
from tests.booth.rig import (
    STAFF_PIN,
    BoothRig,
    build_booth,
    loopback_config,
    start_stack,
    write_pin_file,
)
from tests.helpers.clock import FakeClock
from tvclient.booth.idle import Mode

SHOTS = (
    "booth-attract", "booth-attract-zh-HK", "booth-countdown", "booth-staff-pin",
    "booth-staff-menu",
)


def wait(ms: int) -> None:
    """Run the event loop for `ms` (releasing the GIL, unlike QTest.qWait)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(check: Callable[[], bool], timeout: int = 15_000) -> None:
    """Run the event loop until `check()` holds."""
    waited = 0
    while not check():
        if waited > timeout:
            raise TimeoutError("the booth never got there")
        wait(20)
        waited += 20


def _visit(rig: BoothRig, *, bind: bool) -> None:
    """One visit through the app's screens (optionally binding with the staff key)."""
    app = rig.booth.shell.model
    press(rig, OK)
    wait_until(lambda: app.navigator.top.value == "home")
    wait(300)
    if bind:
        for screen in ("product", "wallets", "scan"):
            press(rig, OK)
            wait_until(lambda s=screen: app.navigator.top.value == s)  # type: ignore[misc]
            wait(300)
        wait_until(lambda: app.bind_model.view("phase") == "waiting")
        rig.clock.advance(37)
        press(rig, BLUE)
        wait_until(lambda: app.navigator.top.value == "bound")
        press(rig, OK)
        wait_until(lambda: app.navigator.top.value == "product")
        wait(400)


def walk(out_dir: Path) -> list[Path]:
    """Drive a booth through its screens, saving one picture of each."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []

    def save(name: str) -> None:
        wait(700)  # let transitions finish
        path = out_dir / f"{name}.png"
        grab(rig.booth.shell).save(str(path))
        paths.append(path)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = loopback_config()
        stack = start_stack(root / "stack", config)
        assert stack.urls is not None
        rig = build_booth(
            root, config, stack.urls, FakeClock(), MemoryKeyring(),
            pin_file=write_pin_file(root / "staff-pin"),
        )
        booth = rig.booth
        try:
            booth.start()
            wait_until(lambda: booth.ready)
            wait_until(lambda: booth.shell.model.store_model.rows.rowCount() > 0)
            # Some visitors first, so the staff menu has figures to show.
            for bind in (True, False, True):
                _visit(rig, bind=bind)
                idle(rig, 100)
                wait_until(lambda: booth.ready)
            idle(rig, 3.5)  # the attract loop's second step: scanning with a phone
            save("booth-attract")
            booth.set_default_language("zh-HK")
            save("booth-attract-zh-HK")
            booth.set_default_language("en")
            _visit(rig, bind=False)
            press(rig, DOWN)
            idle(rig, 93)
            assert booth.mode is Mode.COUNTDOWN
            save("booth-countdown")
            press(rig, OK)
            enter_staff_sequence(rig)
            type_pin(rig, "1111")
            save("booth-staff-pin")
            type_pin(rig, STAFF_PIN)
            save("booth-staff-menu")
        finally:
            booth.close()
            shiboken6.delete(booth)
            stack.stop()
    return paths


def main(argv: list[str]) -> int:
    """Write the booth's screenshots into the folder given (default docs/screens)."""
    app = QGuiApplication.instance() or QGuiApplication(argv[:1])
    target = Path(argv[1]) if len(argv) > 1 else Path("docs/screens")
    for path in walk(target):
        print(path)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
