"""The chaos campaign: exactly-once under faults, crashes and flaky networks, measured.

Many simulated TVs (real device cores, no UI) bind by QR and buy with one press, all at
once, against a real `tvclient merchant serve` process on a private PostgreSQL and a real
`tvclient sandbox serve` process running on compressed time, while

- the sandbox injects faults drawn from a seeded menu (`U` answers, timeouts and 5xx with and
  without effect, latency, dropped / duplicated / delayed / out-of-order notifications),
- the backend is SIGKILLed and restarted at random moments (some restarts arm the test-only
  hook that kills it right between Antom's success and its own commit), and
- each TV's network loses requests and answers.

Then the faults stop, the backend is left up, every TV follows its pending purchases to the
end, and the backend's ledger, the sandbox's ledger and every TV's view are compared
(`chaos_audit`): double charges, lost payments, stuck purchases and mismatches must all be
zero. The sandbox's settlement reports for every day the campaign touched are written and
`tvclient merchant reconcile` must find them clean. The logs of both servers are searched for
every secret the run issued.

Usage (from the repository root; the full campaign of docs/reliability.md):

    PYTHONPATH=. .venv/bin/python bench/chaos.py --devices 40 --duration 600 --seed 20240611

Exit code 0 when every figure is zero and the reconciliation is clean, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

if __package__ in (None, "") and str(Path(__file__).resolve().parents[1]) not in sys.path:
    # Run as a script: the repository root holds `tests.helpers` (PostgreSQL, processes).
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from chaos_audit import DeviceIntent, audit, self_check
from chaos_backoffice import Backoffice
from chaos_devices import Sandbox, SimDevice, run_all
from chaos_faults import FaultMenu, Killer, inject_faults
from chaos_stack import ADMIN_TOKEN, OPERATOR_TOKEN, Operator, Services, stop_cleanly_on_sigterm

from tests.helpers.pgcluster import PostgresCluster, libpq_url
from tests.helpers.processes import tvclient_command

GMT8 = ZoneInfo("Asia/Shanghai")
ANTOM_TIMEOUT = 3.0
# Buyers get enough money for a long campaign; hk-ben and id-eko keep their tiny balances so
# "balance too low" failures happen too.
TOP_UP = {"hk-alice": 20_000_000, "hk-carol": 25_000_000, "id-dewi": 5_000_000_000,
          "id-fajar": 50_000_000_000}


@dataclass(frozen=True)
class Plan:
    """The campaign's parameters."""

    devices: int
    backends: int
    duration: float
    seed: int
    timescale: float
    kill_every: tuple[float, float]
    outage: tuple[float, float]
    fault_every: tuple[float, float]
    crash_hook: float
    backoffice_every: tuple[float, float]
    refuse: float
    lose: float
    settle: float


def _pair(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    first, second = float(low), float(high or low)
    if not 0 <= first <= second:
        raise argparse.ArgumentTypeError(f"{text!r}: want LOW,HIGH with 0 <= LOW <= HIGH")
    return first, second


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20, help="simulated TVs (default 20)")
    parser.add_argument("--backends", type=int, default=1,
                        help="merchant processes sharing the database (default 1)")
    parser.add_argument("--duration", type=float, default=120.0,
                        help="seconds of chaos before settling (default 120)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--timescale", type=float, default=10.0,
                        help="sandbox seconds per real second (default 10)")
    parser.add_argument("--kill-every", type=_pair, default=(6.0, 20.0), metavar="LOW,HIGH",
                        help="seconds between SIGKILLs of the backend (default 6,20)")
    parser.add_argument("--outage", type=_pair, default=(0.2, 3.0), metavar="LOW,HIGH",
                        help="seconds the backend stays down (default 0.2,3)")
    parser.add_argument("--fault-every", type=_pair, default=(0.3, 2.0), metavar="LOW,HIGH",
                        help="seconds between armed sandbox faults (default 0.3,2)")
    parser.add_argument("--crash-hook", type=float, default=0.25,
                        help="chance a restart arms the crash-after-pay hook (default 0.25)")
    parser.add_argument("--backoffice-every", type=_pair, default=(1.0, 4.0), metavar="LOW,HIGH",
                        help="seconds between operator refunds / cancels (default 1,4)")
    parser.add_argument("--refuse", type=float, default=0.02,
                        help="chance a TV's request never arrives (default 0.02)")
    parser.add_argument("--lose", type=float, default=0.03,
                        help="chance a TV never gets the answer (default 0.03)")
    parser.add_argument("--settle", type=float, default=240.0,
                        help="seconds allowed for everything to end after the chaos (default 240)")
    parser.add_argument("--postgres-url", help="use this (empty) database instead of a "
                        "private cluster started for the run")
    parser.add_argument("--work-dir", type=Path, help="keep data and logs here (default: a "
                        "temporary directory, deleted afterwards)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------- the ledgers
def merchant_ledger(database: str) -> list[dict[str, Any]]:
    """Every purchase in the backend's database."""
    with psycopg.connect(libpq_url(database)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, device_id, idempotency_key, payment_request_id, payment_id, state,"
            " failure_code, antom_result_code, amount_minor, currency, binding_ref, refunded_minor"
            " FROM purchases"
        )
        names = [column.name for column in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def merchant_refunds(database: str) -> list[dict[str, Any]]:
    """Every refund in the backend's database."""
    with psycopg.connect(libpq_url(database)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT id, purchase_id, refund_request_id, refund_id, amount_minor, state,"
            " failure_code FROM refunds"
        )
        names = [column.name for column in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def open_refunds(database: str) -> int:
    """Refunds the backend has not finished."""
    with psycopg.connect(libpq_url(database)) as conn:
        row = conn.execute("SELECT count(*) FROM refunds WHERE state = 'PROCESSING'").fetchone()
        return int(row[0]) if row else 0


def merchant_processing(database: str) -> int:
    """Purchases the backend has not finished."""
    with psycopg.connect(libpq_url(database)) as conn:
        row = conn.execute("SELECT count(*) FROM purchases WHERE state = 'PROCESSING'").fetchone()
        return int(row[0]) if row else 0


def merchant_bindings(database: str) -> list[dict[str, Any]]:
    """Every binding (never its tokens) with the authState of the session that made it."""
    with psycopg.connect(libpq_url(database)) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT b.ref, b.state, b.revoked_by, s.auth_state, s.id FROM bindings b"
            " JOIN bind_sessions s ON s.id = b.bind_session_id"
        )
        return [
            {"ref": r[0], "state": r[1], "revoked_by": r[2], "auth_state": r[3], "session": r[4]}
            for r in cur.fetchall()
        ]


def auth_state_of(database: str, session_id: str) -> str | None:
    """The authState the backend sent to Antom for a bind session."""
    with psycopg.connect(libpq_url(database)) as conn:
        row = conn.execute(
            "SELECT auth_state FROM bind_sessions WHERE id = %s", (session_id,)
        ).fetchone()
        return str(row[0]) if row else None


def issued_secrets(services: Services, devices: list[SimDevice]) -> dict[str, str]:
    """Every secret the run issued: Antom tokens and auth codes, credentials, keys, tokens."""
    found: dict[str, str] = {}
    uri = f"file:{services.sandbox_dir / 'sandbox.sqlite3'}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        for label, query in (
            ("access token", "SELECT access_token FROM access_tokens"),
            ("refresh token", "SELECT refresh_token FROM bindings"),
            ("auth code", "SELECT auth_code FROM auth_codes"),
        ):
            for (value,) in conn.execute(query):
                found[str(value)] = label
    finally:
        conn.close()
    for device in devices:
        for (_, name), value in device.keyring.items.items():
            if name == "device-credential":
                found[value] = f"device credential of TV {device.index}"
    pem = (services.sandbox_dir / "merchant-private-key.pem").read_text()
    for line in pem.splitlines():
        if len(line) >= 40 and not line.startswith("-----"):
            found[line] = "merchant private key (a PEM line)"
    found[OPERATOR_TOKEN] = "sandbox operator token"
    found[ADMIN_TOKEN] = "merchant admin token"
    return found


def secrets_in(texts: dict[str, str], secrets: dict[str, str]) -> list[str]:
    """Where a secret appears: `file: label` for each hit."""
    hits = []
    for name, text in texts.items():
        for value, label in secrets.items():
            if value in text:
                hits.append(f"{name}: {label}")
    return sorted(set(hits))


# ---------------------------------------------------------------------------- the campaign
class Campaign:
    """One run: the processes, the devices, the chaos, the settling and the verdict."""

    def __init__(self, plan: Plan, services: Services) -> None:
        self.plan = plan
        self.services = services
        self.rng = random.Random(plan.seed)
        self.operator = Operator(services.sandbox_url, services.sandbox_dir)
        self.devices: list[SimDevice] = []
        self.armed: Counter[str] = Counter()
        self.killer = Killer(
            services,
            random.Random(plan.seed * 31 + 1),
            every=plan.kill_every,
            outage=plan.outage,
            crash_hook=plan.crash_hook,
        )
        self.started = time.monotonic()
        self.figures: dict[str, Any] = {}
        self.unlinks: Counter[str] = Counter()

    async def _unlink(self, session_id: str) -> bool:
        """The buyer unlinks, in the wallet app, the binding a bind session made."""
        auth_state = await asyncio.to_thread(auth_state_of, self.services.database, session_id)
        for binding in await self.operator.bindings():
            if binding.get("authState") == auth_state and binding.get("status") == "ACTIVE":
                await self.operator.unlink(str(binding["bindingId"]))
                self.unlinks["done"] += 1
                return True
        self.unlinks["not found"] += 1
        return False

    async def _approve(self, qr: str, buyer: str, decline: bool) -> bool:
        return await self.operator.approve(qr, buyer, decline=decline)

    async def run(self) -> dict[str, Any]:
        """The whole campaign; the figures."""
        plan, services, operator = self.plan, self.services, self.operator
        for buyer, balance in TOP_UP.items():
            await operator.set_balance(buyer, balance)
        before = {b: int(v["balance"]) for b, v in (await operator.buyers()).items()}
        sandbox_start = dt.datetime.fromisoformat((await operator.status())["now"])
        await asyncio.gather(*(services.start_merchant(i) for i in range(plan.backends)))
        sandbox = Sandbox(self._approve, self._unlink)
        # Each TV talks to one backend; with several, they share the database and each other's
        # notifications (LISTEN/NOTIFY), and a kill takes some TVs' backend away.
        self.devices = [
            SimDevice(
                index, services.merchant_url(index % plan.backends), sandbox,
                random.Random(plan.seed * 7919 + index), services.root / "devices",
                refuse=plan.refuse, lose=plan.lose,
            )
            for index in range(plan.devices)
        ]
        backoffice = Backoffice(
            services.merchant_url(0), ADMIN_TOKEN, services.database,
            random.Random(plan.seed * 131 + 7), plan.backoffice_every,
        )
        chaos_stop, device_stop = asyncio.Event(), asyncio.Event()
        menu = FaultMenu(plan.timescale, ANTOM_TIMEOUT)
        faults = asyncio.ensure_future(
            inject_faults(operator, menu, random.Random(plan.seed * 17 + 3), chaos_stop,
                          every=plan.fault_every, armed=self.armed)
        )
        killer = asyncio.ensure_future(self.killer.run(chaos_stop, self.started))
        devices = asyncio.ensure_future(run_all(self.devices, device_stop, plan.settle))
        progress = asyncio.ensure_future(self._progress(chaos_stop))
        operating = asyncio.ensure_future(backoffice.run(chaos_stop))

        await asyncio.sleep(plan.duration)
        self._say("chaos over: no more faults or kills; the backend stays up; devices settle")
        chaos_stop.set()
        await asyncio.gather(faults, killer, progress, operating)
        await backoffice.aclose()
        leftover = await operator.clear_faults()
        device_stop.set()
        device_timing = await devices
        self._say(f"devices settled in {device_timing['settle_seconds']:.1f} s")
        ledger_settle = await self._settle_ledgers()

        purchases = await asyncio.to_thread(merchant_ledger, services.database)
        refunds = await asyncio.to_thread(merchant_refunds, services.database)
        payments = await operator.payments()
        antom_refunds = await operator.refunds()
        after = {b: int(v["balance"]) for b, v in (await operator.buyers()).items()}
        intents = [
            DeviceIntent(
                device=view.device, key=view.key, amount=view.amount.minor,
                currency=view.amount.currency, phase=view.phase.value,
                purchase_id=view.purchase_id, failure=view.failure, payment_ref=view.payment_ref,
            )
            for device in self.devices
            for view in device.intents.values()
        ]
        verdict = audit(purchases, payments, intents,
                        {b: (before[b], after[b]) for b in before},
                        refunds=refunds, antom_refunds=antom_refunds)
        reconcile = await self._reconcile(sandbox_start)
        secrets = issued_secrets(services, self.devices)
        leaks = secrets_in(
            {**services.merchant_logs(), "sandbox.log": services.sandbox_log()},
            secrets,
        )
        bindings = await self._bindings_view()
        for device in self.devices:
            await device.aclose()
        await operator.aclose()
        self.figures = {
            "seed": plan.seed,
            "plan": dict(plan.__dict__),
            "audit": verdict.as_dict(),
            "reconcile": reconcile,
            "secrets_checked": len(secrets),
            "secret_leaks": leaks,
            "backend": {
                "sigkills": self.killer.kills,
                "crash_hook_deaths": self.killer.hook_crashes,
                "restarts": self.killer.restarts,
                "events": self.killer.events,
            },
            "sandbox_ledger_read_from_file": sorted(self.operator.read_from_file),
            "faults_armed": dict(self.armed),
            "backoffice": dict(backoffice.done),
            "faults_left_unused": leftover,
            "network": {
                "requests_refused": sum(d.network.refused for d in self.devices),
                "answers_lost": sum(d.network.lost for d in self.devices),
            },
            "devices": {
                "binds": dict(sum((d.stats.binds for d in self.devices), Counter())),
                "actions": dict(sum((d.stats.actions for d in self.devices), Counter())),
                "errors": dict(sum((d.stats.errors for d in self.devices), Counter())),
                "wallet_unlinks": dict(self.unlinks),
                **device_timing,
            },
            "ledger_settle_seconds": ledger_settle,
            "bindings": bindings,
            "wall_seconds": time.monotonic() - self.started,
        }
        return self.figures

    async def _progress(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 15)
            phases = Counter(
                view.phase.value for device in self.devices for view in device.intents.values()
            )
            self._say(
                f"intents {dict(phases)}; kills {self.killer.kills} "
                f"(+{self.killer.hook_crashes} by the hook); "
                f"faults armed {sum(self.armed.values())}"
            )

    async def _settle_ledgers(self) -> float:
        """Wait until neither ledger holds an unfinished payment (bounded)."""
        started = time.monotonic()
        deadline = started + self.plan.settle
        while time.monotonic() < deadline:
            open_backend = await asyncio.to_thread(merchant_processing, self.services.database)
            open_backend += await asyncio.to_thread(open_refunds, self.services.database)
            open_sandbox = sum(
                1 for p in await self.operator.payments() if p["status"] == "PROCESSING"
            ) + sum(1 for r in await self.operator.refunds() if r["status"] == "PROCESSING")
            if not open_backend and not open_sandbox:
                break
            await asyncio.sleep(1.0)
        return time.monotonic() - started

    async def _reconcile(self, sandbox_start: dt.datetime) -> dict[str, Any]:
        """Write the reports of every day the run touched; run `merchant reconcile` on them."""
        now = dt.datetime.fromisoformat((await self.operator.status())["now"])
        day = sandbox_start.astimezone(GMT8).date()
        last = now.astimezone(GMT8).date()
        days = []
        while day <= last:
            await self.operator.write_reports(day.isoformat())
            days.append(day.isoformat())
            day += dt.timedelta(days=1)
        command = tvclient_command(
            "merchant", "reconcile", str(self.services.sandbox_dir / "v1"),
            "--sandbox-dir", str(self.services.sandbox_dir),
            "--database", self.services.database, "--json",
        )
        done = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, timeout=300, check=False
        )
        result: dict[str, Any] = {"exit_code": done.returncode, "days": days}
        try:
            result.update(json.loads(done.stdout))
        except ValueError:
            result["output"] = (done.stdout + done.stderr)[-2000:]
        return result

    async def _bindings_view(self) -> dict[str, Any]:
        """Bindings on both sides (information: a binding is not money)."""
        ours = await asyncio.to_thread(merchant_bindings, self.services.database)
        theirs = {b.get("authState"): b for b in await self.operator.bindings()}
        active_revoked_at_antom = [
            b["ref"] for b in ours
            if b["state"] == "ACTIVE"
            and theirs.get(b["auth_state"], {}).get("status") != "ACTIVE"
        ]
        return {
            "backend": dict(Counter(str(b["state"]) for b in ours)),
            "sandbox": dict(Counter(str(b.get("status")) for b in theirs.values())),
            "active_here_but_not_at_antom": len(active_revoked_at_antom),
        }

    def _say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:7.1f} s] {text}", flush=True)


def report(figures: dict[str, Any]) -> bool:
    """Print the figures; True when the campaign passed."""
    verdict = figures["audit"]
    counts = verdict["counts"]
    reconcile = figures["reconcile"]
    print()
    print(f"=== chaos campaign, seed {figures['seed']} ===")
    plan = figures["plan"]
    print(f"devices {plan['devices']}, backends {plan['backends']}, chaos {plan['duration']:g} s,"
          f" timescale x{plan['timescale']:g}, wall time {figures['wall_seconds']:.0f} s")
    backend = figures["backend"]
    print(f"backend SIGKILLs: {backend['sigkills']} at random moments + "
          f"{backend['crash_hook_deaths']} between Antom's success and the commit; "
          f"{backend['restarts']} restarts")
    print(f"sandbox faults armed: {sum(figures['faults_armed'].values())} "
          f"({figures['faults_left_unused']} unused at the end)")
    for name, count in sorted(figures["faults_armed"].items()):
        print(f"    {count:5d}  {name}")
    network = figures["network"]
    print(f"TV network: {network['requests_refused']} requests never arrived, "
          f"{network['answers_lost']} answers lost")
    devices = figures["devices"]
    print(f"binds: {devices['binds']}")
    print(f"device actions: {devices['actions']}")
    print(f"back office: {figures['backoffice']}")
    print(f"backend purchases: {counts['purchases']} {counts['purchases_by_state']}")
    print(f"sandbox payments: {counts['sandbox_payments']} {counts['sandbox_payments_by_status']}"
          f" ({counts['charged_payments']} charged in the end)")
    print(f"backend failures: {counts.get('purchase_failures', {})}")
    print(f"refunds: backend {counts.get('refunds_by_state', {})}, "
          f"sandbox {counts.get('sandbox_refunds_by_status', {})}")
    print(f"device intents: {counts['device_intents']} {counts['device_intents_by_phase']}")
    print(f"bindings: {figures['bindings']}")
    print()
    rows = [
        ("double charges", verdict["double_charges"]),
        ("lost payments", verdict["lost_payments"]),
        ("stuck (non-final)", verdict["stuck"]),
        ("mismatches", verdict["mismatches"]),
        ("secrets found in server logs", len(figures["secret_leaks"])),
    ]
    for name, value in rows:
        print(f"{name:>30}: {value}")
    print(f"{'device outcome unknown':>30}: {verdict['device_unknown']} (allowed; never 'failed')")
    for kind, examples in verdict["examples"].items():
        for example in examples:
            print(f"    {kind}: {example}")
    for leak in figures["secret_leaks"]:
        print(f"    secret leak: {leak}")
    discrepancies = reconcile.get("discrepancies", [])
    clean = reconcile.get("exit_code") == 0 and reconcile.get("clean") is True
    print(f"{'reconcile':>30}: {'clean' if clean else 'NOT CLEAN'} (exit {reconcile['exit_code']}, "
          f"{reconcile.get('matched', 0)} rows matched over days {', '.join(reconcile['days'])})")
    for item in discrepancies[:20]:
        print(f"    {item['kind']}: {item['reference']}: {item['detail']}")
    if "output" in reconcile:
        print(reconcile["output"])
    passed = verdict["clean"] and clean and not figures["secret_leaks"]
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'} (seed {figures['seed']})")
    return passed


def main(argv: list[str] | None = None) -> int:
    """Run one campaign; the exit code."""
    args = parse_args(argv)
    stop_cleanly_on_sigterm()
    self_check()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**9)
    plan = Plan(
        devices=args.devices, backends=args.backends, duration=args.duration, seed=seed,
        timescale=args.timescale,
        kill_every=args.kill_every, outage=args.outage, fault_every=args.fault_every,
        crash_hook=args.crash_hook, backoffice_every=args.backoffice_every,
        refuse=args.refuse, lose=args.lose, settle=args.settle,
    )
    print(f"chaos campaign: seed {seed} (rerun with --seed {seed})", flush=True)
    root = args.work_dir or Path(tempfile.mkdtemp(prefix="tvclient-chaos-"))
    root.mkdir(parents=True, exist_ok=True)
    cluster: PostgresCluster | None = None
    services: Services | None = None
    try:
        if args.postgres_url:
            database = args.postgres_url
        else:
            cluster = PostgresCluster.start()
            database = cluster.create_database("chaos")
        services = Services(
            root, database, plan.timescale, backends=plan.backends,
            merchant_flags=["--antom-timeout", f"{ANTOM_TIMEOUT:g}", "--shutdown-grace", "3",
                            "--bind-session-ttl", "120"],
        )
        services.start_sandbox()
        campaign = Campaign(plan, services)
        figures = asyncio.run(campaign.run())
    finally:
        if services is not None:
            services.stop()
        if cluster is not None:
            cluster.stop()
    figures["work_dir"] = str(root) if args.work_dir else None
    passed = report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    if not args.work_dir:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
