"""The packaging layer: build the installers once per session, then check what they hold.

Tests marked `package` use `built_packages`, which runs the same build as `make package`
(`packaging/linux/build_linux.py`: PyInstaller bundle, tarball, .deb) into a temporary directory.
The first of them pays for the build (about 40 s with a warm PyInstaller cache, a minute or two
cold); the rest reuse it. They are never skipped: a machine that cannot build fails them with
the build's own message.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILDER = ROOT / "packaging" / "linux" / "build_linux.py"


def pytest_configure(config: pytest.Config) -> None:
    """Register the `package` marker (this layer's tests; see the module docstring)."""
    config.addinivalue_line(
        "markers",
        "package: builds the PyInstaller bundle, tarball and .deb once per session "
        "(built_packages fixture; part of CI's suite)",
    )


@dataclass(frozen=True)
class BuiltPackages:
    """Where the session's build put its artefacts."""

    bundle: Path
    tarball: Path
    deb: Path
    build_id: str
    version: str


def clean_env(**extra: str) -> dict[str, str]:
    """An environment for running the built app: offscreen, no proxy, no host CA overrides."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "HOME", "USER", "LOGNAME")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def built_packages(tmp_path_factory: pytest.TempPathFactory) -> BuiltPackages:
    """The bundle, tarball and .deb of this tree, built once for the session."""
    out = tmp_path_factory.mktemp("package-out")
    work = tmp_path_factory.mktemp("package-work")
    result = subprocess.run(  # noqa: S603 - our own build script with our own interpreter
        [sys.executable, str(BUILDER), "--out", str(out), "--work", str(work)],
        capture_output=True, text=True, timeout=900, check=False, cwd=ROOT,
    )
    if result.returncode != 0:
        pytest.fail(
            f"the package build failed (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}",
            pytrace=False,
        )
    match = re.search(r"^tvclient (\S+), build (.+)$", result.stdout, re.MULTILINE)
    assert match, result.stdout
    version, build_id = match.group(1), match.group(2).strip()
    return BuiltPackages(
        bundle=out / "tvclient",
        tarball=next(out.glob("tvclient-*-linux-*.tar.gz")),
        deb=next(out.glob("tvclient_*.deb")),
        build_id=build_id,
        version=version,
    )
