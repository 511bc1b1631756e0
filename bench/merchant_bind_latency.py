"""Bind latency: long-poll versus RFC 8628 5-second polling, measured in the same run.

Devices wait on their bind sessions in two groups (long-poll `?wait=25`, plain polls every 5 s)
against one `merchant serve` + `sandbox serve` on loopback. First every device waits idle (the
request rate per waiting device); then each QR is approved at a random moment and the time from
the approval (the sandbox sending AUTHCODE_CREATED) to the device's BOUND answer is recorded.

Goals: long-poll p95 under 300 ms; at most 2.5 requests per waiting device per minute.

Usage: python bench/merchant_bind_latency.py [--devices 40] [--idle 75]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass, field

import httpx
from merchant_common import percentile, running_stack, summary


@dataclass
class Waiter:
    """One device waiting on one bind session."""

    headers: dict[str, str]
    session: str
    qr: str
    long_poll: bool
    requests: list[float] = field(default_factory=list)
    approved_at: float | None = None
    bound_at: float | None = None


async def wait_loop(http: httpx.AsyncClient, w: Waiter, stop: float) -> None:
    while time.monotonic() < stop:
        w.requests.append(time.monotonic())
        params = {"wait": 25} if w.long_poll else None
        response = await http.get(
            f"/v1/bind-sessions/{w.session}", params=params, headers=w.headers
        )
        if response.status_code == 200 and response.json()["state"] == "BOUND":
            w.bound_at = time.monotonic()
            return
        if not w.long_poll:
            await asyncio.sleep(5.0)


async def main(devices: int, idle: float) -> None:
    with running_stack() as stack:
        limits = httpx.Limits(max_connections=devices * 4, max_keepalive_connections=devices * 4)
        async with (
            httpx.AsyncClient(
                base_url=stack.merchant_url, timeout=60, limits=limits, trust_env=False
            ) as http,
            httpx.AsyncClient(base_url=stack.sandbox_url, timeout=30, trust_env=False) as sandbox,
        ):
            waiters: list[Waiter] = []
            for index in range(2 * devices):
                credential = (await http.post("/v1/devices", json={})).json()["credential"]
                headers = {"Authorization": f"Bearer {credential}"}
                session = (
                    await http.post(
                        "/v1/bind-sessions", json={"wallet": "ALIPAY_HK"}, headers=headers
                    )
                ).json()
                waiters.append(Waiter(headers, session["id"], session["qr_text"], index % 2 == 0))
            start = time.monotonic()
            stop = start + idle + 60
            loops = [asyncio.create_task(wait_loop(http, w, stop)) for w in waiters]

            async def approve(w: Waiter) -> None:
                await asyncio.sleep(idle + random.uniform(0, 15))
                w.approved_at = time.monotonic()
                await sandbox.post("/wallet/api/approve", json={"codeValue": w.qr})

            await asyncio.gather(*(approve(w) for w in waiters))
            await asyncio.gather(*loops)

    print(f"bind latency, {devices} devices per mode, idle phase {idle:.0f} s")
    results = {}
    for mode, long_poll in (("long-poll ?wait=25", True), ("RFC 8628 polling, 5 s", False)):
        group = [w for w in waiters if w.long_poll is long_poll]
        latencies = [
            w.bound_at - w.approved_at
            for w in group
            if w.bound_at is not None and w.approved_at is not None
        ]
        idle_requests = sum(1 for w in group for t in w.requests if t < start + idle)
        per_minute = idle_requests / len(group) / (idle / 60)
        results[long_poll] = latencies
        print(
            f"  {mode:24s} bound {len(latencies)}/{len(group)}  {summary(latencies)}  "
            f"requests per waiting device per minute {per_minute:5.2f}"
        )

    lp, poll = percentile(results[True], 0.95), percentile(results[False], 0.95)
    print(f"  p95 ratio polling / long-poll: {poll / lp:6.1f}x")
    print(
        f"  goal p95 < 300 ms with long-poll: {'met' if lp < 0.3 else 'NOT met'} "
        f"({lp * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=40)
    parser.add_argument("--idle", type=float, default=75.0)
    args = parser.parse_args()
    asyncio.run(main(args.devices, args.idle))
