"""The wheel `pip install tvclient` gets: everything the app reads at run time is inside."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The file names inside a wheel built from this tree."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out),
         str(ROOT)],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("tvclient-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_carries_the_files_the_app_reads(wheel_names: set[str]) -> None:
    """QML, translations, controller mappings, migrations and the demo catalog are packaged."""
    for needed in (
        "tvclient/app/qml/TvClient/Screens/Main.qml",
        "tvclient/app/qml/TvClient/Controls/qmldir",
        "tvclient/app/i18n/zh-HK.json",
        "tvclient/booth/i18n/id.json",
        "tvclient/app/input/gamepad/gamecontrollerdb.txt",
        "tvclient/merchant/store/migrations/env.py",
        "tvclient/merchant/demo_catalog/catalog.json",
        "tvclient/merchant/demo_catalog/movie-night.png",
    ):
        assert needed in wheel_names, needed


def test_the_wheel_holds_only_the_package(wheel_names: set[str]) -> None:
    """Tests, benchmarks and packaging recipes stay in the repository."""
    tops = {name.split("/", 1)[0] for name in wheel_names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"tvclient"}
