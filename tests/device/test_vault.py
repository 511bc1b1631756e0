"""The binding vault: keyring round trips, no silent plaintext, the explicit file fallback."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.backends.fail import Keyring
from keyring.compat import properties
from keyring.errors import InitError, KeyringLocked, NoKeyringError

from tvclient.device.errors import KeyringUnavailableError, VaultError
from tvclient.device.memory_keyring import MemoryKeyring
from tvclient.device.vault import BINDING, CREDENTIAL, BindingVault, SecretFile, usable_backend

URL = "https://shop.example"


def FailKeyring() -> KeyringBackend:
    """Keyring's own "no backend" backend."""
    backend: KeyringBackend = Keyring()  # type: ignore[no-untyped-call]
    return backend


class BrokenKeyring(MemoryKeyring):
    """A backend whose every call raises `error`."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


def plaintext_backend() -> MemoryKeyring:
    """Something that looks like keyrings.alt's PlaintextKeyring to the vault."""
    cls = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    backend: MemoryKeyring = cls()
    return backend


def test_round_trip_of_both_secrets(memory_keyring: MemoryKeyring) -> None:
    """Credential and binding reference go in and come back, under the backend's service."""
    vault = BindingVault("HTTPS://Shop.Example/", keyring_backend=memory_keyring)
    assert vault.service == "tvclient https://shop.example"
    assert vault.credential() is None
    assert vault.binding_ref() is None
    vault.store_credential("tvd_abc")
    vault.store_binding("bnd_1")
    assert (vault.credential(), vault.binding_ref()) == ("tvd_abc", "bnd_1")
    assert set(memory_keyring.items) == {(vault.service, CREDENTIAL), (vault.service, BINDING)}
    vault.forget_binding()
    assert vault.binding_ref() is None
    assert vault.credential() == "tvd_abc"
    vault.forget_binding()  # forgetting twice is harmless
    vault.clear()
    assert memory_keyring.items == {}
    assert "MemoryKeyring" in vault.describe()


def test_nothing_but_the_two_secrets_is_kept(memory_keyring: MemoryKeyring) -> None:
    """The vault writes exactly two items per backend and nothing else."""
    vault = BindingVault(URL, keyring_backend=memory_keyring)
    vault.store_credential("c")
    vault.store_binding("b1")
    vault.store_binding("b2")
    assert len(memory_keyring.items) == 2


def test_no_keyring_backend_is_a_clear_error() -> None:
    """The fail backend of keyring: KeyringUnavailableError saying how to fix it."""
    vault = BindingVault(URL, keyring_backend=FailKeyring())
    with pytest.raises(KeyringUnavailableError) as caught:
        vault.store_credential("c")
    message = str(caught.value)
    assert "no keyring backend is installed or running" in message
    assert "gnome-keyring" in message
    assert '"keyring_fallback": "file"' in message
    assert caught.value.code == "KEYRING_UNAVAILABLE"


def test_the_default_backend_in_tests_is_refused() -> None:
    """With keyring left to choose (pinned to 'fail' in the suite), the vault refuses clearly."""
    vault = BindingVault(URL)
    with pytest.raises(KeyringUnavailableError, match="fail"):
        vault.credential()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (NoKeyringError("No recommended backend"), "backend failed"),
        (KeyringLocked("Failed to unlock the collection!"), "locked"),
        (InitError("Prompt dismissed"), "could not be opened"),
        (OSError("no bus"), "backend failed"),
    ],
)
def test_backend_failures_become_keyring_unavailable(error: Exception, words: str) -> None:
    """A locked, uninitialised or missing keyring raises the typed error with the fix."""
    vault = BindingVault(URL, keyring_backend=BrokenKeyring(error))
    with pytest.raises(KeyringUnavailableError) as caught:
        vault.binding_ref()
    assert words in caught.value.reason
    assert "Secret Service" in caught.value.fix


def test_plaintext_backends_are_refused() -> None:
    """keyrings.alt's file backends are not a keyring for the device's secrets."""
    with pytest.raises(KeyringUnavailableError, match=r"keyrings\.alt"):
        BindingVault(URL, keyring_backend=plaintext_backend()).store_credential("c")


class PretendChainer(ChainerBackend):
    """A chained backend with fixed members (never chosen by keyring itself)."""

    viable = False
    members: list[MemoryKeyring] = []  # noqa: RUF012 - set per test

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    @properties.classproperty
    def backends(cls) -> list[MemoryKeyring]:  # noqa: N805 - a class property
        return cls.members


def test_a_chain_is_narrowed_to_its_secure_member(memory_keyring: MemoryKeyring) -> None:
    """A chain of Secret Service + plaintext file never falls through to the file."""
    plaintext = plaintext_backend()
    plaintext.items[("tvclient https://shop.example", CREDENTIAL)] = "from-the-file"
    PretendChainer.members = [memory_keyring, plaintext]
    chosen = usable_backend(PretendChainer())
    assert chosen is memory_keyring
    vault = BindingVault(URL, keyring_backend=PretendChainer())
    assert vault.credential() is None  # a miss stays a miss
    vault.store_credential("c")
    assert memory_keyring.items == {("tvclient https://shop.example", CREDENTIAL): "c"}


def test_a_chain_of_insecure_members_is_refused() -> None:
    """A chain holding only plaintext backends is no keyring."""
    PretendChainer.members = [plaintext_backend()]
    with pytest.raises(KeyringUnavailableError, match=r"keyrings\.alt"):
        usable_backend(PretendChainer())


def test_the_explicit_file_fallback_works_and_warns(tmp_path: Path, expect_log: None,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """Configured fallback: secrets in a 0600 file, with a warning naming it."""
    path = tmp_path / "data" / "secrets.json"
    vault = BindingVault(URL, keyring_backend=FailKeyring(), fallback=SecretFile(path))
    vault.store_credential("tvd_abc")
    vault.store_binding("bnd_1")
    assert (vault.credential(), vault.binding_ref()) == ("tvd_abc", "bnd_1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {
        vault.service: {CREDENTIAL: "tvd_abc", BINDING: "bnd_1"}}
    assert "UNENCRYPTED" in caplog.text
    assert str(path) in caplog.text
    assert "UNENCRYPTED file" in vault.describe()
    vault.clear()
    assert json.loads(path.read_text()) == {}


def test_a_locked_keyring_with_fallback_uses_the_file(tmp_path: Path, expect_log: None) -> None:
    """The fallback also covers a keyring that exists but will not open."""
    path = tmp_path / "secrets.json"
    vault = BindingVault(URL, keyring_backend=BrokenKeyring(KeyringLocked("locked")),
                         fallback=SecretFile(path))
    vault.store_binding("bnd_1")
    assert vault.binding_ref() == "bnd_1"


def test_secrets_move_from_the_file_into_a_working_keyring(tmp_path: Path,
                                                           memory_keyring: MemoryKeyring,
                                                           expect_log: None) -> None:
    """Once the keyring works, what the fallback file held moves into it."""
    path = tmp_path / "secrets.json"
    BindingVault(URL, keyring_backend=FailKeyring(), fallback=SecretFile(path)
                 ).store_credential("tvd_abc")
    vault = BindingVault(URL, keyring_backend=memory_keyring, fallback=SecretFile(path))
    assert vault.credential() == "tvd_abc"
    assert memory_keyring.items == {(vault.service, CREDENTIAL): "tvd_abc"}
    assert json.loads(path.read_text()) == {}


def test_a_corrupt_fallback_file_is_a_vault_error(tmp_path: Path, expect_log: None) -> None:
    """A damaged secrets file is reported, not guessed at."""
    path = tmp_path / "secrets.json"
    path.write_text("{not json")
    vault = BindingVault(URL, keyring_backend=FailKeyring(), fallback=SecretFile(path))
    with pytest.raises(VaultError, match="not valid JSON"):
        vault.credential()
    path.write_text('{"svc": ["x"]}')
    with pytest.raises(VaultError, match="malformed"):
        vault.credential()


def test_each_backend_url_has_its_own_secrets(memory_keyring: MemoryKeyring) -> None:
    """Two backends on one device keep separate credentials."""
    a = BindingVault("https://a.example", keyring_backend=memory_keyring)
    b = BindingVault("https://b.example/", keyring_backend=memory_keyring)
    a.store_credential("cred-a")
    b.store_credential("cred-b")
    assert (a.credential(), b.credential()) == ("cred-a", "cred-b")
    a.clear()
    assert b.credential() == "cred-b"
