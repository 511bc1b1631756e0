"""Soak: as many waiting TVs as one backend process holds, held for minutes, watched for growth.

Starts `tvclient sandbox serve` and one `tvclient merchant serve` (SQLite, the embedded default,
or `--postgres` for a private PostgreSQL) on loopback. Enrols devices, opens one bind session
per waiting TV and keeps every TV long-polling its session (`GET /v1/bind-sessions/{id}?wait=`)
on its own keep-alive connection, as a TV showing a QR does; a session that lapses is
replaced by a new one (a fresh QR). Every `--sample` seconds it records the backend's memory
(RSS), open file descriptors, the long-polls it holds (its own gauge), the latency of a plain
request (`GET /v1/catalog`, 20 in a row) and how late long-polls came back past their wait.

At the end it fits a least-squares line through each series after the warm-up and reports
the slope and what it adds up to over the run: the growth trend. "No growth trend" means the
line's rise over the measured window stays within the tolerance (a share of the series' mean,
with a small absolute floor for series that are small and noisy).

Usage (the full soak of docs/reliability.md):

    PYTHONPATH=. .venv/bin/python bench/soak_waiting.py --waiters 10000 --minutes 10

Exit code 0 when no series grows beyond the tolerance and every long-poll was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, "") and str(Path(__file__).resolve().parents[1]) not in sys.path:
    # Run as a script: the repository root holds `tests.helpers` (PostgreSQL, processes).
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from chaos_stack import Services, stop_cleanly_on_sigterm

from tests.helpers.pgcluster import PostgresCluster

SESSIONS_PER_DEVICE = 20
_STATUS = re.compile(rb"HTTP/1\.1 (\d{3})")


def raise_fd_limit(wanted: int) -> int:
    """Raise this process's open-file limit (children inherit it); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_mib(pid: int) -> float:
    """Resident set size of a process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds(pid: int) -> int:
    """Open file descriptors of a process."""
    return sum(1 for _ in Path(f"/proc/{pid}/fd").iterdir())


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank quantile (NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs (0 with fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 0.0 if var == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var


@dataclass
class Window:
    """What the waiting TVs saw since the last sample."""

    answered: int = 0
    late: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    renewed: int = 0


class Waiter:
    """One TV showing a QR: long-polls its bind session on one keep-alive connection."""

    def __init__(
        self, host: str, port: int, credential: str, session: str, *, wait: int, delay: float
    ) -> None:
        self._host, self._port = host, port
        self._credential = credential
        self.session = session
        self._wait = wait
        self._delay = delay
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self._host}\r\n"
            f"Authorization: Bearer {self._credential}\r\n"
        )
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self._writer.write(head.encode() + b"\r\n" + body)
        await self._writer.drain()
        status_line = await self._reader.readline()
        match = _STATUS.match(status_line)
        if match is None:
            raise ConnectionError("no HTTP answer")
        length, close = 0, False
        while True:
            line = await self._reader.readline()
            if line in (b"\r\n", b"", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
            elif name.strip().lower() == "connection" and value.strip().lower() == "close":
                close = True
        payload = await self._reader.readexactly(length)
        if close:
            self.close()
        return int(match.group(1)), payload

    def close(self) -> None:
        """Drop the connection (the next request opens a new one)."""
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def run(self, window: list[Window], stop: asyncio.Event) -> None:
        """Long-poll until `stop`; renew the session when it lapses."""
        # TVs are switched on at different moments: spread the first polls over one wait, so
        # the held requests do not all come back in the same second (a herd no field sees).
        await asyncio.sleep(self._delay)
        while not stop.is_set():
            started = time.monotonic()
            try:
                status, payload = await self._request(
                    "GET", f"/v1/bind-sessions/{self.session}?wait={self._wait}"
                )
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                window[0].errors[type(exc).__name__] += 1
                self.close()
                await asyncio.sleep(1.0)
                continue
            took = time.monotonic() - started
            if status != 200:
                window[0].errors[f"HTTP {status}"] += 1
                await asyncio.sleep(1.0)
                continue
            state = json.loads(payload).get("state")
            if state == "PENDING":
                window[0].answered += 1
                window[0].late.append(max(0.0, took - self._wait))
                continue
            # The QR lapsed: a TV asks for a fresh one.
            status, payload = await self._request(
                "POST", "/v1/bind-sessions", json.dumps({"wallet": "DANA"}).encode()
            )
            if status == 201:
                self.session = json.loads(payload)["id"]
                window[0].renewed += 1
            else:
                window[0].errors[f"renew HTTP {status}"] += 1
                await asyncio.sleep(1.0)


async def probe(http: httpx.AsyncClient, headers: dict[str, str], count: int = 20) -> list[float]:
    """Latencies of `count` plain requests in a row (seconds)."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await http.get("/v1/catalog", headers=headers)
        times.append(time.perf_counter() - started)
    return times


async def gauge(http: httpx.AsyncClient) -> int:
    """The backend's own count of waiting long-polls."""
    text = (await http.get("/metrics")).text
    match = re.search(r"^tvclient_merchant_long_polls_waiting (\d+)", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def trend(
    samples: list[dict[str, Any]], key: str, warmup: float, tolerance: float, floor: float
) -> dict[str, Any]:
    """Slope of one series after the warm-up, and whether its rise stays within tolerance."""
    kept = [s for s in samples if s["t"] >= warmup and s[key] == s[key]]  # drop NaN
    xs = [s["t"] / 60 for s in kept]
    ys = [float(s[key]) for s in kept]
    per_minute = slope(xs, ys)
    span = (xs[-1] - xs[0]) if len(xs) > 1 else 0.0
    mean = statistics.fmean(ys) if ys else 0.0
    rise = per_minute * span
    allowed = max(tolerance * mean, floor)
    return {
        "series": key,
        "samples": len(ys),
        "mean": mean,
        "first": ys[0] if ys else None,
        "last": ys[-1] if ys else None,
        "slope_per_minute": per_minute,
        "rise_over_window": rise,
        "allowed_rise": allowed,
        "growth": rise > allowed,
    }


async def soak(args: argparse.Namespace, services: Services) -> dict[str, Any]:
    """Create the waiting TVs, hold them, sample; the figures."""
    await services.start_merchant(0)
    pid = services.merchant_pid(0)
    assert pid is not None
    url = httpx.URL(services.merchant_url(0))
    host, port = url.host, url.port or 80
    async with httpx.AsyncClient(
        base_url=str(url), timeout=120, trust_env=False,
        limits=httpx.Limits(max_connections=64),
    ) as http:
        devices = max(1, args.waiters // SESSIONS_PER_DEVICE)
        credentials = [
            (await http.post("/v1/devices", json={"name": f"soak TV {i}"})).json()["credential"]
            for i in range(devices)
        ]
        gate = asyncio.Semaphore(48)
        spread = random.Random(args.seed)
        waiters: list[Waiter] = []

        async def make(index: int) -> None:
            credential = credentials[index % devices]
            async with gate:
                response = await http.post(
                    "/v1/bind-sessions", json={"wallet": "DANA"},
                    headers={"Authorization": f"Bearer {credential}"},
                )
            waiters.append(Waiter(host, port, credential, response.json()["id"],
                                  wait=args.long_poll, delay=spread.uniform(0, args.long_poll)))

        started = time.monotonic()
        await asyncio.gather(*(make(i) for i in range(args.waiters)))
        print(f"{len(waiters)} bind sessions for {devices} devices in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        headers = {"Authorization": f"Bearer {credentials[0]}"}
        idle = await probe(http, headers, 50)
        idle_rss = rss_mib(pid)

        window = [Window()]
        stop = asyncio.Event()
        tasks = []
        for index, waiter in enumerate(waiters):
            tasks.append(asyncio.ensure_future(waiter.run(window, stop)))
            if index % 500 == 499:
                await asyncio.sleep(0)  # let the connections open in waves
        samples: list[dict[str, Any]] = []
        soak_started = time.monotonic()
        end = soak_started + args.minutes * 60
        print(f"{'t (s)':>7} {'RSS MiB':>8} {'fds':>6} {'held':>6} {'answered':>8} "
              f"{'late p90/p99 ms':>16} {'probe p50/p99 ms':>17} {'renewed':>7} errors", flush=True)
        while time.monotonic() < end:
            await asyncio.sleep(min(args.sample, max(0.0, end - time.monotonic())))
            current, window[0] = window[0], Window()
            lat = await probe(http, headers)
            sample: dict[str, Any] = {
                "t": time.monotonic() - soak_started,
                "rss_mib": rss_mib(pid),
                "fds": open_fds(pid),
                "held": await gauge(http),
                "answered": current.answered,
                "late_p90_ms": percentile(current.late, 0.9) * 1000,
                "late_p99_ms": percentile(current.late, 0.99) * 1000,
                "probe_p50_ms": percentile(lat, 0.5) * 1000,
                "probe_p99_ms": percentile(lat, 0.99) * 1000,
                "renewed": current.renewed,
                "errors": dict(current.errors),
            }
            samples.append(sample)
            print(f"{sample['t']:7.0f} {sample['rss_mib']:8.1f} {sample['fds']:6d} "
                  f"{sample['held']:6d} {sample['answered']:8d} "
                  f"{sample['late_p90_ms']:7.1f}/{sample['late_p99_ms']:<8.1f} "
                  f"{sample['probe_p50_ms']:8.1f}/{sample['probe_p99_ms']:<8.1f} "
                  f"{sample['renewed']:7d} {sample['errors'] or ''}", flush=True)
        stop.set()
        for waiter in waiters:
            waiter.close()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    warmup = min(args.warmup, args.minutes * 60 / 3)
    trends = [
        trend(samples, "rss_mib", warmup, args.tolerance, 4.0),
        trend(samples, "fds", warmup, args.tolerance, 10.0),
        trend(samples, "probe_p50_ms", warmup, max(args.tolerance, 0.25), 2.0),
        # p90, not p50: the backend ends idle holds up to a fifth early on purpose (so TVs do
        # not fall into step), so most answers are early and the median lateness is zero.
        trend(samples, "late_p90_ms", warmup, max(args.tolerance, 0.25), 25.0),
    ]
    measured = [s for s in samples if s["t"] >= warmup]
    errors: Counter[str] = Counter()
    for sample in samples:
        errors.update(sample["errors"])
    return {
        "waiters": len(waiters),
        "devices": devices,
        "long_poll": args.long_poll,
        "minutes": args.minutes,
        "warmup_seconds": warmup,
        "idle_rss_mib": idle_rss,
        "idle_probe_p50_ms": percentile(idle, 0.5) * 1000,
        "idle_probe_p99_ms": percentile(idle, 0.99) * 1000,
        "held_min": min((s["held"] for s in measured), default=0),
        "held_max": max((s["held"] for s in samples), default=0),
        "answered": sum(s["answered"] for s in samples),
        "renewed": sum(s["renewed"] for s in samples),
        "errors": dict(errors),
        "samples": samples,
        "trends": trends,
        "growth": any(t["growth"] for t in trends),
    }


def report(figures: dict[str, Any]) -> bool:
    """Print the verdict; True when nothing grows and every long-poll was answered."""
    print()
    print(f"=== soak: {figures['waiters']} waiting TVs ({figures['devices']} devices), "
          f"long-poll {figures['long_poll']} s, {figures['minutes']:g} min ===")
    print(f"held by the backend: min {figures['held_min']} after warm-up, "
          f"max {figures['held_max']}")
    print(f"long-polls answered: {figures['answered']}; sessions renewed: {figures['renewed']}; "
          f"errors: {figures['errors'] or 'none'}")
    print(f"idle: RSS {figures['idle_rss_mib']:.1f} MiB, plain request p50 "
          f"{figures['idle_probe_p50_ms']:.1f} ms p99 {figures['idle_probe_p99_ms']:.1f} ms")
    print(f"trends after a {figures['warmup_seconds']:.0f} s warm-up (least squares):")
    for t in figures["trends"]:
        print(f"  {t['series']:>14}: mean {t['mean']:9.1f}, slope {t['slope_per_minute']:+8.3f}"
              f" per min, rise over the window {t['rise_over_window']:+8.2f} (allowed "
              f"{t['allowed_rise']:.2f}) -> {'GROWTH' if t['growth'] else 'no growth trend'}")
    held_ok = figures["held_min"] >= 0.95 * figures["waiters"]
    passed = not figures["growth"] and not figures["errors"] and held_ok
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return passed


def main(argv: list[str] | None = None) -> int:
    """Run the soak; the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiters", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sample", type=float, default=15.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=60.0,
                        help="seconds left out of the trends (at most a third of the run)")
    parser.add_argument("--long-poll", type=int, default=25, help="the backend's --long-poll")
    parser.add_argument("--tolerance", type=float, default=0.05,
                        help="allowed rise over the window, as a share of the mean")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--seed", type=int, default=1, help="seed of the staggered starts")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    stop_cleanly_on_sigterm()
    limit = raise_fd_limit(args.waiters * 3 + 2000)
    print(f"file descriptor limit {limit}", flush=True)
    root = Path(tempfile.mkdtemp(prefix="tvclient-soak-"))
    cluster: PostgresCluster | None = None
    services: Services | None = None
    try:
        if args.postgres:
            cluster = PostgresCluster.start()
            database = cluster.create_database("soak")
        else:
            database = f"sqlite:///{root / 'merchant.db'}"
        services = Services(
            root, database, 1.0, log_level="WARNING",
            merchant_flags=["--long-poll", str(args.long_poll),
                            "--polls-per-minute", "1000000",
                            "--bind-sessions-per-minute", "1000000"],
        )
        services.start_sandbox()
        figures = asyncio.run(soak(args, services))
    finally:
        if services is not None:
            services.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    passed = report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
