"""Key press to the next frame on the store grid, against a bare QML scene doing the same.

A Right/Left press moves the focus to the next tile; the time is from delivering the key event
to the window until the frame showing the change is swapped (offscreen, software renderer).
The baseline is a bare QML window with four focusable rectangles and KeyNavigation, measured
the same way in the same run. Goal (issue 4): p95 under 33 ms for the app.
Usage: `python bench/app_keyframe.py [-n 200]`.
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_common import app, fake_shell, next_frame, percentile, summary, wait
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QWindow
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

GOAL_P95_MS = 33.0
BARE_QML = b"""
import QtQuick
Window {
    width: 1280; height: 720; visible: true; color: "#0b0f14"
    Row {
        x: 84; y: 140; spacing: 24
        Repeater {
            id: tiles
            model: 4
            Rectangle {
                required property int index
                width: 254; height: 238; radius: 12
                focus: index === 0
                color: activeFocus ? "#2c3a4d" : "#1b2430"
                border.width: activeFocus ? 6 : 0; border.color: "#ffd23f"
                scale: activeFocus ? 1.06 : 1
                KeyNavigation.right: tiles.itemAt((index + 1) % 4)
                KeyNavigation.left: tiles.itemAt((index + 3) % 4)
            }
        }
    }
}
"""


def press(window: QWindow, key: Qt.Key) -> None:
    """A press and release delivered to the window."""
    for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
        QGuiApplication.sendEvent(window, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier))


def measure(window: QWindow, n: int) -> list[float]:
    """Milliseconds from each key to its frame, Right and Left alternating."""
    samples: list[float] = []
    keys = [Qt.Key.Key_Right, Qt.Key.Key_Left]
    for i in range(n):
        key = keys[i % 2]
        samples.append(next_frame(window, functools.partial(press, window, key)) * 1000)
        wait(random.randint(20, 40))  # spread the samples over the frame phase
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="key presses per scene (default 200)")
    args = parser.parse_args()
    app()
    engine = QQmlApplicationEngine()
    engine.loadData(BARE_QML)
    bare_window = engine.rootObjects()[0]
    assert isinstance(bare_window, QQuickWindow)
    wait(300)
    bare = measure(bare_window, args.n)
    bare_window.close()
    shell = fake_shell(linked=True)
    wait(800)  # pictures in
    ours = measure(shell.window, args.n)
    shell.close()
    p95 = percentile(ours, 95)
    print("key press to next frame (offscreen, software renderer, 1280x720):")
    print("  " + summary("bare QML scene ", bare))
    print("  " + summary("tvclient store ", ours))
    print(f"  ratio of medians: {statistics.median(ours) / statistics.median(bare):.2f}x; "
          f"app p95 {p95:.1f} ms (goal < {GOAL_P95_MS:.0f} ms) "
          f"{'OK' if p95 < GOAL_P95_MS else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
