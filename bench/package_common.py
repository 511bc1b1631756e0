"""Shared pieces of the packaging benchmarks: building bundles and measuring them.

Bundles are built with the same script as `make package` (`packaging/linux/build_linux.py`), so
what is measured is what ships. Sizes are decimal megabytes (10^6 bytes) of the unpacked files,
symlinks counted as links (`du --apparent-size` counts them the same way).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILDER = ROOT / "packaging" / "linux" / "build_linux.py"


def build_bundle(out: Path, *, naive: bool = False) -> Path:
    """Build a bundle into `out` (untrimmed with `naive`); its directory."""
    args = [sys.executable, str(BUILDER), "--out", str(out), "--work", str(out / "work")]
    args.append("--naive" if naive else "--bundle-only")
    subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
    return out / "tvclient"


def size_mb(tree: Path) -> float:
    """Unpacked size of a directory tree in MB (files and symlinks, apparent size)."""
    return sum(p.lstat().st_size for p in tree.rglob("*") if not p.is_dir()) / 1e6


def largest(tree: Path, depth: int, count: int = 8) -> list[tuple[str, float]]:
    """The `count` largest entries `depth` levels below `tree`, with their sizes in MB."""
    sizes: dict[str, float] = {}
    for path in tree.rglob("*"):
        if path.is_dir():
            continue
        parts = path.relative_to(tree).parts
        key = "/".join(parts[:depth])
        sizes[key] = sizes.get(key, 0.0) + path.lstat().st_size / 1e6
    return sorted(sizes.items(), key=lambda item: -item[1])[:count]
