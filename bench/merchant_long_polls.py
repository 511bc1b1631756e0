"""How many waiting devices one backend process holds: 10,000 concurrent long-polls, with RSS.

Creates N bind sessions (spread over devices), then opens N connections each holding
`GET /v1/bind-sessions/{id}?wait=25` at once. Reports how many were held together (the
backend's own gauge), the backend's RSS idle and at peak (memory per waiting device), the
latency of a plain request while they wait versus idle (the baseline of the same run), and
whether every long-poll got its answer.

Usage: python bench/merchant_long_polls.py [--waiters 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections import Counter

import httpx
from merchant_common import raise_fd_limit, rss_mib, running_stack, summary

SESSIONS_PER_DEVICE = 20


async def hold(host: str, port: int, path: str, credential: str) -> int:
    """One raw HTTP/1.1 long-poll; the status code."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {credential}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()
        match = re.match(rb"HTTP/1\.1 (\d{3})", status_line)
        return int(match.group(1)) if match else 0
    finally:
        writer.close()


async def probe(http: httpx.AsyncClient, headers: dict[str, str], count: int = 50) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await http.get("/v1/catalog", headers=headers)
        times.append(time.perf_counter() - started)
    return times


async def waiting_gauge(http: httpx.AsyncClient) -> int:
    text = (await http.get("/metrics")).text
    match = re.search(r"^tvclient_merchant_long_polls_waiting (\d+)", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


async def main(waiters: int) -> None:
    limit = raise_fd_limit(waiters * 3 + 1000)
    with running_stack(
        extra=["--polls-per-minute", "1000000", "--bind-sessions-per-minute", "1000000"]
    ) as stack:
        url = httpx.URL(stack.merchant_url)
        async with httpx.AsyncClient(
            base_url=stack.merchant_url,
            timeout=120,
            trust_env=False,
            limits=httpx.Limits(max_connections=64),
        ) as http:
            devices = max(1, waiters // SESSIONS_PER_DEVICE)
            credentials = [
                (await http.post("/v1/devices", json={})).json()["credential"]
                for _ in range(devices)
            ]
            work: list[tuple[str, str]] = []
            gate = asyncio.Semaphore(48)

            async def make(credential: str) -> None:
                async with gate:
                    response = await http.post(
                        "/v1/bind-sessions",
                        json={"wallet": "DANA"},
                        headers={"Authorization": f"Bearer {credential}"},
                    )
                    work.append((response.json()["id"], credential))

            started = time.monotonic()
            await asyncio.gather(*(make(credentials[i % devices]) for i in range(waiters)))
            print(
                f"created {len(work)} bind sessions for {devices} devices "
                f"in {time.monotonic() - started:.0f} s (fd limit {limit})"
            )
            headers = {"Authorization": f"Bearer {credentials[0]}"}
            idle_latency = await probe(http, headers)
            idle_rss = rss_mib(stack.merchant.pid)

            tasks = []
            for index, (session, credential) in enumerate(work):
                tasks.append(
                    asyncio.create_task(
                        hold(
                            url.host,
                            url.port or 80,
                            f"/v1/bind-sessions/{session}?wait=25",
                            credential,
                        )
                    )
                )
                if index % 1000 == 999:
                    await asyncio.sleep(0)
            peak_waiting, peak_rss = 0, idle_rss
            loaded_latency: list[float] = []
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline and not all(t.done() for t in tasks):
                peak_waiting = max(peak_waiting, await waiting_gauge(http))
                peak_rss = max(peak_rss, rss_mib(stack.merchant.pid))
                if peak_waiting >= len(work) * 0.98 and not loaded_latency:
                    loaded_latency = await probe(http, headers, 20)
                await asyncio.sleep(0.2)
            statuses = await asyncio.gather(*tasks, return_exceptions=True)

    answered = sum(1 for status in statuses if status == 200)
    others = Counter(str(status) for status in statuses if status != 200)
    print(f"long-polls held at once (backend gauge): {peak_waiting} of {len(work)}")
    print(
        f"answered 200 after their wait: {answered} of {len(work)}; "
        f"other answers: {dict(others) or 'none'}"
    )
    print(
        f"backend RSS idle {idle_rss:.0f} MiB, at peak {peak_rss:.0f} MiB "
        f"({(peak_rss - idle_rss) * 1024 / max(peak_waiting, 1):.1f} KiB per waiting device; "
        f"ratio {peak_rss / idle_rss:.2f}x)"
    )
    print(f"plain request idle:           {summary(idle_latency)}")
    if loaded_latency:
        print(f"plain request with {peak_waiting} held: {summary(loaded_latency)}")
        ratio = (
            sorted(loaded_latency)[len(loaded_latency) // 2]
            / sorted(idle_latency)[len(idle_latency) // 2]
        )
        print(f"p50 ratio loaded / idle: {ratio:.1f}x")
    print(f"goal 10,000 long-polls: {'met' if peak_waiting >= 10_000 else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiters", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().waiters))
