"""End to end with real processes on loopback: `sandbox serve` + `merchant serve`.

Run on SQLite and on PostgreSQL (one private cluster per session), including a backend killed
with SIGKILL between Antom's success and its own commit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.services import ProcessRunner, RunningProcess, free_port

pytestmark = pytest.mark.slow

OPERATOR = "operator-e2e-token"
ADMIN = "admin-e2e-token"


@dataclass
class Deployment:
    """A sandbox and a way to start merchant backends against it."""

    runner: ProcessRunner
    sandbox_url: str
    sandbox_dir: Path
    database: str

    def merchant(
        self, *, env: dict[str, str] | None = None, port: int | None = None
    ) -> tuple[RunningProcess, str]:
        """Start `python -m tvclient.merchant serve` on a free port; its URL."""
        port = port or free_port()
        url = f"http://127.0.0.1:{port}"
        process = self.runner.start(
            [
                sys.executable,
                "-m",
                "tvclient.merchant",
                "serve",
                "--sandbox-dir",
                str(self.sandbox_dir),
                "--database",
                self.database,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--allow-loopback-enrolment",
                "--admin-token",
                ADMIN,
                "--shutdown-grace",
                "5",
            ],
            ready_url=url + "/readyz",
            env={**os.environ, **(env or {})},
            name="merchant",
        )
        return process, url

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run an admin command against the same database and sandbox."""
        return subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "tvclient.merchant",
                *args,
                "--sandbox-dir",
                str(self.sandbox_dir),
                "--database",
                self.database,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture(autouse=True)
def _close_devices() -> Iterator[None]:
    yield
    while Device.opened:
        Device.opened.pop().close()


@pytest.fixture(params=["sqlite", "postgres"])
def deployment(
    request: pytest.FixtureRequest, process_runner: ProcessRunner, tmp_path: Path
) -> Deployment:
    """A running sandbox (real process) and a database of each engine."""
    if request.param == "postgres":
        database = request.getfixturevalue("postgres_url")
    else:
        database = f"sqlite:///{tmp_path / 'merchant.db'}"
    port = free_port()
    data = tmp_path / "sandbox"
    process_runner.start(
        [
            sys.executable,
            "-m",
            "tvclient.sandbox",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data",
            str(data),
            "--operator-token",
            OPERATOR,
        ],
        ready_url=f"http://127.0.0.1:{port}/healthz",
        name="sandbox",
    )
    return Deployment(process_runner, f"http://127.0.0.1:{port}", data, database)


class Device:
    """A device talking to a backend over real HTTP (closed by the `devices` fixture)."""

    opened: list[httpx.Client] = []  # noqa: RUF012 - closed after each test

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=40, trust_env=False)
        Device.opened.append(self.http)
        response = self.http.post("/v1/devices", json={"name": "e2e TV"})
        assert response.status_code == 201, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['credential']}"}

    def session(self) -> dict[str, Any]:
        response = self.http.post(
            "/v1/bind-sessions", json={"wallet": "ALIPAY_HK"}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def wait(
        self, path: str, until: Callable[[dict[str, Any]], bool], seconds: float = 30
    ) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            body = dict(self.http.get(path, params={"wait": 20}, headers=self.headers).json())
            if until(body):
                return body
        raise AssertionError(f"{path} never got there: {body}")

    def buy(self, binding: str, key: str) -> httpx.Response:
        return self.http.post(
            "/v1/purchases",
            json={
                "binding": binding,
                "product_id": "movie-night",
                "amount": {"currency": "HKD", "value": 3800},
            },
            headers={**self.headers, "Idempotency-Key": key},
        )


def _approve(sandbox_url: str, qr_text: str) -> None:
    response = httpx.post(
        f"{sandbox_url}/wallet/api/approve", json={"codeValue": qr_text}, trust_env=False
    )
    assert response.status_code == 200, response.text


def _successes(sandbox_url: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{sandbox_url}/operator/v1/payments",
        headers={"Authorization": f"Bearer {OPERATOR}"},
        trust_env=False,
    )
    return [p for p in response.json()["payments"] if p.get("status") == "SUCCESS"]


def _bind(device: Device, sandbox_url: str) -> str:
    session = device.session()
    _approve(sandbox_url, session["qr_text"])
    bound = device.wait(f"/v1/bind-sessions/{session['id']}", lambda b: b["state"] != "PENDING")
    assert bound["state"] == "BOUND", bound
    return str(bound["binding"]["ref"])


def test_bind_buy_refund_and_reconcile_with_real_processes(deployment: Deployment) -> None:
    """The whole flow over loopback, then the admin commands and reconciliation."""
    _, url = deployment.merchant()
    device = Device(url)
    binding = _bind(device, deployment.sandbox_url)
    bought = device.buy(binding, "e2e-1")
    assert bought.status_code == 201, bought.text
    purchase = device.wait(
        f"/v1/purchases/{bought.json()['id']}", lambda b: b["state"] != "PROCESSING"
    )
    assert purchase["state"] == "SUCCEEDED"

    listed = deployment.command("purchases", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [p["id"] for p in json.loads(listed.stdout)] == [purchase["id"]]
    refund = deployment.command(
        "refund", purchase["id"], "--amount", "10.00", "--reason", "scratched"
    )
    assert refund.returncode == 0, refund.stderr
    assert json.loads(refund.stdout)["state"] == "SUCCEEDED"
    over = deployment.command("refund", purchase["id"], "--amount", "30.00")
    assert over.returncode == 1
    assert "REFUND_AMOUNT_EXCEED" in over.stderr

    paid_day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
    generated = httpx.post(
        f"{deployment.sandbox_url}/operator/v1/reports",
        json={"date": paid_day},
        headers={"Authorization": f"Bearer {OPERATOR}"},
        trust_env=False,
    )
    assert generated.status_code == 200, generated.text
    reconciled = deployment.command("reconcile", str(deployment.sandbox_dir / "v1"))
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert "clean" in reconciled.stdout


def test_sigkill_between_antom_success_and_commit_charges_once(deployment: Deployment) -> None:
    """Killed after pay returned S but before recording it: after restart SUCCEEDED, one charge."""
    _, url = deployment.merchant()
    device = Device(url)
    binding = _bind(device, deployment.sandbox_url)
    credentials = device.headers
    port = int(url.rsplit(":", 1)[1])
    # Restart the same backend with the test-only crash hook armed.
    crashing, _ = _restart(deployment, port, {"TVCLIENT_MERCHANT_TEST_CRASH_AFTER_PAY": "1"})
    with pytest.raises(httpx.TransportError):
        device.buy(binding, "doomed")
    assert crashing.popen.wait(20) == -signal.SIGKILL
    assert len(_successes(deployment.sandbox_url)) == 1  # Antom took the money

    _restart(deployment, port, {})
    device.headers = credentials
    history = device.http.get(
        "/v1/purchases", params={"binding": binding}, headers=device.headers
    ).json()
    (purchase,) = history["purchases"]
    final = device.wait(f"/v1/purchases/{purchase['id']}", lambda b: b["state"] != "PROCESSING")
    assert final["state"] == "SUCCEEDED"
    again = device.buy(binding, "doomed")  # the device retries its intent
    assert again.status_code == 200
    assert again.json()["id"] == purchase["id"]
    assert len(_successes(deployment.sandbox_url)) == 1


def _restart(deployment: Deployment, port: int, env: dict[str, str]) -> tuple[RunningProcess, str]:
    for process in list(deployment.runner._running):
        if "tvclient.merchant" in process.args and process.popen.poll() is None:
            process.stop()
    return deployment.merchant(env=env, port=port)
