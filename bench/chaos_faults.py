"""What goes wrong during the chaos campaign, and when: sandbox faults and backend kills.

`FaultMenu` draws faults for the sandbox's operator API (`POST /operator/v1/faults`) from a
weighted menu covering every kind the sandbox knows: `U` answers (payments that stay
PROCESSING and settle later either way), timeouts with and without the call taking effect,
5xx answers with and without effect, latency, and dropped, duplicated, delayed and
out-of-order notifications. Durations are sandbox seconds, so they are drawn in real seconds
and multiplied by the time scale.

`Killer` SIGKILLs a merchant backend at random moments and starts it again after a random
outage; some restarts arm the backend's test-only crash hook, which kills it right after
Antom confirms a payment and before the backend records it.
"""

from __future__ import annotations

import asyncio
import contextlib
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

    def draw(self, rng: random.Random) -> dict[str, Any]:  # noqa: PLR0911 - a return per entry
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
        if pick < 0.72:  # payment notifications: lost, twice, late, out of order
            return self._notification("notifyPayment", count, rng)
        if pick < 0.79:
            return self._notification("notifyAuthorization", count, rng)
        if pick < 0.86:  # refunds: unknown outcomes, timeouts, 5xx, late arrival
            kind = rng.choice(("unknown", "timeout", "http_error", "latency"))
            fault = {"target": "refund", "kind": kind, "count": 1}
            if kind == "unknown":
                fault["seconds"] = self._seconds(rng.uniform(0.2, 8.0))
                fault["outcome"] = rng.choice(("success", "success", "fail"))
            elif kind == "timeout":
                fault["seconds"] = hold
                fault["processed"] = rng.random() < 0.6
            elif kind == "http_error":
                fault["processed"] = rng.random() < 0.5
            else:
                fault["seconds"] = hold
            return fault
        if pick < 0.89:
            return {"target": "inquiryRefund", "kind": rng.choice(("unknown", "http_error")),
                    "count": count}
        if pick < 0.92:
            return self._notification("notifyRefund", count, rng)
        if pick < 0.95:
            return {"target": "applyToken", "kind": rng.choice(("unknown", "http_error")),
                    "count": 1}
        if pick < 0.98:
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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rng.uniform(*every))


@dataclass
class Killer:
    """SIGKILLs a merchant backend at random moments and starts it again.

    Args:
        services: The processes.
        rng: The campaign's seeded random source for kills.
        every: Seconds between kills (uniform).
        outage: Seconds the killed backend stays down (uniform).
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
        """Kill and restart until `stop`; then make sure every backend is up, without the hook."""
        backends = range(self.services.backends)
        next_kill = time.monotonic() + self.rng.uniform(*self.every)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.1)
            for index in backends:
                if self.services.reap_merchant(index):
                    self.hook_crashes += 1
                    self._log(started, f"backend {index} died by the crash hook after a payment"
                              " succeeded")
                    await self._restart(index, started)
            if stop.is_set() or time.monotonic() < next_kill:
                continue
            index = self.rng.randrange(self.services.backends)
            self.services.kill_merchant(index)
            self.kills += 1
            outage = self.rng.uniform(*self.outage)
            self._log(started, f"SIGKILL backend {index}, down for {outage:.1f} s")
            await asyncio.sleep(outage)
            await self._restart(index, started)
            next_kill = time.monotonic() + self.rng.uniform(*self.every)
        for index in backends:
            if self.services.reap_merchant(index):
                self.hook_crashes += 1
            if self.services.merchant_alive(index) and self.services.hooked(index):
                self.services.kill_merchant(index)
            if not self.services.merchant_alive(index):
                await self.services.start_merchant(index, crash_hook=False)
                self.restarts += 1
                self._log(started, f"final restart of backend {index} without the crash hook")

    async def _restart(self, index: int, started: float) -> None:
        hook = self.rng.random() < self.crash_hook
        await self.services.start_merchant(index, crash_hook=hook)
        self.restarts += 1
        self._log(
            started,
            f"backend {index} restarted" + (" with the crash-after-pay hook" if hook else ""),
        )

    def _log(self, started: float, text: str) -> None:
        line = f"[{time.monotonic() - started:7.1f} s] {text}"
        self.events.append(line)
        print(line, flush=True)
