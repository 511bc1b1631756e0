"""The service recipe in packaging/booth/: the systemd unit and the kiosk session script."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.processes import require_binary

BOOTH = Path(__file__).resolve().parents[2] / "packaging" / "booth"
SESSION = BOOTH / "tvclient-booth-session"

STUB = """\
import json, os, sys
from pathlib import Path
import keyring
state = Path(os.environ["STUB_STATE"])
runs = json.loads(state.read_text()) if state.exists() else []
before = keyring.get_password("tvclient booth test", "secret")
keyring.set_password("tvclient booth test", "secret", "kept")
runs.append({
    "argv": sys.argv[1:],
    "backend": type(keyring.get_keyring()).__module__,
    "before": before,
    "qpa": os.environ.get("QT_QPA_PLATFORM"),
})
state.write_text(json.dumps(runs))
codes = os.environ["STUB_CODES"].split(",")
sys.exit(int(codes[len(runs) - 1]))
"""


def test_the_unit_file_is_valid_for_systemd(tmp_path: Path) -> None:
    """`systemd-analyze verify` finds no unknown key or bad value in tvclient-booth.service."""
    analyze = require_binary("systemd-analyze", "systemd")
    unit = (BOOTH / "tvclient-booth.service").read_text()
    assert "ExecStart=/usr/bin/cage -d -- /usr/lib/tvclient/tvclient-booth-session" in unit
    # cage and the installed session script are not on the test machine; everything else is
    # checked as systemd will read it.
    copy = tmp_path / "tvclient-booth.service"
    copy.write_text(unit.replace("/usr/bin/cage -d -- /usr/lib/tvclient/tvclient-booth-session",
                                 "/bin/true"))
    result = subprocess.run(  # noqa: S603 - fixed argv
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def _session(tmp_path: Path, codes: str, *args: str) -> tuple[int, list[dict[str, object]]]:
    """Run the session script once, with a stub tvclient; its exit code and the stub's runs."""
    require_binary("dbus-run-session", "dbus")
    require_binary("gnome-keyring-daemon", "gnome-keyring")
    stub = tmp_path / "tvclient-stub"
    stub.write_text(f"#!{sys.executable}\n{STUB}")
    stub.chmod(0o755)
    state = tmp_path / "runs.json"
    state.unlink(missing_ok=True)
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    for folder in (home, runtime):
        folder.mkdir(mode=0o700, exist_ok=True)
    password = tmp_path / "keyring-password"
    password.write_text("booth keyring password\n")
    password.chmod(0o600)
    env = {
        key: value for key, value in os.environ.items()
        if key not in {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY",
                       "PYTHON_KEYRING_BACKEND", "QT_QPA_PLATFORM", "TVCLIENT_BOOTH_SESSION_BUS"}
    }
    env.update(
        HOME=str(home), XDG_RUNTIME_DIR=str(runtime),
        XDG_DATA_HOME=str(home / ".local" / "share"), XDG_CONFIG_HOME=str(home / ".config"),
        TVCLIENT=str(stub), TVCLIENT_KEYRING_PASSWORD_FILE=str(password),
        TVCLIENT_BOOTH_RESTART_DELAY="0", TVCLIENT_BOOTH_ARGS="--public-url http://booth.lan:8300",
        STUB_STATE=str(state), STUB_CODES=codes,
    )
    process = subprocess.Popen(  # noqa: S603 - the script under test, fixed argv
        [str(SESSION), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        # gnome-keyring-daemon leaves with its bus; anything of this run that did not goes now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert state.exists(), output
    return process.returncode, list(json.loads(state.read_text()))


@pytest.mark.keyring
def test_the_session_unlocks_the_keyring_and_restarts_the_booth_until_staff_exit(
    tmp_path: Path,
) -> None:
    """Failures and Restart (75) start the booth again, staff exit (0) ends the session.

    The keyring is a real Secret Service, unlocked with the password file, and what the booth
    keeps in it is there again at the next boot.
    """
    code, runs = _session(tmp_path, "75,70,0", "--windowed")
    assert code == 0
    assert len(runs) == 3
    assert runs[0]["argv"] == ["--booth", "--public-url", "http://booth.lan:8300", "--windowed"]
    assert {run["backend"] for run in runs} == {"keyring.backends.SecretService"}
    assert {run["qpa"] for run in runs} == {"wayland"}
    assert runs[0]["before"] is None
    assert runs[1]["before"] == "kept"

    code, runs = _session(tmp_path, "0")  # the next boot: same HOME, same password
    assert code == 0
    assert runs[0]["before"] == "kept"


@pytest.mark.keyring
def test_a_refused_configuration_is_not_restarted(tmp_path: Path) -> None:
    """Exit code 2 (the booth refused its options) ends the session: retrying cannot help."""
    code, runs = _session(tmp_path, "2,0")
    assert code == 2
    assert len(runs) == 1
