"""Cold start to the first interactive frame, and RSS on the home screen, against a bare window.

Each sample is a fresh Python process started the same way (`python bench/app_startup.py
--child KIND`), timed from just before the spawn to the first frame swapped once the screen is
usable:

- app: the real app built as `tvclient` builds it (real device core, in-memory backend so the
  network is not measured, keyring through `keyring.get_keyring()` set to an in-memory backend)
  on a TV that has run once (its home snapshot is there): the store's tiles are on screen and
  the first tile has the focus;
- first: the same on its very first start (no snapshot: the tiles wait for the catalog);
- bare: a QML window with one focused rectangle, loaded by the same engine type.

Goals (issue 4): app / bare at most 2.5x; RSS on the home screen at most 150 MB.
Usage: `python bench/app_startup.py [-n 7]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("bare", "app", "first")
GOAL_RATIO = 2.5
GOAL_RSS_MB = 150.0
BARE_QML = b"""
import QtQuick
Window {
    width: 1280; height: 720; visible: true; color: "#0b0f14"
    Rectangle {
        objectName: "target"; focus: true
        x: 100; y: 100; width: 256; height: 238; color: "#1b2430"
    }
}
"""


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str) -> None:
    """Start, wait for the first interactive frame, print the figures as JSON, exit."""
    t0 = float(os.environ["TVCLIENT_BENCH_T0"])
    startup = None
    if kind != "bare":
        # What `tvclient` does on its first line (tvclient/cli.py); the shell ends it.
        from tvclient.coldstart import CollectorPause

        startup = CollectorPause()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    from PySide6.QtCore import QEventLoop, QObject, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtQml import QQmlApplicationEngine
    from PySide6.QtQuick import QQuickItem, QQuickWindow

    QGuiApplication.setApplicationName("tvclient-bench")  # the QML disk cache is per app name
    app = QGuiApplication(sys.argv[:1])
    frames: list[float] = []
    keep: list[object] = []
    if kind == "bare":
        engine = QQmlApplicationEngine()
        engine.loadData(BARE_QML)
        window = engine.rootObjects()[0]
        assert isinstance(window, QQuickWindow)
        keep.append(engine)

        def ready() -> bool:
            item = window.findChild(QObject, "target")
            return isinstance(item, QQuickItem) and item.hasActiveFocus()
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from app_common import cold_shell_unshown

        from tvclient.device.home_snapshot import SnapshotFile

        snapshot = SnapshotFile(Path(os.environ["TVCLIENT_BENCH_SNAPSHOT"]))
        shell = cold_shell_unshown(snapshot, startup)
        window = shell.window
        keep.append(shell)
        shell.show()

        def ready() -> bool:
            focus: QQuickItem | None = window.activeFocusItem()
            while focus is not None and not focus.objectName():
                focus = focus.parentItem()
            if focus is None:
                return False
            return focus.objectName().startswith("tile_")

    loop = QEventLoop()

    http_at_frame: list[bool] = []

    def swapped() -> None:
        if ready():
            frames.append(time.time())
            http_at_frame.append("httpx" in sys.modules)
            loop.quit()

    window.frameSwapped.connect(swapped)
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()
    first = frames[0] if frames else float("nan")
    # Let the pictures arrive before RSS is read: the home screen as a buyer sees it.
    settle = QEventLoop()
    QTimer.singleShot(800, settle.quit)
    settle.exec()
    figures = {"ms": (first - t0) * 1000, "rss_mb": _rss_mb()}
    if kind != "bare":
        # Checks that the figure is what it claims: the HTTP stack came after the first frame,
        # and the backend's catalog replaced the snapshot's tiles soon after.
        figures["http_at_frame"] = float(bool(http_at_frame and http_at_frame[0]))
        figures["fresh"] = float(shell.model.store_model.fresh)
        shell.close()
    print(json.dumps(figures), flush=True)
    del app
    os._exit(0)


def sample(kind: str, snapshot: Path) -> dict[str, float]:
    """One cold start of `kind` in a fresh process (`snapshot`: the app's home snapshot file)."""
    if kind == "first":
        snapshot.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "tvclient.device.memory_keyring.MemoryKeyring",
        "TVCLIENT_BENCH_SNAPSHOT": str(snapshot),
        "TVCLIENT_BENCH_T0": repr(time.time()),
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", kind],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    line = [row for row in out.stdout.splitlines() if row.startswith("{")][-1]
    return dict(json.loads(line))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=7, help="samples per kind (default 7)")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="tvclient-startup-") as directory:
        snapshot = Path(directory) / "home.json"
        # Warm the disk and the QML cache, and leave the home snapshot: a TV that has run once.
        sample("first", snapshot)
        sample("bare", snapshot)
        runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
        for _ in range(args.n):
            # "first" deletes the snapshot and writes it again, so "app" always finds one.
            for kind in ("bare", "first", "app"):
                runs[kind].append(sample(kind, snapshot))
    median = {k: statistics.median(r["ms"] for r in rows) for k, rows in runs.items()}
    rss = {k: statistics.median(r["rss_mb"] for r in rows) for k, rows in runs.items()}
    bare, app = median["bare"], median["app"]
    app_rss = rss["app"]
    ratio = app / bare
    print(f"cold start to first interactive frame (median of {args.n}, offscreen, software):")
    print(f"  bare QML window : {bare:7.0f} ms   RSS {rss['bare']:6.1f} MB")
    print(f"  tvclient app    : {app:7.0f} ms   RSS {app_rss:6.1f} MB (home screen, pictures in)")
    print(f"  ratio app/bare  : {ratio:7.2f}x   (goal <= {GOAL_RATIO}x) "
          f"{'OK' if ratio <= GOAL_RATIO else 'OVER'}")
    print(f"  first start ever: {median['first']:7.0f} ms   ({median['first'] / bare:.2f}x bare; "
          "no snapshot yet, tiles wait for the catalog)")
    app_runs = runs["app"]
    early = sum(r["http_at_frame"] > 0 for r in app_runs)
    stale = sum(r["fresh"] == 0 for r in app_runs)
    print(f"  checks          : HTTP stack loaded before the first frame in {early} of "
          f"{len(app_runs)} runs; catalog not fresh 800 ms later in {stale} (both should be 0)")
    print(f"  RSS on home     : {app_rss:7.1f} MB (goal <= {GOAL_RSS_MB:.0f} MB) "
          f"{'OK' if app_rss <= GOAL_RSS_MB else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
