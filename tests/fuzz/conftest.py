"""Fixtures for the fuzz tests: a backend with state worth protecting, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.reliability.stacks import Sent, World, populate, wired_stack


@pytest.fixture(params=["sqlite", "postgres"])
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    """The real backend and sandbox in process, populated; on each database engine.

    PostgreSQL matters here: it enforces column lengths and types that SQLite does not, so a
    hostile value can reach the database and fail only there.
    """
    settings = {}
    if request.param == "postgres":
        settings["database"] = request.getfixturevalue("postgres_url")
    sent: list[Sent] = []
    async with wired_stack(tmp_path, tap=sent.append, **settings) as stack:
        yield await populate(stack, sent)
