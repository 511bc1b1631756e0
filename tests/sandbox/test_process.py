"""`tvclient sandbox serve` as a real process on loopback, surviving a restart."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import uvicorn

from tests.helpers.services import ProcessRunner, free_port, tvclient_command
from tests.sandbox.conftest import Receiver, consult_request, expect_success, pay_request
from tvclient.antom.client import AntomClient
from tvclient.antom.keys import read_private_key, read_public_key
from tvclient.antom.messages import (
    ApplyTokenRequest,
    GrantType,
    InquiryPaymentRequest,
)
from tvclient.antom.outcomes import Unknown, UnknownReason
from tvclient.clock import SystemClock
from tvclient.money import Money

HK = dt.timezone(dt.timedelta(hours=8))
pytestmark = pytest.mark.slow


@pytest_asyncio.fixture
async def receiver_url() -> AsyncIterator[tuple[str, list[Receiver]]]:
    """A notification receiver served on loopback (its key is set once the sandbox exists)."""
    holder: list[Receiver] = []

    async def app(scope, receive, send):
        await holder[0].app(scope, receive, send)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}", holder
    server.should_exit = True
    await task


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command line
        tvclient_command("sandbox", *args), capture_output=True, text=True, timeout=60,
        check=False,
    )


async def test_serve_drive_and_restart(
    process_runner: ProcessRunner, tmp_path: Path, receiver_url: tuple[str, list[Receiver]]
) -> None:
    """Serve, bind, pay, operate, time out a real client, restart: all state remains."""
    data = tmp_path / "sandbox"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    notify_base, holder = receiver_url
    serve = tvclient_command(
        "sandbox", "serve", "--port", str(port), "--data", str(data), "--timescale", "60",
        "--auth-notify-url", f"{notify_base}/notify/auth",
        "--payment-notify-url", f"{notify_base}/notify/pay",
    )
    first = process_runner.start(serve, ready_url=f"{url}/healthz", name="sandbox")
    assert "Antom sandbox for client SANDBOX_" in first.log_text()
    client_json = json.loads((data / "client.json").read_text())
    assert client_json["baseUrl"] == url
    antom_public = read_public_key(data / "antom-public-key.pem")
    holder.append(Receiver(antom_public, client_json["clientId"]))
    receiver = holder[0]

    async with httpx.AsyncClient(trust_env=False) as http:
        client = AntomClient(http, base_url=client_json["baseUrl"],
                             client_id=client_json["clientId"],
                             private_key=read_private_key(data / client_json[
                                 "merchantPrivateKeyFile"]),
                             antom_public_key=antom_public, clock=SystemClock())
        consult = expect_success(await client.consult(consult_request(state="proc")))
        approved = await asyncio.to_thread(
            _command, "approve", "--url", url, consult.auth_code_form.text(),
            "--buyer", "hk-carol",
        )
        assert approved.returncode == 0, approved.stderr
        assert "approved for buyer hk-carol" in approved.stdout
        for _ in range(200):
            if receiver.of("/notify/auth"):
                break
            await asyncio.sleep(0.02)
        [created] = receiver.of("/notify/auth")
        assert created.verified, created.error
        token = expect_success(await client.apply_token(ApplyTokenRequest(
            grant_type=GrantType.AUTHORIZATION_CODE, customer_belongs_to="ALIPAY_HK",
            auth_code=created.json["authCode"],
        ))).access_token
        paid = expect_success(await client.pay(pay_request(token, Money(12_345, "HKD"), "p-1")))

        token_args = ("--url", url, "--data", str(data))
        buyers = await asyncio.to_thread(_command, "buyers", *token_args)
        assert buyers.returncode == 0, buyers.stderr
        assert "hk-carol" in buyers.stdout
        assert str(25_000_000 - 12_345) in buyers.stdout
        balance = await asyncio.to_thread(_command, "balance", "hk-ben", "12.50", *token_args)
        assert "HKD 12.50" in balance.stdout, balance.stderr
        armed = await asyncio.to_thread(_command, "fault", "add", "pay", "timeout",
                                        "--seconds", "180", *token_args)
        assert armed.returncode == 0, armed.stderr

        # 180 sandbox seconds are 3 real seconds at x60: longer than this client waits.
        held = await client.pay(pay_request(token, Money(100, "HKD"), "p-held"),
                                timeout_seconds=0.5)
        assert isinstance(held, Unknown)
        assert held.reason is UnknownReason.TIMEOUT
        inquiry = expect_success(await client.inquiry_payment(
            InquiryPaymentRequest(payment_request_id="p-held")
        ))
        assert inquiry.payment_status.value == "SUCCESS"

        status = json.loads((await asyncio.to_thread(
            _command, "status", "--json", *token_args)).stdout)
        assert status["timeScale"] == 60
        assert paid.payment_time is not None
        day = paid.payment_time.astimezone(HK).date().isoformat()
        reports = await asyncio.to_thread(_command, "reports", day, "--download",
                                          str(tmp_path / "sftp"), *token_args)
        assert reports.returncode == 0, reports.stderr
        downloaded = list((tmp_path / "sftp").rglob("transactionItems_*.csv"))
        assert len(downloaded) == 1
        assert paid.payment_id in downloaded[0].read_text()

        first.stop()
        second = process_runner.start(serve, ready_url=f"{url}/healthz", name="sandbox")
        assert json.loads((data / "client.json").read_text())["clientId"] == (
            client_json["clientId"]
        )
        again = expect_success(await client.inquiry_payment(
            InquiryPaymentRequest(payment_request_id="p-1")
        ))
        assert again.payment_id == paid.payment_id
        expect_success(await client.pay(pay_request(token, Money(1, "HKD"), "p-2")))
        payments = await asyncio.to_thread(_command, "payments", *token_args)
        assert "p-1" in payments.stdout
        assert "p-2" in payments.stdout
        second.stop()


async def test_bad_data_dir_is_reported(tmp_path: Path) -> None:
    """`serve` on a data dir it cannot use exits non-zero with a readable message."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = await asyncio.to_thread(_command, "serve", "--data", str(blocker), "--port",
                                     str(free_port()))
    assert result.returncode != 0
    assert "data dir" in result.stderr
    assert "Traceback" not in result.stderr


async def test_approve_against_nothing(tmp_path: Path) -> None:
    """`approve` with no sandbox listening says it cannot reach it."""
    result = await asyncio.to_thread(_command, "approve", "--url",
                                     f"http://127.0.0.1:{free_port()}", "qAAAA")
    assert result.returncode == 1
    assert "cannot reach the sandbox" in result.stderr

