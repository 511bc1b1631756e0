"""Purchase throughput and latency through the backend, on SQLite and PostgreSQL.

For each engine: one device binds a wallet at the sandbox, then makes N purchases at a fixed
concurrency through `POST /v1/purchases` (each answered with its final state). The baseline, in
the same run, is the sandbox's pay called directly (signed `AntomClient.pay` with the same
token, same concurrency): the ratio shows what the backend adds (ledger writes before and after
pay, limits, idempotency).

Usage: python bench/merchant_purchases.py [--purchases 1000] [--concurrency 20]
       [--postgres URL]   (default: a private cluster from tests/helpers/pgcluster.py)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from merchant_common import Stack, percentile, running_stack, summary

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tvclient.antom.client import AntomClient
from tvclient.antom.keys import read_private_key, read_public_key
from tvclient.antom.messages.payment import PayRequest
from tvclient.antom.outcomes import Success
from tvclient.clock import SystemClock
from tvclient.merchant.backend import token_secret
from tvclient.merchant.config import MerchantConfig
from tvclient.merchant.store import Database
from tvclient.merchant.token_vault import TokenVault
from tvclient.merchant.wakeups import Wakeups

PRODUCT = {"product_id": "thank-you-tip", "amount": {"currency": "HKD", "value": 100}}


async def bind(http: httpx.AsyncClient, sandbox_url: str) -> tuple[dict[str, str], str]:
    credential = (await http.post("/v1/devices", json={})).json()["credential"]
    headers = {"Authorization": f"Bearer {credential}"}
    session = (
        await http.post("/v1/bind-sessions", json={"wallet": "ALIPAY_HK"}, headers=headers)
    ).json()
    async with httpx.AsyncClient(trust_env=False) as sandbox:
        await sandbox.post(
            f"{sandbox_url}/wallet/api/approve",
            json={"codeValue": session["qr_text"], "buyerId": "hk-carol"},
        )
    bound = (
        await http.get(f"/v1/bind-sessions/{session['id']}", params={"wait": 20}, headers=headers)
    ).json()
    return headers, str(bound["binding"]["ref"])


async def through_backend(
    stack: Stack, count: int, concurrency: int
) -> tuple[list[float], float, int]:
    async with httpx.AsyncClient(
        base_url=stack.merchant_url,
        timeout=60,
        trust_env=False,
        limits=httpx.Limits(max_connections=concurrency * 2),
    ) as http:
        headers, binding = await bind(http, stack.sandbox_url)
        gate = asyncio.Semaphore(concurrency)
        latencies: list[float] = []
        ok = 0

        async def one(n: int) -> None:
            nonlocal ok
            async with gate:
                started = time.perf_counter()
                response = await http.post(
                    "/v1/purchases",
                    json={"binding": binding, **PRODUCT},
                    headers={**headers, "Idempotency-Key": f"bench-{n}"},
                )
                latencies.append(time.perf_counter() - started)
                ok += response.json().get("state") == "SUCCEEDED"

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(count)))
        return latencies, time.perf_counter() - started, ok


async def direct(stack: Stack, count: int, concurrency: int) -> tuple[list[float], float, int]:
    config = MerchantConfig.from_sandbox_dir(stack.sandbox_dir, database=stack.database)
    db = Database(config.database, Wakeups())
    try:
        async with db.read() as conn:
            sealed = (
                await conn.exec_driver_sql(
                    "SELECT access_token_enc FROM bindings ORDER BY created_at DESC"
                )
            ).scalar_one()
    finally:
        await db.close()
    token = TokenVault(token_secret(config)).open(sealed)
    if config.private_key is None or config.antom_public_key is None:
        raise RuntimeError("the sandbox dir has no key files")
    async with httpx.AsyncClient(
        trust_env=False, limits=httpx.Limits(max_connections=concurrency * 2)
    ) as http:
        client = AntomClient(
            http,
            base_url=config.antom_url,
            client_id=config.client_id,
            private_key=read_private_key(config.private_key),
            antom_public_key=read_public_key(config.antom_public_key),
            clock=SystemClock(),
        )
        gate = asyncio.Semaphore(concurrency)
        latencies: list[float] = []
        ok = 0

        async def one(n: int) -> None:
            nonlocal ok
            amount = {"currency": "HKD", "value": "100"}
            request = PayRequest.from_json(
                {
                    "productCode": "AGREEMENT_PAYMENT",
                    "paymentRequestId": f"direct-{n}-{time.time_ns()}",
                    "paymentAmount": amount,
                    "order": {
                        "referenceOrderId": f"o{n}",
                        "orderDescription": "tip",
                        "orderAmount": amount,
                    },
                    "paymentMethod": {"paymentMethodType": "ALIPAY_HK", "paymentMethodId": token},
                }
            )
            async with gate:
                started = time.perf_counter()
                outcome = await client.pay(request)
                latencies.append(time.perf_counter() - started)
                ok += isinstance(outcome, Success)

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(count)))
        return latencies, time.perf_counter() - started, ok


@contextlib.contextmanager
def postgres(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from tests.helpers.pgcluster import PostgresCluster

    cluster = PostgresCluster.start()
    try:
        yield cluster.create_database()
    finally:
        cluster.stop()


def report(name: str, latencies: list[float], seconds: float, ok: int, count: int) -> float:
    rate = count / seconds
    print(f"  {name:34s} {rate:7.1f}/s  ok {ok}/{count}  {summary(latencies)}")
    return rate


async def run_engine(name: str, database: str | None, count: int, concurrency: int) -> None:
    with running_stack(database=database) as stack:
        backend = await through_backend(stack, count, concurrency)
        baseline = await direct(stack, count, concurrency)
    print(f"{name}: {count} purchases, concurrency {concurrency}")
    direct_rate = report("sandbox pay called directly", *baseline, count)
    backend_rate = report("through the backend", *backend, count)
    print(
        f"  throughput ratio backend / direct: {backend_rate / direct_rate:5.2f}x; "
        f"p99 ratio {percentile(backend[0], 0.99) / percentile(baseline[0], 0.99):5.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--purchases", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    asyncio.run(run_engine("SQLite", None, args.purchases, args.concurrency))
    with postgres(args.postgres) as url:
        asyncio.run(run_engine("PostgreSQL", url, args.purchases, args.concurrency))


if __name__ == "__main__":
    main()
