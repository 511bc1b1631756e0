"""Cold start of the frozen app against the venv app: time to the first frame, same run.

Each sample is a fresh process of `tvclient --self-test` (the venv's console script, then the
bundle's executable, alternating), timed from just before the spawn (`TVCLIENT_T0`) to the
window's first `frameSwapped`, and to the home screen with the store's tiles focused. Both start
the embedded demo stack first, as `tvclient` does on a TV with no backend configured; the stack's
data dir is prepared once beforehand, so no sample pays for the sandbox's first-run key
generation. Offscreen, software rendering; the QML cache is empty in every sample (the self-test
keeps it in its scratch directory) for both.

`--drop-caches` (root only) empties the page cache before every sample: a start after a reboot.

Goal (issue 7): frozen first frame <= venv first frame (ratio <= 1.0).
Usage: `python bench/package_start.py [-n 7] [--bundle DIR] [--drop-caches]`.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from package_common import build_bundle

GOAL_RATIO = 1.0
VENV_TVCLIENT = Path(sys.executable).with_name("tvclient")


def _drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n", encoding="ascii")


def sample(command: Path, data_dir: Path, *, drop: bool) -> dict[str, float]:
    """One start: milliseconds to the first frame and to the home screen."""
    if drop:
        _drop_caches()
    env = {
        **os.environ, "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8",
        "TVCLIENT_T0": repr(time.time()),
    }
    out = subprocess.run(  # noqa: S603 - our own app
        [str(command), "--self-test", "--data-dir", str(data_dir)],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{command} --self-test failed:\n{out.stdout}\n{out.stderr}")
    timings = dict(re.findall(r"(\w+)_ms=(\d+)", out.stdout))
    return {key: float(value) for key, value in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=7, help="samples of each (default 7)")
    parser.add_argument("--bundle", type=Path, help="an existing bundle dir (default: build one)")
    parser.add_argument("--drop-caches", action="store_true",
                        help="empty the page cache before each sample (root)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tvclient-bench-start-") as scratch:
        bundle = args.bundle or build_bundle(Path(scratch) / "build")
        commands = {"venv": VENV_TVCLIENT, "frozen": bundle / "tvclient"}
        data = {kind: Path(scratch) / f"data-{kind}" for kind in commands}
        for kind, command in commands.items():  # first run: keys, database; warms the disk
            sample(command, data[kind], drop=False)
        runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in commands}
        for _ in range(args.n):
            for kind, command in commands.items():
                runs[kind].append(sample(command, data[kind], drop=args.drop_caches))
    first = {k: statistics.median(r["first_frame"] for r in v) for k, v in runs.items()}
    home = {k: statistics.median(r["home"] for r in v) for k, v in runs.items()}
    stack = {k: statistics.median(r["stack"] for r in v) for k, v in runs.items()}
    ratio = first["frozen"] / first["venv"]
    cache = "page cache dropped before each" if args.drop_caches else "warm page cache"
    print(f"start to first frame, median of {args.n} ({cache}; offscreen, software):")
    for kind in commands:
        print(f"  {kind:<6}: stack up {stack[kind]:6.0f} ms   first frame {first[kind]:6.0f} ms"
              f"   home screen {home[kind]:6.0f} ms")
    print(f"  ratio frozen/venv (first frame): {ratio:5.2f}   (goal <= {GOAL_RATIO}) "
          f"{'OK' if ratio <= GOAL_RATIO else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
