"""The real app on the real device core over the app's fake backend, input layer built here.

The app's own UI fixtures (tests/app/conftest.py: fake backend, memory keyring, clock, safety
state, options, services) are shared with these tests. The app is built without its input
hookup and the test installs the input layer itself, with a scripted CEC adapter and SDL's
virtual controllers, so each device kind can drive the whole app alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from tests.app import conftest as app_fixtures
from tests.app.fake_backend import FakeBackend
from tests.app.ui import screen, settle
from tests.helpers.clock import FakeClock
from tvclient.app.input.cec.scripted import ScriptedCecSource
from tvclient.app.input.layer import InputLayer
from tvclient.app.input.payguard import PayGuard
from tvclient.app.input.settings import InputSettings
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell
from tvclient.device.safety.paygate import PayGate
from tvclient.device.safety.settings import SafetySettings

# Every fixture of the app's UI tests, shared here (whatever the app helper adds or renames).
globals().update(
    {
        name: value for name, value in vars(app_fixtures).items()
        if type(value).__name__ == "FixtureFunctionDefinition"
        and getattr(value, "__module__", "") == app_fixtures.__name__
    }
)


@dataclass
class DrivenApp:
    """The app and the input layer the test installed on it."""

    shell: AppShell
    layer: InputLayer
    cec: ScriptedCecSource
    clock: FakeClock
    backend: FakeBackend

    def advance(self, seconds: float) -> None:
        """Move the fake clock on the worker loop, where the device core's sleepers wait."""
        self.shell.worker.call_sync(lambda: self.clock.advance(seconds))


@pytest.fixture
def make_app(qtbot: QtBot, request: pytest.FixtureRequest) -> Iterator[Callable[..., DrivenApp]]:
    """Build and show the app with an input layer of the test's own; closed at the end."""
    made: list[DrivenApp] = []
    app_options: AppOptions = request.getfixturevalue("options")
    app_services: AppServices = request.getfixturevalue("services")
    backend: FakeBackend = request.getfixturevalue("backend")
    fake_clock: FakeClock = request.getfixturevalue("clock")
    safety: SafetySettings = request.getfixturevalue("safety_settings")

    def make(settings: InputSettings | None = None) -> DrivenApp:
        shell = AppShell(app_options, app_services, install_input=False)
        cec = ScriptedCecSource("TV")
        layer = InputLayer(
            shell.window, settings or InputSettings(), clock=fake_clock, config_dir=None,
            cec_sources=[cec],
        )
        app = DrivenApp(shell, layer, cec, fake_clock, backend)
        made.append(app)
        shell.show()
        qtbot.waitUntil(shell.window.isActive, timeout=3000)
        layer.start()
        guard = PayGuard(
            router=layer.router, gate=PayGate(fake_clock, safety), window=shell.window,
            parent=shell.model.product_model,
        )
        shell.model.product_model.attach_guard(guard)
        start = screen(shell)
        settle(qtbot, shell, start)
        if start == "home":
            rows = shell.model.store_model.rows
            qtbot.waitUntil(lambda: rows.rowCount() > 0, timeout=3000)
        return app

    yield make
    for app in made:
        app.layer.close()
        app.shell.close()
