"""Input-to-focus-change latency per input path, against the keyboard path of the same run.

For each path the benchmark makes a device event and measures until the frame that shows the
focus change has been rendered (`QQuickWindow.frameSwapped`), offscreen with the software
renderer:

- keyboard: a key press through Qt's platform path (what a keyboard or IR/USB remote does);
- controller: a virtual SDL game controller's D-pad (SDL_JoystickAttachVirtual), picked up by
  the input layer's poll timer;
- cec: a scripted CEC adapter's key, picked up by the CEC poll timer.

Between samples it waits a random 20-60 ms so that the poll timers' phase is sampled fairly.
Goal (issue 5): p95 under 50 ms for every path. Usage: `python bench/input_latency.py [-n 100]`.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from PySide6.QtCore import QEventLoop, Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickItem, QQuickView
from PySide6.QtTest import QTest

from tvclient.app.input.cec.scripted import ScriptedCecSource
from tvclient.app.input.gamepad.navigator import PadButton
from tvclient.app.input.gamepad.sdl import SdlUnavailableError, load_sdl
from tvclient.app.input.layer import InputLayer
from tvclient.app.input.settings import InputSettings
from tvclient.clock import SystemClock

SCENE = Path(__file__).with_name("input_scene.qml")
GOAL_P95_MS = 50.0
CEC_LEFT, CEC_RIGHT = 0x03, 0x04


class FrameWatch:
    """Waits for the first frame rendered after the focused item changed."""

    def __init__(self, view: QQuickView) -> None:
        self._view = view
        self._loop = QEventLoop()
        self._start_focus = ""
        self._done_at: float | None = None
        self._timeout = QTimer()
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(self._loop.quit)
        view.frameSwapped.connect(self._on_frame)

    def measure(self, trigger: Callable[[], None], timeout_s: float = 1.0) -> float:
        """Run `trigger` (the device event) and return ms until the focus change is on screen."""
        self._start_focus = self._focused()
        self._done_at = None
        started = time.perf_counter()
        trigger()
        if self._rendered_at() is None:
            self._timeout.start(int(timeout_s * 1000))
            self._loop.exec()
            self._timeout.stop()
        done = self._rendered_at()
        if done is None:
            raise RuntimeError("the focus change was never rendered")
        return (done - started) * 1000

    def _rendered_at(self) -> float | None:
        return self._done_at

    def _focused(self) -> str:
        item: QQuickItem | None = self._view.activeFocusItem()
        return item.objectName() if item is not None else ""

    def _on_frame(self) -> None:
        if self._done_at is None and self._focused() != self._start_focus:
            self._done_at = time.perf_counter()
            self._loop.quit()


def settle(min_ms: int = 20, max_ms: int = 60) -> None:
    """Let the event loop run a random while (samples the poll timers' phase)."""
    QTest.qWait(random.randint(min_ms, max_ms))


def run_path(
    watch: FrameWatch, press: Callable[[bool], None], release: Callable[[bool], None],
    samples: int,
) -> list[float]:
    """Alternate right/left presses, measuring each press's latency."""
    latencies: list[float] = []
    for i in range(samples):
        right = i % 2 == 0
        latencies.append(watch.measure(functools.partial(press, right)))
        settle(10, 20)
        release(right)
        settle()
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    """Measure every available path and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    random.seed(args.seed)

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    view = QQuickView()
    view.setSource(QUrl.fromLocalFile(str(SCENE)))
    view.show()
    if not QTest.qWaitForWindowActive(view, 3000):
        print("the window never became active", file=sys.stderr)
        return 2
    cec = ScriptedCecSource("bench CEC adapter")
    sdl2: Any = None
    try:
        sdl2 = load_sdl()
    except SdlUnavailableError as exc:
        print(f"controller path skipped: {exc}")
    pad = None
    if sdl2 is not None:
        sdl2.SDL_SetHint(b"SDL_NO_SIGNAL_HANDLERS", b"1")
        sdl2.SDL_InitSubSystem(sdl2.SDL_INIT_GAMECONTROLLER)
        index = sdl2.SDL_JoystickAttachVirtual(
            sdl2.SDL_JOYSTICK_TYPE_GAMECONTROLLER, sdl2.SDL_CONTROLLER_AXIS_MAX,
            sdl2.SDL_CONTROLLER_BUTTON_MAX, 0,
        )
        pad = sdl2.SDL_JoystickOpen(index)
    layer = InputLayer(
        view, InputSettings(), clock=SystemClock(), config_dir=None,
        sdl_loader=load_sdl, cec_sources=[cec],
    )
    layer.start()
    watch = FrameWatch(view)
    settle(200, 200)  # first frames, pad hot-plug, CEC connect

    def key(right: bool) -> None:
        QTest.keyPress(view, Qt.Key.Key_Right if right else Qt.Key.Key_Left)

    def key_up(right: bool) -> None:
        QTest.keyRelease(view, Qt.Key.Key_Right if right else Qt.Key.Key_Left)

    def dpad(right: bool, down: bool = True) -> None:
        button = PadButton.DPAD_RIGHT if right else PadButton.DPAD_LEFT
        sdl2.SDL_JoystickSetVirtualButton(pad, int(button), int(down))

    def cec_key(right: bool) -> None:
        cec.press(CEC_RIGHT if right else CEC_LEFT)

    def cec_up(right: bool) -> None:
        cec.release(CEC_RIGHT if right else CEC_LEFT)
        settle(320, 340)  # stay outside the 300 ms double-press window

    results: dict[str, list[float]] = {
        "keyboard": run_path(watch, key, key_up, args.samples)
    }
    if pad is not None:
        results["controller"] = run_path(
            watch, dpad, lambda right: dpad(right, False), args.samples
        )
    results["cec"] = run_path(watch, cec_key, cec_up, args.samples)

    baseline = percentile(results["keyboard"], 0.95)
    print(f"input-to-focus-change latency, {args.samples} samples per path, "
          f"{QGuiApplication.platformName()} platform, software renderer")
    print(f"{'path':<11} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95/keyboard':>13}  goal")
    failed = False
    for name, values in results.items():
        p95 = percentile(values, 0.95)
        ok = p95 < GOAL_P95_MS
        failed |= not ok
        print(f"{name:<11} {statistics.median(values):8.2f} {p95:8.2f} {max(values):8.2f} "
              f"{p95 / baseline:13.2f}  {'ok' if ok else 'MISSED'} (p95 < {GOAL_P95_MS:.0f} ms)")
    layer.close()
    if sdl2 is not None:
        sdl2.SDL_JoystickClose(pad)
        sdl2.SDL_QuitSubSystem(sdl2.SDL_INIT_GAMECONTROLLER)
    view.close()
    del app
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
