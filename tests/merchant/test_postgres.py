"""PostgreSQL: the same ledger rules, and long-poll wake-ups across backend processes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.helpers.clock import FakeClock
from tests.merchant.conftest import BASE, CLIENT_ID, make_config
from tests.merchant.fakes import FakeAntom, auth_code_created, send_notification
from tests.merchant.stack import in_process_stack
from tvclient.antom.keys import RSAPrivateKey
from tvclient.merchant.app import create_app


async def test_bind_and_buy_on_postgres_against_the_sandbox(
    tmp_path: Path, postgres_url: str
) -> None:
    """The in-process stack on PostgreSQL: bind, buy with a retried key, one charge."""
    async with in_process_stack(tmp_path, database=postgres_url) as stack:
        await stack.enrol()
        binding = await stack.bind()
        created = await stack.buy(binding, key="pg-1")
        replay = await stack.buy(binding, key="pg-1")
        assert replay.json()["id"] == created.json()["id"]
        purchase = await stack.final(created.json()["id"])
        assert purchase["state"] == "SUCCEEDED"
        successes = [p for p in await stack.sandbox_payments() if p.get("status") == "SUCCESS"]
        assert len(successes) == 1


async def test_a_notification_on_one_process_wakes_a_long_poll_on_another(
    tmp_path: Path, key_dir: Path, antom_key: RSAPrivateKey, postgres_url: str
) -> None:
    """Two backends share PostgreSQL: AUTHCODE_CREATED handled by A answers the poll held by B."""
    clock = FakeClock()
    antom = FakeAntom(clock.now)
    config = make_config(tmp_path, key_dir, database=postgres_url)
    first = create_app(config, clock=clock, antom=antom)
    second = create_app(config, clock=clock, antom=antom)
    await first.state.backend.start()
    await second.state.backend.start()
    a = httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url=BASE)
    b = httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url=BASE)
    try:
        credential = (await a.post("/v1/devices", json={})).json()["credential"]
        headers = {"Authorization": f"Bearer {credential}"}
        session = (
            await a.post("/v1/bind-sessions", json={"wallet": "DANA"}, headers=headers)
        ).json()
        poll = asyncio.create_task(
            b.get(f"/v1/bind-sessions/{session['id']}", params={"wait": 25}, headers=headers)
        )
        for _ in range(100):  # the poll on B is registered and waiting
            if second.state.backend.wakeups.waiting:
                break
            await asyncio.sleep(0.01)
        assert second.state.backend.wakeups.waiting == 1
        reply = await send_notification(
            a,
            "/antom/notify/authorization",
            auth_code_created(antom.last_auth_state()),
            key=antom_key,
            client_id=CLIENT_ID,
            when=clock.now(),
        )
        assert reply.status_code == 200
        body = (await asyncio.wait_for(poll, 10)).json()
        assert body["state"] == "BOUND"
    finally:
        for client in (a, b):
            await client.aclose()
        await first.state.backend.stop()
        await second.state.backend.stop()
