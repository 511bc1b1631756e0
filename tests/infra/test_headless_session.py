"""scripts/headless-session: what `make run-xvfb` relies on for a keyring on a headless machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "headless-session"

PROBE = """
import sys, keyring
action, value = sys.argv[1], sys.argv[2]
backend = keyring.get_keyring()
print(type(backend).__module__ + "." + type(backend).__name__)
if action == "set":
    keyring.set_password("tvclient-headless-test", "device", value)
else:
    print(keyring.get_password("tvclient-headless-test", "device"))
"""


def _run(keyring_home: Path, action: str, value: str) -> list[str]:
    env = {
        key: item for key, item in os.environ.items()
        if key not in {"DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND"}
    }
    env["TVCLIENT_HEADLESS_KEYRING"] = str(keyring_home)
    done = subprocess.run(  # noqa: S603 - our own script and interpreter
        [str(SCRIPT), sys.executable, "-c", PROBE, action, value],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_secret_survives_from_one_headless_run_to_the_next(tmp_path: Path) -> None:
    """Each run gets a Secret Service; what one stores, the next reads (a TV keeps its identity)."""
    home = tmp_path / "keyring"
    first = _run(home, "set", "tvd_secret_value")
    assert first == ["keyring.backends.SecretService.Keyring"]
    second = _run(home, "get", "-")
    assert second == ["keyring.backends.SecretService.Keyring", "tvd_secret_value"]


def test_the_keyring_folder_is_private_and_holds_no_plain_secret(tmp_path: Path) -> None:
    """The folder and its password file are owner-only; the stored secret is not in clear text."""
    home = tmp_path / "keyring"
    _run(home, "set", "tvd_plain_marker_4711")
    assert home.stat().st_mode & 0o077 == 0
    assert (home / "password").stat().st_mode & 0o077 == 0
    for path in home.rglob("*"):
        if path.is_file():
            assert b"tvd_plain_marker_4711" not in path.read_bytes(), path
