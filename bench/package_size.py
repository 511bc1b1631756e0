"""Unpacked size of the shipped bundle against a naive PyInstaller build of the same app.

Both are built in this run from `packaging/tvclient.spec`: the naive one with `--naive` (every
file PyInstaller's hooks collect, the host libraries it copies, no stripping: what a first
`pyinstaller` of this app gives), the shipped one with the trimming rules of
`packaging/pyi_filter.py` and the smaller ICU data of `packaging/icu_data.py`. Also prints the
compressed sizes of the tarball and .deb when `--with-archives` is given.

Goal (issue 7): shipped / naive <= 0.5, and shipped <= 150 MB.
Usage: `python bench/package_size.py [--keep DIR] [--with-archives]`  (about 1.5 minutes).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from package_common import BUILDER, ROOT, build_bundle, largest, size_mb

GOAL_RATIO = 0.5
GOAL_MB = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="build into this directory and keep it")
    parser.add_argument("--with-archives", action="store_true",
                        help="also build the tarball and .deb and print their sizes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tvclient-bench-size-") as scratch:
        base = args.keep or Path(scratch)
        started = time.monotonic()
        naive = build_bundle(base / "naive", naive=True)
        naive_s = time.monotonic() - started
        started = time.monotonic()
        if args.with_archives:
            out = base / "shipped"
            subprocess.run(  # noqa: S603
                [sys.executable, str(BUILDER), "--out", str(out), "--work", str(out / "work")],
                check=True, capture_output=True, cwd=ROOT,
            )
            shipped = out / "tvclient"
        else:
            shipped = build_bundle(base / "shipped")
        shipped_s = time.monotonic() - started
        naive_mb, shipped_mb = size_mb(naive), size_mb(shipped)
        ratio = shipped_mb / naive_mb
        print("unpacked bundle size (same spec, built in this run):")
        print(f"  naive PyInstaller build : {naive_mb:7.1f} MB  (built in {naive_s:.0f} s)")
        print(f"  shipped bundle          : {shipped_mb:7.1f} MB  (built in {shipped_s:.0f} s)")
        print(f"  ratio shipped/naive     : {ratio:7.2f}   (goal <= {GOAL_RATIO}) "
              f"{'OK' if ratio <= GOAL_RATIO else 'OVER'}")
        print(f"  shipped size            : {shipped_mb:7.1f} MB (goal <= {GOAL_MB:.0f} MB) "
              f"{'OK' if shipped_mb <= GOAL_MB else 'OVER'}")
        if args.with_archives:
            for archive in sorted(shipped.parent.glob("tvclient*.*")):
                print(f"  {archive.name:<40}: {archive.stat().st_size / 1e6:7.1f} MB")
        print("largest parts of the shipped bundle:")
        for name, mb in largest(shipped / "_internal", 3, 10):
            print(f"  {mb:6.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
