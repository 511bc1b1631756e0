"""`tvclient --booth` as a process: refusals, a crash and restart, and a clean stop."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import keyring
import pytest

from tests.booth.conftest import STAFF_PIN
from tests.helpers.processes import RunningProcess
from tests.helpers.secret_service import SecretServiceSession
from tests.helpers.services import ProcessRunner, free_port, tvclient_command
from tvclient.booth import run as booth_run
from tvclient.booth.run import EXIT_BAD_CONFIG, run_booth
from tvclient.cli import build_parser
from tvclient.sandbox.datadir import read_operator_token
from tvclient.sandbox.remote import approve


@pytest.fixture(autouse=True)
def _keep_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs must not reconfigure the test session's logging."""
    monkeypatch.setattr(booth_run, "configure_logging", lambda: None)


def test_a_real_backend_is_refused_without_the_explicit_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--booth --backend URL` stops before starting anything: a booth never charges for real."""
    options = build_parser().parse_args(["--booth", "--backend", "https://shop.example/api"])
    assert run_booth(options) == EXIT_BAD_CONFIG
    error = capsys.readouterr().err
    assert "refuses the backend https://shop.example/api" in error
    assert "--allow-real-backend" in error


def test_the_booth_will_not_run_without_a_staff_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No staff PIN (file or stored) means no way out for staff: the booth refuses to start."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    options = build_parser().parse_args(["--booth", "--bind-host", "127.0.0.1"])
    assert run_booth(options) == EXIT_BAD_CONFIG
    assert "needs a staff PIN" in capsys.readouterr().err


def test_a_reset_timeout_under_ten_seconds_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """`--reset-after 5` is refused: visitors need time to read a screen."""
    options = build_parser().parse_args(["--booth", "--reset-after", "5"])
    assert run_booth(options) == EXIT_BAD_CONFIG
    assert "10 to 3600 seconds" in capsys.readouterr().err


class _Booth:
    """One `tvclient --booth` process and its loopback addresses."""

    def __init__(self, runner: ProcessRunner, tmp_path: Path, env: dict[str, str]) -> None:
        self.runner = runner
        self.wallet_port = free_port()
        self.backend_port = free_port()
        self.sandbox = f"http://127.0.0.1:{self.wallet_port}"
        self.backend = f"http://127.0.0.1:{self.backend_port}"
        self.data = tmp_path / "data"
        pin = tmp_path / "staff-pin"
        pin.write_text(STAFF_PIN)
        pin.chmod(0o600)
        self.args = tvclient_command(
            "--booth", "--windowed", "--bind-host", "127.0.0.1",
            "--wallet-port", str(self.wallet_port), "--backend-port", str(self.backend_port),
            "--staff-pin-file", str(pin), "--data-dir", str(self.data),
        )
        self.env = {
            **env, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_BACKEND": "software",
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "TVCLIENT_LOG_LEVEL": "INFO",
        }
        config = tmp_path / "config" / "tvclient" / "booth"
        config.mkdir(parents=True)
        (config / "device.json").write_text(json.dumps(
            {"format": 1, "controller_navigation": False, "options": {"input.cec": "off"}}
        ))

    def start(self) -> RunningProcess:
        """Start it and wait for its attract loop."""
        process = self.runner.start(self.args, env=self.env, name="booth")
        _wait(lambda: "booth ready" in process.log_text(), process, "the attract loop")
        return process

    def bindings(self) -> list[dict[str, object]]:
        """Every binding the sandbox knows, with its status."""
        token = read_operator_token(self.data / "stack" / "sandbox")
        with httpx.Client(trust_env=False, timeout=10) as client:
            response = client.get(f"{self.sandbox}/operator/v1/bindings",
                                  headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return list(response.json()["bindings"])


def _wait(check: Callable[[], bool], process: RunningProcess, what: str, limit: float = 30) -> None:
    end = time.monotonic() + limit
    while not check():
        if process.popen.poll() is not None:
            raise AssertionError(f"the booth exited before {what}:\n{process.log_text()[-3000:]}")
        if time.monotonic() > end:
            raise AssertionError(f"no {what} within {limit:.0f} s:\n{process.log_text()[-3000:]}")
        time.sleep(0.05)


def _bind_a_device(backend: str, sandbox: str) -> tuple[str, str]:
    """A device enrolled and bound at the booth's backend: (credential, binding ref)."""
    with httpx.Client(base_url=backend, trust_env=False, timeout=30) as client:
        enrolled = client.post("/v1/devices", json={"name": "booth TV", "platform": "linux"})
        assert enrolled.status_code == 201, enrolled.text
        credential = enrolled.json()["credential"]
        client.headers["Authorization"] = f"Bearer {credential}"
        session = client.post("/v1/bind-sessions", json={"wallet": "ALIPAY_HK"}).json()
        approve(sandbox, session["qr_text"])
        bound = client.get(f"/v1/bind-sessions/{session['id']}", params={"wait": 20}).json()
        assert bound["state"] == "BOUND", bound
        return credential, bound["binding"]["ref"]


@pytest.mark.slow
def test_after_a_crash_the_restarted_booth_cleans_up_and_keeps_its_sandbox(
    secret_service: SecretServiceSession, process_runner: ProcessRunner, tmp_path: Path
) -> None:
    """Killed mid-visit and restarted: binding revoked, keyring emptied, sandbox kept; SIGTERM.

    The restarted booth revokes what its keyring held through the backend and sweeps what it
    did not know at the sandbox; the sandbox keeps its client and ledger; SIGTERM then stops
    the booth cleanly with exit code 0.
    """
    booth = _Booth(process_runner, tmp_path, secret_service.environment())
    first = booth.start()
    sandbox_dir = booth.data / "stack" / "sandbox"
    client_id = json.loads((sandbox_dir / "client.json").read_text())["clientId"]
    # What a crash mid-visit leaves: the booth device bound, its secrets in the keyring.
    credential, ref = _bind_a_device(booth.backend, booth.sandbox)
    service = f"tvclient {booth.backend}"
    vault = keyring.get_keyring()
    vault.set_password(service, "device-credential", credential)
    vault.set_password(service, "binding-ref", ref)
    # And a binding some earlier, lost keyring knew about.
    _bind_a_device(booth.backend, booth.sandbox)
    first.popen.send_signal(signal.SIGKILL)
    first.popen.wait(10)

    second = booth.start()
    assert json.loads((sandbox_dir / "client.json").read_text())["clientId"] == client_id
    bindings = booth.bindings()
    assert len(bindings) == 2  # the ledger survived the crash ...
    assert [b["status"] for b in bindings if b["status"] == "ACTIVE"] == []  # ... and was swept
    assert vault.get_password(service, "binding-ref") is None
    with httpx.Client(base_url=booth.backend, trust_env=False, timeout=10) as client:
        status = client.get(f"/v1/bindings/{ref}",
                            headers={"Authorization": f"Bearer {credential}"}).json()
    assert status["state"] == "REVOKED"

    started = time.monotonic()
    second.popen.send_signal(signal.SIGTERM)
    assert second.popen.wait(20) == 0
    assert time.monotonic() - started < 15
    assert "closing the booth" in second.log_text()

