"""Fail a test that logs a WARNING or worse it did not declare (after qutebrowser's logfail)."""

from __future__ import annotations

import logging

import pytest


class LogFailHandler(logging.Handler):
    """A root handler that turns unexpected warning-or-worse records into test failures.

    A test declares the records it expects with `caplog.at_level(...)` (pytest's caplog handler
    then sees them) or with the `expect_log` fixture, which switches this handler off.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.enabled = True
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Remember the record; the fixture fails the test at its end."""
        if not self.enabled:
            return
        # Third-party libraries that log their own recoverable trouble at WARNING are not ours.
        if record.name.split(".")[0] in {"asyncio", "hypothesis", "uvicorn", "httpx", "alembic"}:
            return
        self.failures.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def check(handler: LogFailHandler) -> None:
    """Fail the current test if the handler saw unexpected records."""
    if handler.failures:
        lines = "\n".join(handler.failures)
        handler.failures.clear()
        pytest.fail(f"unexpected log records:\n{lines}", pytrace=False)
