"""The binding vault: the device credential and the binding reference, in the OS keyring.

Two secrets per backend URL and nothing else, under the keyring service
`tvclient <backend URL>` (usernames `device-credential` and `binding-ref`), so one device can
be pointed at several backends without mixing them up.

No usable keyring is an error, never a quiet plaintext file: `KeyringUnavailableError` says
what is wrong and how to fix it. "Usable" excludes keyring's `fail` and `null` backends and the
`keyrings.alt` file backends (base64 or a master password next to the file, see
reference/platform.md item 10); a chained backend is narrowed to its secure members, so a miss
in the Secret Service never falls through to a plaintext file.

The only way to keep secrets in a file is the operator saying so (`keyring_fallback = "file"`
in the settings): a `SecretFile` (JSON, mode 0600, under the user data dir) is then used when
the keyring is unusable, with a warning every time the vault starts using it. Secrets found
in that file are moved into the keyring as soon as the keyring works again.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tvclient.device.client import normalise_backend_url
from tvclient.device.errors import KeyringUnavailableError, VaultError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = [
    "BINDING",
    "CREDENTIAL",
    "BindingVault",
    "SecretFile",
    "default_fallback_path",
    "usable_backend",
]

_log = logging.getLogger(__name__)

T = TypeVar("T")

CREDENTIAL = "device-credential"
BINDING = "binding-ref"

_FIX = (
    "The device keeps its credential and wallet binding only in the OS keyring. To fix: "
    "install and unlock a Secret Service - on Debian/Ubuntu `apt install gnome-keyring` and "
    "log in to a desktop session, or on a kiosk start it unlocked in the app's D-Bus session "
    "(`echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets`); KWallet works "
    "too; pin the backend with PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring "
    "if several are installed. Or, accepting that the secrets are then stored unencrypted, set "
    '"keyring_fallback": "file" in the settings file. `tvclient doctor` checks this.'
)


def default_fallback_path() -> Path:
    """Where the explicit file fallback keeps secrets (`~/.local/share/tvclient/secrets.json`)."""
    from platformdirs import user_data_path

    return user_data_path("tvclient") / "secrets.json"


@functools.cache
def _backend_errors() -> tuple[type[BaseException], ...]:
    """What keyring backends raise when they cannot work (some errors are not keyring's own).

    Worked out on the first keyring call, not at import: keyring, secretstorage and its crypto
    stack load only when the vault is first used, on the app's worker thread.
    """
    from keyring.errors import KeyringError

    errors: list[type[BaseException]] = [KeyringError, OSError, RuntimeError]
    with contextlib.suppress(ImportError):
        from secretstorage.exceptions import SecretStorageException

        errors.append(SecretStorageException)
    with contextlib.suppress(ImportError):
        from jeepney.wrappers import DBusErrorResponse  # type: ignore[import-untyped]

        errors.append(DBusErrorResponse)
    return tuple(errors)


def _unusable(reason: str) -> KeyringUnavailableError:
    return KeyringUnavailableError(reason, _FIX)


def _why(exc: BaseException) -> str:
    from keyring.errors import InitError, KeyringLocked

    if isinstance(exc, KeyringLocked):
        return "the keyring is locked and could not be unlocked"
    if isinstance(exc, InitError):
        return f"the keyring could not be opened ({exc})"
    return f"the keyring backend failed ({type(exc).__name__}: {exc})"


def _insecure(backend: KeyringBackend) -> str | None:
    """Why `backend` must not hold the device's secrets, or None when it may."""
    module = type(backend).__module__
    if module == "keyring.backends.fail":
        return "no keyring backend is installed or running (keyring chose its 'fail' backend)"
    if module == "keyring.backends.null":
        return "the keyring is switched off (keyring's 'null' backend is configured)"
    if module.startswith("keyrings.alt"):
        return (
            f"the configured backend {type(backend).__name__} from keyrings.alt keeps secrets "
            "in a file without real protection"
        )
    return None


def usable_backend(candidate: KeyringBackend) -> KeyringBackend:
    """The secure backend to use from `candidate` (a chained backend is narrowed).

    Raises:
        KeyringUnavailableError: nothing secure is available.
    """
    from keyring.backends.chainer import ChainerBackend

    if isinstance(candidate, ChainerBackend):
        members: list[KeyringBackend] = list(candidate.backends)
        secure = [member for member in members if _insecure(member) is None]
        if not secure:
            reasons = "; ".join(filter(None, (_insecure(m) for m in members)))
            raise _unusable(reasons or "no keyring backend is installed or running")
        # `backends` is sorted by priority, highest first.
        chosen: KeyringBackend = secure[0]
        return chosen
    reason = _insecure(candidate)
    if reason is not None:
        raise _unusable(reason)
    return candidate


class SecretFile:
    """The operator-chosen plaintext fallback: `{service: {name: secret}}` in a 0600 JSON file.

    Not encrypted. It exists so that a device with no Secret Service can still work when its
    operator explicitly accepts that (settings `keyring_fallback = "file"`).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        """The file."""
        return self._path

    def get(self, service: str, name: str) -> str | None:
        """The secret, or None."""
        with self._lock:
            value = self._read().get(service, {}).get(name)
            return value if isinstance(value, str) else None

    def set(self, service: str, name: str, secret: str) -> None:
        """Store a secret."""
        with self._lock:
            data = self._read()
            data.setdefault(service, {})[name] = secret
            self._write(data)

    def delete(self, service: str, name: str) -> None:
        """Remove a secret (no error when absent)."""
        with self._lock:
            data = self._read()
            if name in data.get(service, {}):
                del data[service][name]
                if not data[service]:
                    del data[service]
                self._write(data)

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise VaultError(f"cannot read the secrets file {self._path}: {exc}") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise VaultError(
                f"the secrets file {self._path} is not valid JSON; delete it and bind again"
            ) from None
        if not isinstance(data, dict) or not all(
            isinstance(v, dict) and all(isinstance(s, str) for s in v.values())
            for v in data.values()
        ):
            raise VaultError(
                f"the secrets file {self._path} is malformed; delete it and bind again"
            )
        return data

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        temporary = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
        try:
            self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self._path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise VaultError(f"cannot write the secrets file {self._path}: {exc}") from None


class BindingVault:
    """The device credential and the binding reference for one backend URL.

    Args:
        backend_url: The merchant backend these secrets belong to.
        keyring_backend: The keyring backend; None asks `keyring.get_keyring()` on each use
            (which follows PYTHON_KEYRING_BACKEND and keyringrc.cfg).
        fallback: The explicit plaintext fallback, only when the operator configured it.

    Every method raises `KeyringUnavailableError` (with the fix in its message) when no usable
    keyring backend exists and no fallback was configured, and `VaultError` when the fallback
    file is unusable. Calls are blocking (D-Bus); run them off the UI thread.
    """

    def __init__(
        self,
        backend_url: str,
        *,
        keyring_backend: KeyringBackend | None = None,
        fallback: SecretFile | None = None,
    ) -> None:
        self._service = f"tvclient {normalise_backend_url(backend_url)}"
        self._injected = keyring_backend
        self._fallback = fallback
        self._warned = False

    @property
    def service(self) -> str:
        """The keyring service name of this backend's secrets."""
        return self._service

    # ------------------------------------------------------------------ the two secrets
    def credential(self) -> str | None:
        """The device credential, or None before enrolment."""
        return self._get(CREDENTIAL)

    def store_credential(self, credential: str) -> None:
        """Keep the device credential."""
        self._set(CREDENTIAL, credential)

    def binding_ref(self) -> str | None:
        """The binding reference, or None when not bound."""
        return self._get(BINDING)

    def store_binding(self, ref: str) -> None:
        """Keep the binding reference (replacing any earlier one)."""
        self._set(BINDING, ref)

    def forget_binding(self) -> None:
        """Forget the binding reference."""
        self._delete(BINDING)

    def clear(self) -> None:
        """Forget both secrets of this backend (a booth reset, or a credential gone stale)."""
        self._delete(BINDING)
        self._delete(CREDENTIAL)

    def describe(self) -> str:
        """Which store holds the secrets now, for `tvclient doctor` and logs.

        Raises:
            KeyringUnavailableError: no usable keyring and no fallback configured.
        """
        backend = self._backend_or_none()
        if backend is not None:
            return f"keyring backend {type(backend).__module__}.{type(backend).__name__}"
        fallback = self._use_fallback("no usable keyring backend")
        return f"UNENCRYPTED file {fallback.path} (keyring_fallback = file)"

    # ------------------------------------------------------------------ plumbing
    def _candidate(self) -> KeyringBackend:
        if self._injected is not None:
            return self._injected
        import keyring

        candidate: KeyringBackend = keyring.get_keyring()
        return candidate

    def _backend_or_none(self) -> KeyringBackend | None:
        """The usable keyring backend; None when the fallback is to be used instead."""
        try:
            return usable_backend(self._candidate())
        except KeyringUnavailableError:
            if self._fallback is None:
                raise
            self._use_fallback("no usable keyring backend")
            return None

    def _use_fallback(self, why: str) -> SecretFile:
        if self._fallback is None:  # callers check first; this keeps the promise explicit
            raise _unusable(why)
        if not self._warned:
            self._warned = True
            _log.warning(
                "%s: keeping the device credential and binding UNENCRYPTED in %s because the "
                "settings say keyring_fallback = file; install and unlock a Secret Service to "
                "protect them",
                why, self._fallback.path,
            )
        return self._fallback

    def _keyring_call(self, operation: Callable[[], T]) -> T:
        try:
            return operation()
        except _backend_errors() as exc:
            raise _unusable(_why(exc)) from None

    def _get(self, name: str) -> str | None:
        backend = self._backend_or_none()
        if backend is None:
            return self._use_fallback("no usable keyring backend").get(self._service, name)
        try:
            value = self._keyring_call(lambda: backend.get_password(self._service, name))
        except KeyringUnavailableError as exc:
            if self._fallback is None:
                raise
            return self._use_fallback(exc.reason).get(self._service, name)
        if value is None and self._fallback is not None:
            value = self._migrate(backend, name)
        return value

    def _migrate(self, backend: KeyringBackend, name: str) -> str | None:
        """Move a secret the fallback file kept while the keyring was unusable into the keyring."""
        if self._fallback is None:
            return None
        value = self._fallback.get(self._service, name)
        if value is None:
            return None
        with contextlib.suppress(KeyringUnavailableError):
            self._keyring_call(lambda: backend.set_password(self._service, name, value))
            self._fallback.delete(self._service, name)
            _log.info("moved %s from the fallback file into the keyring", name)
        return value

    def _set(self, name: str, secret: str) -> None:
        backend = self._backend_or_none()
        if backend is None:
            self._use_fallback("no usable keyring backend").set(self._service, name, secret)
            return
        try:
            self._keyring_call(lambda: backend.set_password(self._service, name, secret))
        except KeyringUnavailableError as exc:
            if self._fallback is None:
                raise
            self._use_fallback(exc.reason).set(self._service, name, secret)
            return
        if self._fallback is not None:
            self._fallback.delete(self._service, name)

    def _delete(self, name: str) -> None:
        backend = self._backend_or_none()
        if backend is not None:
            try:
                self._keyring_call(lambda: _delete_quietly(backend, self._service, name))
            except KeyringUnavailableError:
                if self._fallback is None:
                    raise
        if self._fallback is not None:
            self._fallback.delete(self._service, name)


def _delete_quietly(backend: KeyringBackend, service: str, name: str) -> None:
    from keyring.errors import PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError):
        backend.delete_password(service, name)

