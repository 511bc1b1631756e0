"""The embedded demo stack: real sandbox and merchant servers on loopback, as `tvclient` runs."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tvclient.booth.stack import EmbeddedStack, StackError, StackUrls


@pytest.fixture
def demo_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user data dir of our own, so the demo stack writes nowhere else."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "tvclient" / "demo"


@pytest.fixture
def stack(demo_home: Path) -> Iterator[StackUrls]:
    """A running demo stack in the private data dir."""
    running = EmbeddedStack(demo_home)
    urls = running.start()
    yield urls
    running.stop()


def _enrol(client: httpx.Client) -> None:
    response = client.post("/v1/devices", json={"name": "test tv", "platform": "linux"})
    assert response.status_code == 201
    client.headers["Authorization"] = f"Bearer {response.json()['credential']}"


def _approve_with_cli(demo_home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tvclient.cli", "sandbox", "approve", "--demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "XDG_DATA_HOME": str(demo_home.parent.parent)},
    )


def test_bind_with_the_approve_command_then_buy(stack: StackUrls, demo_home: Path) -> None:
    """With no phone, `tvclient sandbox approve --demo` binds the TV; Pay then charges once."""
    record = json.loads((demo_home / "stack.json").read_text())
    assert record["backend_url"] == stack.backend_url
    with httpx.Client(base_url=stack.backend_url, timeout=30) as client:
        _enrol(client)
        session = client.post("/v1/bind-sessions", json={"wallet": "ALIPAY_HK"}).json()
        assert session["qr_text"].startswith(stack.wallet_url)

        approved = _approve_with_cli(demo_home)
        assert approved.returncode == 0, approved.stderr
        assert "approved" in approved.stdout

        bound = client.get(f"/v1/bind-sessions/{session['id']}", params={"wait": 20}).json()
        assert bound["state"] == "BOUND"
        binding = bound["binding"]["ref"]

        product = client.get("/v1/catalog").json()["products"][0]
        price = next(p for p in product["prices"] if p["currency"] == "HKD")
        body = {"binding": binding, "product_id": product["id"], "amount": price}
        key = {"Idempotency-Key": uuid.uuid4().hex}
        first = client.post("/v1/purchases", json=body, headers=key)
        again = client.post("/v1/purchases", json=body, headers=key)
        assert first.json()["id"] == again.json()["id"]
        purchase = client.get(
            f"/v1/purchases/{first.json()['id']}", params={"wait": 20}
        ).json()
        assert purchase["state"] == "SUCCEEDED"
        assert purchase["receipt"]["amount"] == price


def test_approve_says_when_nothing_waits(stack: StackUrls, demo_home: Path) -> None:
    """With no pending QR the approve command says so and fails, instead of guessing."""
    result = _approve_with_cli(demo_home)
    assert result.returncode == 1
    assert "no QR is waiting" in result.stderr


def test_approve_without_a_running_demo(demo_home: Path) -> None:
    """Without a demo stack the command explains what to start first."""
    result = _approve_with_cli(demo_home)
    assert result.returncode == 1
    assert "no demo stack is running" in result.stderr


def test_the_demo_keeps_its_sandbox_across_restarts(demo_home: Path) -> None:
    """A restarted demo reuses its merchant client and keys (bindings stay valid)."""
    with EmbeddedStack(demo_home):
        first = json.loads((demo_home / "sandbox" / "client.json").read_text())["clientId"]
    assert not (demo_home / "stack.json").exists()
    with EmbeddedStack(demo_home) as urls:
        second = json.loads((demo_home / "sandbox" / "client.json").read_text())["clientId"]
        assert httpx.get(urls.backend_url + "/healthz").status_code == 200
    assert first == second


def test_a_restarted_demo_keeps_its_urls(demo_home: Path) -> None:
    """Same ports as last time: the TV's keyring entries and home snapshot stay valid."""
    with EmbeddedStack(demo_home) as first:
        pass
    with EmbeddedStack(demo_home) as second:
        assert (second.backend_url, second.sandbox_url) == (first.backend_url, first.sandbox_url)
        assert httpx.get(second.backend_url + "/healthz").status_code == 200


def test_a_taken_port_is_replaced_by_a_free_one(
    demo_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another program on last run's backend port: the demo takes a free one and says why."""
    with EmbeddedStack(demo_home) as first:
        pass
    port = int(first.backend_url.rsplit(":", 1)[1])
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", port))
    squatter.listen(1)
    try:
        with caplog.at_level(logging.INFO, logger="tvclient.booth.stack"), \
                EmbeddedStack(demo_home) as second:
            assert second.backend_url != first.backend_url
            assert second.sandbox_url == first.sandbox_url
            assert httpx.get(second.backend_url + "/healthz").status_code == 200
    finally:
        squatter.close()
    assert "taking a free port" in caplog.text


@pytest.mark.usefixtures("expect_log")
def test_a_stack_that_cannot_start_says_so_in_words(
    demo_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A ledger the backend cannot open stops the start with a sentence, not an exit code."""
    (demo_home / "merchant.db").mkdir(parents=True)
    broken = EmbeddedStack(demo_home)
    with caplog.at_level(logging.ERROR), pytest.raises(StackError) as failure:
        broken.start()
    broken.stop()
    assert str(failure.value) == (
        "demo stack did not start: a server failed while starting (its error is in the log above)"
    )
    assert "demo stack stopped with an error" in caplog.text
