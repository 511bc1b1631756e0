"""Shared helpers of the merchant benchmarks: start sandbox + backend processes, measure."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

OPERATOR = "bench-operator-token"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raise_fd_limit(wanted: int = 60_000) -> int:
    """Raise this process's open-file limit (children inherit it); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Poll `url` until it answers 200."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1, trust_env=False).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def rss_mib(pid: int) -> float:
    """Resident set size of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Stack:
    """A sandbox process and a merchant backend process on loopback."""

    sandbox_url: str
    merchant_url: str
    sandbox_dir: Path
    database: str
    merchant: subprocess.Popen[bytes]


@contextlib.contextmanager
def running_stack(database: str | None = None, extra: Sequence[str] = ()) -> Iterator[Stack]:
    """Start `sandbox serve` and `merchant serve`; stop both afterwards."""
    with tempfile.TemporaryDirectory(prefix="tvclient-bench-") as tmp:
        root = Path(tmp)
        sandbox_port, merchant_port = free_port(), free_port()
        log = (root / "processes.log").open("wb")
        sandbox = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "tvclient.sandbox",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(sandbox_port),
                "--data",
                str(root / "sandbox"),
                "--operator-token",
                OPERATOR,
                "--log-level",
                "warning",
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        processes = [sandbox]
        try:
            wait_ready(f"http://127.0.0.1:{sandbox_port}/healthz", sandbox)
            db = database or f"sqlite:///{root / 'merchant.db'}"
            merchant = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "tvclient.merchant",
                    "serve",
                    "--sandbox-dir",
                    str(root / "sandbox"),
                    "--database",
                    db,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(merchant_port),
                    "--allow-loopback-enrolment",
                    "--log-level",
                    "WARNING",
                    *extra,
                ],
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            processes.append(merchant)
            wait_ready(f"http://127.0.0.1:{merchant_port}/readyz", merchant)
            yield Stack(
                f"http://127.0.0.1:{sandbox_port}",
                f"http://127.0.0.1:{merchant_port}",
                root / "sandbox",
                db,
                merchant,
            )
        finally:
            for process in reversed(processes):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            log.close()


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(values: Sequence[float]) -> str:
    """Percentiles p50 / p95 / p99 and the mean, in ms."""
    if not values:
        return "no samples"
    p50, p95, p99 = (percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99))
    mean = statistics.fmean(values) * 1000
    return f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  mean {mean:7.1f} ms"
