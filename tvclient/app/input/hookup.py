"""The input layer and the Pay guard, attached to a running app window (Qt)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tvclient.app.input.layer import InputLayer
from tvclient.app.input.payguard import PayGuard
from tvclient.app.input.settings import InputSettings
from tvclient.device.safety.paygate import PayGate

if TYPE_CHECKING:
    from tvclient.app.shell import AppShell

__all__ = ["InputHookup"]


class InputHookup:
    """Remote, controller and CEC input for `shell`'s window, and the guard on its Pay control.

    `AppShell` installs one by itself; the booth builds the shell without it and installs it
    after its own kiosk filter, because the order of a window's event filters decides who
    sees a key first.
    """

    def __init__(self, shell: AppShell) -> None:
        services = shell.services
        self.layer = InputLayer(
            shell.window,
            InputSettings.from_mapping(dict(services.input_settings)),
            clock=services.clock,
            config_dir=services.config_dir,
        )
        self.layer.start()
        product = shell.model.product_model
        guard = PayGuard(
            router=self.layer.router,
            gate=PayGate(services.clock, services.safety_settings),
            window=shell.window,
            parent=product,
        )
        product.attach_guard(guard)

    def close(self) -> None:
        """Stop the input backends and take the router off the window."""
        self.layer.close()
