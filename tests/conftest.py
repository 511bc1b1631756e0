"""Suite-wide set-up: Qt offscreen before any Qt import, and no unexpected warning logs."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

# Qt aborts the whole process when it has no platform; choose one before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
# Keep the developer's own keyring, config and data out of tests.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

import pytest

from tests.helpers import logfail

# Fixtures for real services (PostgreSQL, Secret Service, Chromium, Xvfb, subprocesses).
pytest_plugins = ["tests.helpers.services"]


@pytest.fixture(scope="session")
def _logfail_handler() -> Iterator[logfail.LogFailHandler]:
    handler = logfail.LogFailHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@pytest.fixture(autouse=True)
def _fail_on_unexpected_logs(_logfail_handler: logfail.LogFailHandler) -> Iterator[None]:
    _logfail_handler.enabled = True
    _logfail_handler.failures.clear()
    yield
    logfail.check(_logfail_handler)


@pytest.fixture(autouse=True)
def _isolated_logging() -> Iterator[None]:
    """Undo what a test's in-process command did to logging (handlers, levels).

    `tvclient merchant ...` run in-process configures logging for a server: it replaces the
    root handlers (this suite's warning check among them) with one on a stream pytest closes
    later, and quiets httpx and the database libraries for good. Without this, every later
    test lost its warning check and its DEBUG records.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {
        name: (logger.level, logger.disabled)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            level_before, disabled_before = levels.get(name, (logging.NOTSET, False))
            logger.setLevel(level_before)  # setLevel, not .level: it clears the loggers' caches
            logger.disabled = disabled_before


@pytest.fixture
def expect_log(_logfail_handler: logfail.LogFailHandler) -> Iterator[None]:
    """Declare that this test logs warnings on purpose (assert on them with caplog)."""
    _logfail_handler.enabled = False
    yield
    _logfail_handler.enabled = True
