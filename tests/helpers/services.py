"""Pytest fixtures for the real services some tests need (loaded from tests/conftest.py).

Policy: a test that asks for a service never gets skipped. If the service cannot start, the
fixture fails the test with what is missing and how to install it (`scripts/setup`).

Tests that use these fixtures are marked automatically (`postgres`, `keyring`, `browser`,
`xvfb`), so one layer can be run alone, e.g. `pytest -m browser`, or left out with `-m "not ..."`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
import pytest_asyncio

from tests.helpers.processes import (
    ProcessRunner,
    RunningProcess,
    ServiceError,
    free_port,
    run_process,
    tvclient_command,
)
from tests.helpers.secret_service import SecretServiceSession
from tests.helpers.xserver import XvfbServer

if TYPE_CHECKING:  # playwright and psycopg load only in the tests that use them
    from playwright.async_api import Browser, Page

    from tests.helpers.pgcluster import PostgresCluster

# Helpers for tests that start their own processes, re-exported for one import line.
__all__ = ["ProcessRunner", "RunningProcess", "free_port", "run_process", "tvclient_command"]

T = TypeVar("T")

# Which fixture (anywhere in a test's fixture closure) puts the test in which layer.
LAYER_MARKERS = {
    "postgres_server": "postgres",
    "secret_service": "keyring",
    "chromium_browser": "browser",
    "xvfb_server": "xvfb",
}


def _start(what: str, start: Callable[[], T]) -> T:
    """Run `start`; turn a ServiceError into a test failure (never a skip) that says what to do."""
    try:
        return start()
    except ServiceError as exc:
        message = f"{what} is not available: {exc}"
    # Failing outside the except block keeps the report to the one readable message.
    pytest.fail(message, pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker this plugin adds that pyproject.toml does not list."""
    config.addinivalue_line("markers", "xvfb: needs a real X server (Xvfb) for the xcb platform")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with the layers its fixtures pull in."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, marker in LAYER_MARKERS.items():
            if fixture in names:
                item.add_marker(marker)


# ------------------------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresCluster]:
    """A private PostgreSQL cluster for the whole session (started on first use)."""
    from tests.helpers.pgcluster import PostgresCluster

    cluster = _start("PostgreSQL", PostgresCluster.start)
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_database_factory(postgres_server: PostgresCluster) -> Iterator[Callable[[], str]]:
    """Call it to get the URL of another fresh, empty database; all are dropped after the test."""
    created: list[str] = []

    def create() -> str:
        url = postgres_server.create_database()
        created.append(url.rsplit("/", 1)[1])
        return url

    yield create
    for name in created:
        postgres_server.drop_database(name)


@pytest.fixture
def postgres_url(postgres_database_factory: Callable[[], str]) -> str:
    """`postgresql+psycopg://postgres@127.0.0.1:PORT/t_xxx`: a fresh, empty database."""
    return postgres_database_factory()


# --------------------------------------------------------------------------- Secret Service


@pytest.fixture(scope="session")
def _secret_service_session() -> Iterator[SecretServiceSession]:
    session = _start("The Secret Service (gnome-keyring on D-Bus)", SecretServiceSession.start)
    yield session
    session.stop()


@pytest.fixture
def secret_service(
    _secret_service_session: SecretServiceSession, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretServiceSession]:
    """Route this test's keyring calls to a private, unlocked gnome-keyring; empty it afterwards.

    Sets DBUS_SESSION_BUS_ADDRESS and PYTHON_KEYRING_BACKEND for the test (restored after) and
    makes `keyring.get_keyring()` a SecretService backend. `session.backend()` makes new
    backend instances; `session.environment()` gives the variables for child processes.
    """
    import keyring

    session = _secret_service_session
    # Taken before the variables change, so an uninitialised keyring resolves to the suite default.
    previous = keyring.get_keyring()
    for key, value in session.environment().items():
        monkeypatch.setenv(key, value)
    keyring.set_keyring(session.backend())
    try:
        yield session
    finally:
        keyring.set_keyring(previous)
        session.clear()


# -------------------------------------------------------------------------------- Chromium


@pytest.fixture(scope="session")
def _chromium_ready() -> None:
    from tests.helpers.browser import require_chromium, require_playwright_driver

    _start("Chromium", require_chromium)
    _start("Playwright", require_playwright_driver)


@pytest_asyncio.fixture
async def chromium_browser(_chromium_ready: None) -> AsyncIterator[Browser]:
    """Headless Debian Chromium under Playwright's async API (fresh profile, offline flags)."""
    from playwright.async_api import async_playwright

    from tests.helpers.browser import launch_chromium

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        yield browser
        await browser.close()


@pytest_asyncio.fixture
async def phone_page(chromium_browser: Browser) -> AsyncIterator[Page]:
    """A page in a phone-sized context (390x844, touch); uncaught page errors fail the test."""
    from tests.helpers.browser import DEFAULT_TIMEOUT_MS, PHONE

    context = await chromium_browser.new_context(**PHONE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    await context.close()
    if errors:
        pytest.fail("uncaught errors in the page:\n" + "\n".join(errors), pytrace=False)


# ------------------------------------------------------------------------------------- Xvfb


@pytest.fixture(scope="session")
def xvfb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XvfbServer]:
    """A private Xvfb for the session; `.environment()` gives DISPLAY + QT_QPA_PLATFORM=xcb."""
    log = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    server = _start("Xvfb", lambda: XvfbServer.start(log))
    yield server
    server.stop()


@pytest.fixture
def xvfb_display(xvfb_server: XvfbServer) -> str:
    """The DISPLAY value (":N") of the session's Xvfb; it is not set in this process."""
    return xvfb_server.display


# ------------------------------------------------------------------------------- processes


@pytest.fixture
def process_runner(tmp_path: Path) -> Iterator[ProcessRunner]:
    """Start real subprocesses with `.start(args, ready_url=...)`; all are killed after the test."""
    runner = ProcessRunner(tmp_path / "process-logs")
    try:
        yield runner
    finally:
        runner.stop_all()
