"""No usable keyring: the app says so, with how to fix it, instead of pretending to work."""

from __future__ import annotations

import pytest
from keyring.backends.fail import Keyring as FailKeyring
from pytestqt.qtbot import QtBot

from tests.app.conftest import BACKEND_URL, MakeShell
from tests.app.ui import find_item, wait_focus
from tvclient.device.vault import BindingVault


@pytest.fixture
def vault() -> BindingVault:
    """A vault on keyring's 'fail' backend: what a machine without a Secret Service gets."""
    return BindingVault(BACKEND_URL, keyring_backend=FailKeyring())  # type: ignore[no-untyped-call]


def test_missing_keyring_is_explained(qtbot: QtBot, make_shell: MakeShell) -> None:
    """The notice names the problem and the fix; nothing is enrolled or stored in plain text."""
    shell = make_shell(store=False)
    connection = shell.model.connection_model
    qtbot.waitUntil(lambda: connection.offline_)
    assert connection.view("title") == "This TV can't keep your wallet link safe"
    message = connection.view("message")
    assert "keyring" in message.lower()
    wait_focus(qtbot, shell, "retryButton")
    shown = find_item(shell, "offline")
    assert shown is not None
    assert shell.model.store_model.rows.rowCount() == 0
