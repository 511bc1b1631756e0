"""The binding vault against a real Secret Service (gnome-keyring on a private D-Bus)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers.secret_service import SecretServiceSession
from tvclient.device.vault import BindingVault

URL = "http://127.0.0.1:8765"
ROOT = Path(__file__).resolve().parents[2]


def test_secrets_survive_a_new_backend_instance(secret_service: SecretServiceSession) -> None:
    """What one vault stores in the Secret Service, a vault on a new connection reads back."""
    writer = BindingVault(URL)  # keyring.get_keyring(): the Secret Service here
    assert "SecretService" in writer.describe()
    writer.store_credential("tvd_real_secret")
    writer.store_binding("bnd_real")
    reader = BindingVault(URL, keyring_backend=secret_service.backend())
    assert reader.credential() == "tvd_real_secret"
    assert reader.binding_ref() == "bnd_real"
    reader.forget_binding()
    assert BindingVault(URL, keyring_backend=secret_service.backend()).binding_ref() is None


def test_secrets_survive_an_app_restart(secret_service: SecretServiceSession) -> None:
    """A binding stored by one process is there for the next process (an app restart)."""
    BindingVault(URL).store_binding("bnd_across_processes")
    BindingVault(URL).store_credential("tvd_across_processes")
    script = textwrap.dedent(
        f"""
        from tvclient.device.vault import BindingVault
        vault = BindingVault({URL!r})
        print(vault.binding_ref(), vault.credential())
        vault.clear()
        """
    )
    env = {**os.environ, **secret_service.environment(), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
        check=False, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["bnd_across_processes", "tvd_across_processes"]
    # the other process's clear() is visible here too
    assert BindingVault(URL, keyring_backend=secret_service.backend()).credential() is None


def test_two_backends_do_not_share_secrets(secret_service: SecretServiceSession) -> None:
    """Each backend URL has its own items in the Secret Service."""
    BindingVault("https://a.example").store_credential("a")
    BindingVault("https://b.example").store_credential("b")
    assert BindingVault("https://a.example").credential() == "a"
    assert BindingVault("https://b.example").credential() == "b"
