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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.processes import RunningProcess, free_port, start_process, tvclient_command

OPERATOR_TOKEN = "chaos-operator-token-0123456789"
ADMIN_TOKEN = "chaos-admin-token-0123456789"
CRASH_HOOK = "TVCLIENT_MERCHANT_TEST_CRASH_AFTER_PAY"
LOOPBACK = "127.0.0.1"


@dataclass
class MerchantRun:
    """One life of the merchant process, from start to its end."""

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
        merchant_flags: Extra `merchant serve` flags.
        log_level: The merchant's log level.
    """

    root: Path
    database: str
    timescale: float
    merchant_flags: list[str] = field(default_factory=list)
    log_level: str = "INFO"
    sandbox_port: int = field(default_factory=free_port)
    merchant_port: int = field(default_factory=free_port)
    runs: list[MerchantRun] = field(default_factory=list)
    _sandbox: RunningProcess | None = None
    _merchant: RunningProcess | None = None

    @property
    def sandbox_dir(self) -> Path:
        """The sandbox's data dir."""
        return self.root / "sandbox"

    @property
    def sandbox_url(self) -> str:
        """The sandbox's base URL."""
        return f"http://{LOOPBACK}:{self.sandbox_port}"

    @property
    def merchant_url(self) -> str:
        """The merchant backend's base URL (the same across restarts)."""
        return f"http://{LOOPBACK}:{self.merchant_port}"

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
    def merchant_command(self) -> list[str]:
        """The `merchant serve` command line."""
        return tvclient_command(
            "merchant", "serve",
            "--sandbox-dir", str(self.sandbox_dir),
            "--database", self.database,
            "--host", LOOPBACK,
            "--port", str(self.merchant_port),
            "--allow-loopback-enrolment",
            "--admin-token", ADMIN_TOKEN,
            "--log-level", self.log_level,
            *self.merchant_flags,
        )

    @property
    def merchant_alive(self) -> bool:
        """The merchant process is running (it may still be starting)."""
        return self._merchant is not None and self._merchant.popen.poll() is None

    @property
    def merchant_pid(self) -> int | None:
        """The current merchant process id."""
        return self._merchant.pid if self._merchant is not None else None

    async def start_merchant(self, *, crash_hook: bool = False, deadline: float = 60.0) -> None:
        """Start the merchant backend and wait (without blocking the loop) until it is ready.

        With `crash_hook`, the test-only hook makes it SIGKILL itself right after the next
        payment Antom confirms, before it records it: the worst moment to die.
        """
        env = {key: value for key, value in os.environ.items() if key != CRASH_HOOK}
        if crash_hook:
            env[CRASH_HOOK] = "1"
        # start_process adds its `env` to os.environ; the hook must never leak in from there.
        os.environ.pop(CRASH_HOOK, None)
        self._merchant = start_process(
            self.merchant_command(), log_path=self.log_dir / "merchant.log", env=env
        )
        self.runs.append(MerchantRun(started=time.monotonic(), crash_hook=crash_hook))
        await self._wait_ready(self._merchant, f"{self.merchant_url}/readyz", deadline)

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

    def kill_merchant(self) -> None:
        """SIGKILL the merchant's process group: no shutdown, no flush, nothing."""
        process = self._merchant
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.popen.wait(10)
        process.stop(grace=0.1)
        self._end_run("SIGKILL")

    def reap_merchant(self) -> bool:
        """Notice a merchant that died by itself (the crash hook); True when it did."""
        process = self._merchant
        if process is None or process.popen.poll() is None:
            return False
        code = process.popen.returncode
        process.stop(grace=0.1)
        self._end_run("crash hook (SIGKILL)" if code == -signal.SIGKILL else f"exit {code}")
        self._merchant = None
        return True

    def _end_run(self, how: str) -> None:
        if self.runs and self.runs[-1].ended is None:
            self.runs[-1].ended = time.monotonic()
            self.runs[-1].how = how

    # ------------------------------------------------------------------ the rest
    def merchant_log(self) -> str:
        """Everything every merchant run wrote."""
        path = self.log_dir / "merchant.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def sandbox_log(self) -> str:
        """Everything the sandbox wrote."""
        path = self.log_dir / "sandbox.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the merchant (SIGTERM: it finishes what it can) and the sandbox."""
        for process in (self._merchant, self._sandbox):
            if process is not None:
                process.stop(grace=10.0)
        self._end_run("stopped")
        self._merchant = None
        self._sandbox = None


class Operator:
    """The sandbox's operator API, asynchronously (`/operator/v1`)."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url + "/operator/v1",
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
            timeout=30.0,
            trust_env=False,
        )

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

    async def payments(self) -> list[dict[str, Any]]:
        """Every payment the sandbox holds."""
        return list((await self.call("GET", "/payments?limit=10000"))["payments"])

    async def bindings(self) -> list[dict[str, Any]]:
        """Every buyer-merchant binding."""
        return list((await self.call("GET", "/bindings?limit=10000"))["bindings"])

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
