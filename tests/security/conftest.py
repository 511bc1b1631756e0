"""Fixtures for the security tests: a populated backend (real sandbox, in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.reliability.stacks import Sent, World, populate, wired_stack


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """Two TVs with bindings, purchases and a refund, on SQLite."""
    sent: list[Sent] = []
    async with wired_stack(tmp_path, tap=sent.append) as stack:
        yield await populate(stack, sent)


@pytest.fixture
async def pg_world(tmp_path: Path, postgres_url: str) -> AsyncIterator[World]:
    """The same world on PostgreSQL (which refuses what SQLite quietly stores)."""
    sent: list[Sent] = []
    async with wired_stack(tmp_path, tap=sent.append, database=postgres_url) as stack:
        yield await populate(stack, sent)
