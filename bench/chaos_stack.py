"""The chaos campaign's real processes: a private PostgreSQL, `sandbox serve`, `merchant serve`.

The merchant backend is the process the campaign kills (SIGKILL to its process group) and
starts again on the same port, so devices and the sandbox's notifications find it where they
left it. Every process is started through `tests.helpers.processes.start_process`, which ties
it to this process (`setpriv --pdeathsig`): a campaign that is itself killed leaves nothing
running. Processes are started from the event loop's thread for that reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.processes import RunningProcess, free_port, start_process, tvclient_command

# Throwaway tokens of processes that live on loopback for one run.
OPERATOR_TOKEN = "chaos-operator-token-0123456789"  # noqa: S105
ADMIN_TOKEN = "chaos-admin-token-0123456789"  # noqa: S105
CRASH_HOOK = "TVCLIENT_MERCHANT_TEST_CRASH_AFTER_PAY"
LOOPBACK = "127.0.0.1"


def stop_cleanly_on_sigterm() -> None:
    """Make SIGTERM (a CI timeout, `kill`) a SystemExit, so the servers are stopped.

    The campaign's `finally` then stops the servers and PostgreSQL instead of leaving them
    running.
    """

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


@dataclass
class MerchantRun:
    """One life of one merchant process, from start to its end."""

    backend: int
    started: float
    crash_hook: bool
    ended: float | None = None
    how: str = ""


@dataclass
class Services:
    """The processes of one campaign and how to reach them.

    Args:
        root: Working directory (data dirs and process logs go below it).
        database: The merchant's PostgreSQL URL.
        timescale: Sandbox seconds per real second.
        backends: How many merchant processes share the database.
        merchant_flags: Extra `merchant serve` flags.
        log_level: The merchant's log level.
    """

    root: Path
    database: str
    timescale: float
    backends: int = 1
    merchant_flags: list[str] = field(default_factory=list)
    log_level: str = "INFO"
    sandbox_port: int = field(default_factory=free_port)
    merchant_ports: list[int] = field(default_factory=list)
    runs: list[MerchantRun] = field(default_factory=list)
    _sandbox: RunningProcess | None = None
    _merchants: dict[int, RunningProcess] = field(default_factory=dict)

    def __post_init__(self) -> None:
        while len(self.merchant_ports) < self.backends:
            port = free_port()
            if port not in self.merchant_ports and port != self.sandbox_port:
                self.merchant_ports.append(port)

    @property
    def sandbox_dir(self) -> Path:
        """The sandbox's data dir."""
        return self.root / "sandbox"

    @property
    def sandbox_url(self) -> str:
        """The sandbox's base URL."""
        return f"http://{LOOPBACK}:{self.sandbox_port}"

    def merchant_url(self, index: int = 0) -> str:
        """A merchant backend's base URL (the same across its restarts)."""
        return f"http://{LOOPBACK}:{self.merchant_ports[index]}"

    @property
    def log_dir(self) -> Path:
        """Where the processes' stdout and stderr go."""
        return self.root / "logs"

    # ------------------------------------------------------------------ sandbox
    def start_sandbox(self) -> None:
        """Start `tvclient sandbox serve` with the compressed time scale; wait until it answers."""
        self._sandbox = start_process(
            tvclient_command(
                "sandbox", "serve",
                "--host", LOOPBACK,
                "--port", str(self.sandbox_port),
                "--data", str(self.sandbox_dir),
                "--operator-token", OPERATOR_TOKEN,
                "--timescale", f"{self.timescale:g}",
                "--log-level", "info",
            ),
            log_path=self.log_dir / "sandbox.log",
            ready_url=f"{self.sandbox_url}/healthz",
            deadline=60,
        )

    # ------------------------------------------------------------------ merchant
    def merchant_command(self, index: int = 0) -> list[str]:
        """The `merchant serve` command line of one backend."""
        return tvclient_command(
            "merchant", "serve",
            "--sandbox-dir", str(self.sandbox_dir),
            "--database", self.database,
            "--host", LOOPBACK,
            "--port", str(self.merchant_ports[index]),
            "--allow-loopback-enrolment",
            "--admin-token", ADMIN_TOKEN,
            "--log-level", self.log_level,
            *self.merchant_flags,
        )

    def merchant_alive(self, index: int = 0) -> bool:
        """That merchant process is running (it may still be starting)."""
        process = self._merchants.get(index)
        return process is not None and process.popen.poll() is None

    async def start_merchant(
        self, index: int = 0, *, crash_hook: bool = False, deadline: float = 60.0
    ) -> None:
        """Start one merchant backend and wait (without blocking the loop) until it is ready.

        With `crash_hook`, the test-only hook makes it SIGKILL itself right after the next
        payment Antom confirms, before it records it: the worst moment to die.
        """
        env = {key: value for key, value in os.environ.items() if key != CRASH_HOOK}
        if crash_hook:
            env[CRASH_HOOK] = "1"
        # start_process adds its `env` to os.environ; the hook must never leak in from there.
        os.environ.pop(CRASH_HOOK, None)
        process = start_process(
            self.merchant_command(index),
            log_path=self.log_dir / f"merchant-{index}.log",
            env=env,
        )
        self._merchants[index] = process
        self.runs.append(MerchantRun(index, started=time.monotonic(), crash_hook=crash_hook))
        await self._wait_ready(process, f"{self.merchant_url(index)}/readyz", deadline)

    async def _wait_ready(self, process: RunningProcess, url: str, deadline: float) -> None:
        end = time.monotonic() + deadline
        async with httpx.AsyncClient(trust_env=False, timeout=2.0) as http:
            while True:
                if process.popen.poll() is not None:
                    # Died while starting (possible with the crash hook and a payment resumed
                    # at start-up): the supervisor notices and starts it again.
                    return
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(url)).status_code == 200:
                        return
                if time.monotonic() > end:
                    raise RuntimeError(f"{url} not ready within {deadline:.0f} s")
                await asyncio.sleep(0.05)

    def kill_merchant(self, index: int = 0) -> None:
        """SIGKILL one merchant's process group: no shutdown, no flush, nothing."""
        process = self._merchants.pop(index, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.popen.wait(10)
        process.stop(grace=0.1)
        self._end_run(index, "SIGKILL")

    def reap_merchant(self, index: int = 0) -> bool:
        """Notice a merchant that died by itself (the crash hook); True when it did."""
        process = self._merchants.get(index)
        if process is None or process.popen.poll() is None:
            return False
        code = process.popen.returncode
        process.stop(grace=0.1)
        self._end_run(index, "crash hook (SIGKILL)" if code == -signal.SIGKILL else f"exit {code}")
        del self._merchants[index]
        return True

    def merchant_pid(self, index: int = 0) -> int | None:
        """The process id of a running merchant backend."""
        process = self._merchants.get(index)
        return process.pid if process is not None else None

    def hooked(self, index: int = 0) -> bool:
        """That backend runs with the crash hook armed."""
        return any(
            run.backend == index and run.crash_hook and run.ended is None for run in self.runs
        )

    def _end_run(self, index: int, how: str) -> None:
        for run in self.runs:
            if run.backend == index and run.ended is None:
                run.ended = time.monotonic()
                run.how = how

    # ------------------------------------------------------------------ the rest
    def merchant_logs(self) -> dict[str, str]:
        """Everything every merchant run wrote, per log file."""
        return {
            path.name: path.read_text(errors="replace")
            for path in sorted(self.log_dir.glob("merchant-*.log"))
        }

    def sandbox_log(self) -> str:
        """Everything the sandbox wrote."""
        path = self.log_dir / "sandbox.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the merchants (SIGTERM: they finish what they can) and the sandbox."""
        for index, process in list(self._merchants.items()):
            process.stop(grace=10.0)
            self._end_run(index, "stopped")
        self._merchants.clear()
        if self._sandbox is not None:
            self._sandbox.stop(grace=10.0)
            self._sandbox = None


_LIST_LIMIT = 10_000  # the most one operator listing returns (it has no paging)
_DRY_COLUMNS = {"payments": "access_token", "bindings": "refresh_token"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Operator:
    """The sandbox's operator API, asynchronously (`/operator/v1`).

    Args:
        base_url: The sandbox's base URL.
        data_dir: Its data dir. The operator API lists at most 10,000 rows and cannot page;
            a ledger larger than that is read from the sandbox's database file instead
            (read-only, in the operator API's shape: camelCase names, secrets left out).
    """

    def __init__(self, base_url: str, data_dir: Path | None = None) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url + "/operator/v1",
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
            timeout=30.0,
            trust_env=False,
        )
        self._data_dir = data_dir
        self.read_from_file: set[str] = set()

    async def _ledger(self, table: str) -> list[dict[str, Any]]:
        """Every row of a ledger table: the operator API, or the file when it is too long."""
        counts = (await self.status())["counts"]
        if counts.get(table, 0) < _LIST_LIMIT or self._data_dir is None:
            return list((await self.call("GET", f"/{table}?limit={_LIST_LIMIT}"))[table])
        self.read_from_file.add(table)
        return await asyncio.to_thread(self._from_file, table)

    def _from_file(self, table: str) -> list[dict[str, Any]]:
        assert self._data_dir is not None
        uri = f"file:{self._data_dir / 'sandbox.sqlite3'}?mode=ro"
        conn = sqlite3.connect(uri, uri=True)
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608 - fixed names
        finally:
            conn.close()
        dry = _DRY_COLUMNS.get(table)
        return [{_camel(k): row[k] for k in row.keys() if k != dry} for row in rows]  # noqa: SIM118

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        """One operator call; its JSON (RuntimeError on a refusal)."""
        response = await self._http.request(method, path, json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"operator {method} {path}: {response.status_code} {response.text}")
        return response.json()

    async def approve(self, code_value: str, buyer: str, *, decline: bool = False) -> bool:
        """Answer a QR as `buyer`; False when the sandbox refuses (used, lapsed...)."""
        body = {"codeValue": code_value, "buyerId": buyer}
        if decline:
            body["decision"] = "decline"
        response = await self._http.post("/approve", json=body)
        return response.status_code == 200

    async def arm(self, fault: dict[str, Any]) -> None:
        """Arm one fault."""
        await self.call("POST", "/faults", fault)

    async def clear_faults(self) -> int:
        """Disarm every fault; how many were still armed."""
        return int((await self.call("DELETE", "/faults"))["removed"])

    async def refunds(self) -> list[dict[str, Any]]:
        """Every refund the sandbox holds."""
        return await self._ledger("refunds")

    async def payments(self) -> list[dict[str, Any]]:
        """Every payment the sandbox holds."""
        return await self._ledger("payments")

    async def bindings(self) -> list[dict[str, Any]]:
        """Every buyer-merchant binding."""
        return await self._ledger("bindings")

    async def buyers(self) -> dict[str, dict[str, Any]]:
        """Buyers by id, with balances."""
        return {b["buyerId"]: b for b in (await self.call("GET", "/buyers"))["buyers"]}

    async def set_balance(self, buyer: str, minor: int) -> None:
        """Set a buyer's balance (minor units)."""
        await self.call("PUT", f"/buyers/{buyer}/balance", {"value": str(minor)})

    async def unlink(self, binding_id: str) -> None:
        """Unlink as the buyer in the wallet (TOKEN_CANCELED to the merchant)."""
        await self.call("POST", f"/bindings/{binding_id}/unlink")

    async def status(self) -> dict[str, Any]:
        """Sandbox time, scale and counts."""
        return dict(await self.call("GET", "/status"))

    async def notifications(self) -> list[dict[str, Any]]:
        """Notifications and their delivery state."""
        return list((await self.call("GET", "/notifications?limit=10000"))["notifications"])

    async def write_reports(self, day: str) -> list[str]:
        """Write one transaction day's report files; their paths."""
        return list((await self.call("POST", "/reports", {"date": day}))["files"])
