"""Rate limits hold and oversized bodies are refused before they cost anything.

Threats: a device (or a stolen credential) floods the backend with bind sessions, each one an
Antom consult, or with polls; anyone posts huge bodies to the device API, the notify URLs or
the admin API to exhaust memory.

Defences: per-device token buckets (bind sessions: 10 a minute, polls: 120 a minute with
bursts; `429 RATE_LIMITED` with `Retry-After`), refused before any work is done; body limits
(device and admin API 16 KiB, notifications 64 KiB) checked on the declared length and while
reading, so a huge body is never held in memory, chunked or not (the server still drains what
the client insists on sending, at network speed, without keeping it).
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.helpers.services import ProcessRunner, free_port
from tests.reliability.stacks import ADMIN, World, snapshot


async def _fresh_device(world: World) -> dict[str, str]:
    response = await world.stack.device.post("/v1/devices", json={"name": "flooder"})
    return {"Authorization": f"Bearer {response.json()['credential']}"}


async def test_bind_sessions_are_limited_per_device(world: World) -> None:
    """The 11th bind session within a minute is 429 with Retry-After; others are not affected."""
    stack = world.stack
    flooder = await _fresh_device(world)
    consults_before = (await stack.operator.get("/operator/v1/status")).json()["counts"]
    answers = [
        await stack.device.post("/v1/bind-sessions", json={"wallet": "DANA"}, headers=flooder)
        for _ in range(11)
    ]
    assert [a.status_code for a in answers] == [201] * 10 + [429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"]["retry_after"] == int(refused.headers["retry-after"])
    consults_after = (await stack.operator.get("/operator/v1/status")).json()["counts"]
    assert consults_after["consults"] == consults_before["consults"] + 10  # no 11th consult
    other = await stack.device.post("/v1/bind-sessions", json={"wallet": "DANA"}, headers=world.b)
    assert other.status_code == 201
    stack.clock.advance(int(refused.headers["retry-after"]))
    again = await stack.device.post("/v1/bind-sessions", json={"wallet": "DANA"}, headers=flooder)
    assert again.status_code == 201


async def test_polls_are_limited_per_device(world: World) -> None:
    """Polling a purchase as fast as possible: a burst of 30 passes, then 429 until refilled."""
    stack = world.stack
    codes = [
        (await stack.device.get(f"/v1/purchases/{world.purchase}", headers=world.a)).status_code
        for _ in range(31)
    ]
    assert codes == [200] * 30 + [429]
    other = await stack.device.get(f"/v1/purchases/{world.b_purchase}", headers=world.b)
    assert other.status_code == 200
    stack.clock.advance(1.0)  # 120 a minute: two more a second
    assert (await stack.device.get(f"/v1/purchases/{world.purchase}",
                                   headers=world.a)).status_code == 200


def _padded(size: int) -> bytes:
    body = {"binding": "bnd_x", "product_id": "movie-night",
            "amount": {"currency": "HKD", "value": 3800}, "pad": ""}
    body["pad"] = "x" * (size - len(json.dumps(body)))
    return json.dumps(body).encode()


async def _chunks(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_oversized_bodies_are_refused_and_change_nothing(
    world: World, expect_log: None
) -> None:
    """Device API, admin API and notify URLs refuse bodies over their limits (413), chunked too."""
    stack = world.stack
    before = await snapshot(stack)
    big = _padded(17 * 1024)
    purchase_headers = {**world.a, "Idempotency-Key": "too-big",
                        "content-type": "application/json"}
    declared = await stack.device.post("/v1/purchases", content=big, headers=purchase_headers)
    chunked = await stack.device.post("/v1/purchases", content=_chunks(big),
                                      headers=purchase_headers)
    enrol = await stack.device.post("/v1/devices", content=big,
                                    headers={"content-type": "application/json"})
    admin = await stack.device.post(f"/admin/v1/purchases/{world.purchase}/refunds",
                                    content=big, headers=ADMIN)
    for response in (declared, chunked, enrol, admin):
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "BODY_TOO_LARGE"
    notify = await stack.device.post("/antom/notify/payment", content=b"x" * (65 * 1024),
                                     headers={"content-type": "application/json"})
    assert notify.status_code == 413
    assert notify.json()["result"]["resultStatus"] == "F"
    assert "chunked" not in declared.request.headers.get("transfer-encoding", "")
    assert chunked.request.headers.get("transfer-encoding") == "chunked"
    assert await snapshot(stack) == before


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_huge_chunked_body_to_the_real_server_is_never_held_in_memory(
    process_runner: ProcessRunner, tmp_path: Path
) -> None:
    """`merchant serve` answers 413 to a 64 MiB chunked upload without buffering it."""
    sandbox_port, port = free_port(), free_port()
    process_runner.start(
        [sys.executable, "-m", "tvclient.sandbox", "serve", "--port", str(sandbox_port),
         "--data", str(tmp_path / "sandbox")],
        ready_url=f"http://127.0.0.1:{sandbox_port}/healthz", name="sandbox",
    )
    merchant = process_runner.start(
        [sys.executable, "-m", "tvclient.merchant", "serve", "--sandbox-dir",
         str(tmp_path / "sandbox"), "--database", f"sqlite:///{tmp_path / 'm.db'}",
         "--port", str(port), "--allow-loopback-enrolment"],
        ready_url=f"http://127.0.0.1:{port}/readyz", name="merchant",
    )
    before = _rss_mib(merchant.pid)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /v1/devices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        with contextlib.suppress(OSError):  # the server may close once it has answered
            for _ in range(1024):  # 64 MiB
                sock.sendall(chunk)
            sock.sendall(b"0\r\n\r\n")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert _rss_mib(merchant.pid) - before < 16  # not held: 64 MiB never reached memory
    with httpx.Client(trust_env=False) as http:
        assert http.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
