"""What goes wrong during the chaos campaign, and when: sandbox faults and backend kills.

`FaultMenu` draws faults for the sandbox's operator API (`POST /operator/v1/faults`) from a
weighted menu covering every kind the sandbox knows: `U` answers (payments that stay
PROCESSING and settle later either way), timeouts with and without the call taking effect,
5xx answers with and without effect, latency, and dropped, duplicated, delayed and
out-of-order notifications. Durations are sandbox seconds, so they are drawn in real seconds
and multiplied by the time scale.

`Killer` SIGKILLs the merchant backend at random moments and starts it again after a random
outage; some restarts arm the backend's test-only crash hook, which kills it right after
Antom confirms a payment and before the backend records it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chaos_stack import Operator, Services

__all__ = ["FaultMenu", "Killer", "inject_faults"]

MAX_SANDBOX_SECONDS = 600.0  # the sandbox's own limit on a fault's duration


@dataclass(frozen=True)
class FaultMenu:
    """The weighted menu of faults.

    Args:
        timescale: Sandbox seconds per real second.
        antom_timeout: The backend's timeout for one Antom call (real seconds).
    """

    timescale: float
    antom_timeout: float

    def _seconds(self, real: float) -> float:
        return round(min(MAX_SANDBOX_SECONDS, real * self.timescale), 3)

    def draw(self, rng: random.Random) -> dict[str, Any]:
        """One fault, as the operator API takes it."""
        pick = rng.random()
        count = rng.choice((1, 1, 1, 2, 3))
        hold = self._seconds(self.antom_timeout + rng.uniform(0.5, 3.0))
        if pick < 0.22:  # the payment's outcome is unknown for a while, then known
            return {
                "target": "pay", "kind": "unknown", "count": count,
                "seconds": self._seconds(rng.uniform(0.2, 8.0)),
                "outcome": rng.choice(("success", "success", "fail")),
            }
        if pick < 0.34:  # pay times out; did it happen or not?
            return {"target": "pay", "kind": "timeout", "count": count, "seconds": hold,
                    "processed": rng.random() < 0.6}
        if pick < 0.44:  # pay answers 5xx; did it happen or not?
            return {"target": "pay", "kind": "http_error", "count": count,
                    "status": rng.choice((500, 502, 503, 504)),
                    "processed": rng.random() < 0.5}
        if pick < 0.48:
            return {"target": "pay", "kind": "latency", "count": count,
                    "seconds": self._seconds(rng.uniform(0.1, 2.0))}
        if pick < 0.58:  # asking about the payment fails too
            kind = rng.choice(("unknown", "http_error", "timeout", "latency"))
            fault: dict[str, Any] = {"target": "inquiryPayment", "kind": kind, "count": count}
            if kind == "timeout":
                fault["seconds"] = hold
            elif kind == "latency":
                fault["seconds"] = self._seconds(rng.uniform(0.1, 1.5))
            return fault
        if pick < 0.62:
            return {"target": "cancel", "kind": rng.choice(("unknown", "http_error")),
                    "count": count}
        if pick < 0.76:  # payment notifications: lost, twice, late, out of order
            return self._notification("notifyPayment", count, rng)
        if pick < 0.86:
            return self._notification("notifyAuthorization", count, rng)
        if pick < 0.91:
            return {"target": "applyToken", "kind": rng.choice(("unknown", "http_error")),
                    "count": 1}
        if pick < 0.96:
            return {"target": "consult", "kind": rng.choice(("unknown", "http_error")),
                    "count": 1}
        return {"target": "revoke", "kind": rng.choice(("unknown", "http_error")), "count": 1}

    def _notification(self, target: str, count: int, rng: random.Random) -> dict[str, Any]:
        kind = rng.choice(("drop", "duplicate", "delay", "out_of_order"))
        fault: dict[str, Any] = {"target": target, "kind": kind, "count": count}
        if kind == "delay":
            fault["seconds"] = self._seconds(rng.uniform(0.5, 6.0))
        elif kind == "out_of_order":
            fault["seconds"] = self._seconds(rng.uniform(1.0, 8.0))
        return fault


async def inject_faults(
    operator: Operator,
    menu: FaultMenu,
    rng: random.Random,
    stop: asyncio.Event,
    *,
    every: tuple[float, float],
    armed: Counter[str],
) -> None:
    """Arm a fault every `every` seconds (uniform) until `stop`; count them in `armed`."""
    while not stop.is_set():
        fault = menu.draw(rng)
        try:
            await operator.arm(fault)
        except (OSError, RuntimeError) as exc:  # the sandbox is never killed; report, go on
            armed["refused: " + str(exc)[:60]] += 1
        else:
            armed[f"{fault['target']} {fault['kind']}"] += 1
        try:
            await asyncio.wait_for(stop.wait(), rng.uniform(*every))
        except TimeoutError:
            pass


@dataclass
class Killer:
    """SIGKILLs the merchant backend at random moments and starts it again.

    Args:
        services: The processes.
        rng: The campaign's seeded random source for kills.
        every: Seconds between kills (uniform).
        outage: Seconds the backend stays down (uniform).
        crash_hook: Chance that a restart arms the crash-after-pay hook.
    """

    services: Services
    rng: random.Random
    every: tuple[float, float]
    outage: tuple[float, float]
    crash_hook: float
    kills: int = 0
    hook_crashes: int = 0
    restarts: int = 0
    events: list[str] = field(default_factory=list)

    async def run(self, stop: asyncio.Event, started: float) -> None:
        """Kill and restart until `stop`; then make sure the backend is up, without the hook."""
        next_kill = time.monotonic() + self.rng.uniform(*self.every)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 0.1)
            except TimeoutError:
                pass
            if self.services.reap_merchant():
                self.hook_crashes += 1
                self._log(started, "backend died by the crash hook after a payment succeeded")
                await self._restart(started)
                continue
            if stop.is_set() or time.monotonic() < next_kill:
                continue
            self.services.kill_merchant()
            self.kills += 1
            outage = self.rng.uniform(*self.outage)
            self._log(started, f"SIGKILL backend (pid gone), down for {outage:.1f} s")
            await asyncio.sleep(outage)
            await self._restart(started)
            next_kill = time.monotonic() + self.rng.uniform(*self.every)
        if self.services.reap_merchant():
            self.hook_crashes += 1
        if not self.services.merchant_alive or self._hooked():
            if self.services.merchant_alive:
                self.services.kill_merchant()
            await self.services.start_merchant(crash_hook=False)
            self.restarts += 1
            self._log(started, "final restart without the crash hook")

    def _hooked(self) -> bool:
        runs = self.services.runs
        return bool(runs) and runs[-1].crash_hook and runs[-1].ended is None

    async def _restart(self, started: float) -> None:
        hook = self.rng.random() < self.crash_hook
        await self.services.start_merchant(crash_hook=hook)
        self.restarts += 1
        self._log(started, "backend restarted" + (" with the crash-after-pay hook" if hook else ""))

    def _log(self, started: float, text: str) -> None:
        line = f"[{time.monotonic() - started:7.1f} s] {text}"
        self.events.append(line)
        print(line, flush=True)
