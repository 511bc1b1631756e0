"""`tvclient --self-test` from the source tree: what CI's smoke test and installers rely on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image

from tests.helpers.services import tvclient_command
from tests.packaging.conftest import clean_env

CHECKS = ("files", "i18n", "gamepad", "stack", "home", "qml", "fonts", "collation", "keyring",
          "qr", "log")


def run_self_test(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`tvclient --self-test ARGS` from the venv, its output captured."""
    return subprocess.run(  # noqa: S603 - the project's own entry point
        tvclient_command("--self-test", *args),
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )


def test_self_test_passes_and_reports_every_check(tmp_path: Path) -> None:
    """A healthy install passes every check, one line each, and leaves HOME untouched."""
    home = tmp_path / "home"
    home.mkdir()
    shots = tmp_path / "shots"
    result = run_self_test(env=clean_env(HOME=str(home), TVCLIENT_SELFTEST_SHOTS=str(shots)))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for check in CHECKS:
        assert any(line.startswith(f"ok   {check} ") for line in lines), (check, result.stdout)
    assert lines[-1] == "self-test: passed"
    assert "build source" in lines[0]
    assert "zxing-cpp decodes the grab" in result.stdout
    assert list(home.iterdir()) == []  # no settings, demo data, cache or keyring written
    with Image.open(shots / "qr.png") as shot:
        found = zxingcpp.read_barcodes(shot.convert("L"))
    texts = [r.text for r in found]
    assert len(texts) == 1
    assert texts[0].endswith(
        "/wallet/authorize?session=self-test-0123456789abcdef&lang=en&source=tvclient"
    )


def test_self_test_names_what_failed(tmp_path: Path) -> None:
    """When the demo stack cannot start, the self-test exits 1 and says which check and why."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    result = run_self_test("--data-dir", str(blocker / "demo"), env=clean_env(HOME=str(tmp_path)))
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failed
    assert failed[0].startswith("FAIL stack ")
    assert str(blocker) in failed[0]
    assert result.stdout.splitlines()[-1].startswith("self-test: FAILED (stack")
    assert "Traceback" not in result.stderr


def test_version_of_a_source_tree_says_source() -> None:
    """`tvclient --version` names the version and, outside a packaged build, the build "source"."""
    result = subprocess.run(  # noqa: S603
        tvclient_command("--version"), capture_output=True, text=True, timeout=60, check=True,
    )
    assert result.stdout.strip().startswith("tvclient ")
    assert result.stdout.strip().endswith("(build source)")
