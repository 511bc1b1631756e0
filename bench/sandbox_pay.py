"""Signed pay round trips against a real sandbox process, beside an unsigned echo baseline.

Starts two uvicorn processes on loopback — the sandbox (`python -m tvclient.sandbox serve`)
and the echo baseline (bench/sandbox_echo.py, same Starlette + uvicorn stack) — and drives
each from this one process at 1, 10 and 100 concurrent requests:

- signed: build a pay body, sign it (merchant key), POST, verify the response signature
  (sandbox key) and decode it; every pay is a new paymentRequestId for a bound buyer.
- baseline: POST a body of the same size and decode the echo; no signing, no checks.

Prints round trips per second, p50 / p99 latency, and the ratio of signed to baseline
time per request. Goals: ratio under 2, and at least 500 signed pay round trips per second.

    .venv/bin/python bench/sandbox_pay.py [--seconds 5] [--concurrency 1,10,100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tvclient.antom.headers import epoch_millis  # noqa: E402
from tvclient.antom.keys import read_private_key, read_public_key  # noqa: E402
from tvclient.antom.paths import Api  # noqa: E402
from tvclient.antom.signing import request_headers, verify_response  # noqa: E402
from tvclient.clock import SystemClock  # noqa: E402
from tvclient.sandbox.core import Sandbox  # noqa: E402
from tvclient.sandbox.settings import SandboxSettings  # noqa: E402

PATH = Api.PAY.sandbox_path


@dataclass
class Figures:
    """What one run measured."""

    requests: int
    seconds: float
    latencies: list[float]
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(data: Path) -> str:
    """Make the data dir and bind hk-carol (HK$250,000) to the client; returns the token."""
    sandbox = Sandbox(SandboxSettings(data_dir=data), clock=SystemClock())
    try:
        auths, now = sandbox.auths, sandbox.now_ms()
        form = auths.consult(
            client_id=sandbox.identity.client_id, wallet="ALIPAY_HK", auth_state="bench",
            scopes=("AGREEMENT_PAY",), redirect_url="https://bench.example/r", notify_url=None,
            auth_client_id=None, now_ms=now,
        )
        code = form["authCodeForm"]["codeDetails"][0]["codeValue"].rsplit("/", 1)[1]
        auths.approve(code, "hk-carol", now)
        auth_code = sandbox.store.scalar("SELECT auth_code FROM auth_codes")
        tokens = auths.apply_token_with_code(
            client_id=sandbox.identity.client_id, wallet="ALIPAY_HK", auth_code=auth_code,
            now_ms=now,
        )
        return str(tokens["accessToken"])
    finally:
        sandbox.close()


def start(args: list[str], url: str) -> subprocess.Popen[bytes]:
    """Start a server process and wait until it answers."""
    process = subprocess.Popen(  # noqa: S603 - our own command line
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1, trust_env=False)
            return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{args} did not start")


async def drive(
    one: Callable[[httpx.AsyncClient, int], Awaitable[None]],
    url: str, concurrency: int, seconds: float, server_pid: int,
) -> Figures:
    """Run `one` from `concurrency` workers for `seconds` (after a short warm-up)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, trust_env=False,
                                 timeout=30) as http:
        counter = iter(range(10**9))
        for _ in range(min(50, 5 * concurrency)):
            await one(http, next(counter))
        latencies: list[float] = []
        stop_at = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < stop_at:
                began = time.perf_counter()
                await one(http, next(counter))
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        client0, server0 = time.process_time(), process_cpu(server_pid)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
        return Figures(len(latencies), elapsed, latencies,
                       (time.process_time() - client0) / len(latencies),
                       (process_cpu(server_pid) - server0) / len(latencies))


def pay_body(token: str, n: int) -> bytes:
    return json.dumps({
        "productCode": "AGREEMENT_PAYMENT",
        "paymentRequestId": f"bench-{os.getpid()}-{n}",
        "order": {"referenceOrderId": f"o-{n}", "orderDescription": "Benchmark purchase",
                  "orderAmount": {"currency": "HKD", "value": "1"}},
        "paymentAmount": {"currency": "HKD", "value": "1"},
        "paymentMethod": {"paymentMethodType": "ALIPAY_HK", "paymentMethodId": token},
    }, separators=(",", ":")).encode()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", default="1,10,100")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs per level, signed and echo alternating; the best of each "
                        "is kept (other work on a shared machine only ever slows a run down)")
    options = parser.parse_args()
    levels = [int(x) for x in options.concurrency.split(",")]

    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp:
        data = Path(tmp) / "data"
        token = prepare(data)
        client = json.loads((data / "client.json").read_text())
        merchant_key = read_private_key(data / "merchant-private-key.pem")
        antom_key = read_public_key(data / "antom-public-key.pem")
        client_id = client["clientId"]
        clock = SystemClock()
        sandbox_port, echo_port = free_port(), free_port()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        echo_url = f"http://127.0.0.1:{echo_port}"
        servers = [
            start([sys.executable, "-m", "tvclient.sandbox", "serve", "--data", str(data),
                   "--port", str(sandbox_port), "--log-level", "warning"],
                  f"{sandbox_url}/healthz"),
            start([sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"),
                   "sandbox_echo:app", "--port", str(echo_port), "--log-level", "warning",
                   "--no-access-log"], echo_url),
        ]
        failures: list[str] = []

        async def signed(http: httpx.AsyncClient, n: int) -> None:
            body = pay_body(token, n)
            headers = request_headers(merchant_key, method="POST", path=PATH,
                                      client_id=client_id, time=epoch_millis(clock.now()),
                                      body=body)
            response = await http.post(PATH, content=body, headers=headers)
            verify_response(antom_key, "POST", PATH, response.headers, response.content)
            result = json.loads(response.content)["result"]
            if result["resultStatus"] != "S":
                failures.append(result["resultCode"])

        async def baseline(http: httpx.AsyncClient, n: int) -> None:
            response = await http.post(PATH, content=pay_body(token, n),
                                       headers={"Content-Type": "application/json"})
            json.loads(response.content)

        try:
            print(f"sandbox pay benchmark: {os.cpu_count()} CPUs, {options.seconds:g} s per run, "
                  f"best of {options.rounds}, client and servers on one machine, "
                  f"load average {os.getloadavg()[0]:.2f} at start")
            print(f"{'concurrency':>11}  {'signed rt/s':>11} {'p50 ms':>7} {'p99 ms':>7}   "
                  f"{'echo rt/s':>9} {'p50 ms':>7} {'p99 ms':>7}   {'ratio':>5}   "
                  "CPU ms/request client+server signed | echo")
            worst_ratio, best_rate = 0.0, 0.0
            for level in levels:
                bases, pays = [], []
                for _ in range(options.rounds):
                    bases.append(await drive(baseline, echo_url, level, options.seconds,
                                             servers[1].pid))
                    pays.append(await drive(signed, sandbox_url, level, options.seconds,
                                            servers[0].pid))
                base = max(bases, key=lambda f: f.rate)
                pay = max(pays, key=lambda f: f.rate)
                ratio = base.rate / pay.rate
                worst_ratio, best_rate = max(worst_ratio, ratio), max(best_rate, pay.rate)
                print(f"{level:>11}  {pay.rate:>11.0f} {pay.percentile(0.5):>7.2f} "
                      f"{pay.percentile(0.99):>7.2f}   {base.rate:>9.0f} "
                      f"{base.percentile(0.5):>7.2f} {base.percentile(0.99):>7.2f}   "
                      f"{ratio:>5.2f}   {pay.client_cpu * 1000:.2f}+{pay.server_cpu * 1000:.2f}"
                      f" | {base.client_cpu * 1000:.2f}+{base.server_cpu * 1000:.2f}")
            print(f"goal: ratio < 2 at every level: {'met' if worst_ratio < 2 else 'NOT met'} "
                  f"(worst {worst_ratio:.2f})")
            print(f"goal: >= 500 signed pay round trips/s: "
                  f"{'met' if best_rate >= 500 else 'NOT met'} (best {best_rate:.0f})")
            if failures:
                print(f"non-S answers: {len(failures)} ({sorted(set(failures))})")
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)
    return 0


if __name__ == "__main__":
    try:
        import uvloop  # the servers run on uvloop (uvicorn picks it); so does this client
    except ImportError:
        raise SystemExit(asyncio.run(main())) from None
    raise SystemExit(uvloop.run(main()))
