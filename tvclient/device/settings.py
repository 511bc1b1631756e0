"""The device settings: a small typed object in one JSON file in the user config dir.

The file (`~/.config/tvclient/settings.json` on Linux; the path is injectable) holds:

- the typed settings (`DeviceSettings`): backend URL, language, controller navigation, A/B
  swap, hold-to-confirm, the explicit keyring fallback, and any further `input.*` /
  `purchase.*` options the input and safety layers read (`options`);
- a `state` section: small JSON values kept by the device core through the `StateStore`
  protocol (`load(key)` / `save(key, value)`): the purchase PIN hash, the spending cap and its
  reservations (owned by `tvclient.device.safety`), and the pending purchase intents (owned
  by `tvclient.device.intents`).

Nothing secret is stored here: the credential and the binding reference live in the keyring
(`tvclient.device.vault`); the PIN only as a salted hash.

Bad files never crash the app and are never silently lost:

- unreadable JSON is moved aside (`settings.json.corrupt`, `.corrupt.2`, ...) with a warning
  naming where, and defaults are used;
- a value of the wrong type falls back to its default with a warning naming the key, and the
  original file is first copied aside the same way, so nothing in it is lost;
- a file that cannot be read or written at all (permissions, disk) is a `SettingsError`.

Writes are atomic (a temporary file renamed over the old one) and private (mode 0600).
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import re
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tvclient.device.client import normalise_backend_url
from tvclient.device.errors import SettingsError
from tvclient.device.safety.store import JsonValue

__all__ = [
    "FORMAT",
    "DeviceSettings",
    "KeyringFallback",
    "LanguagePreference",
    "SettingsStore",
    "default_settings_path",
]

_log = logging.getLogger(__name__)

FORMAT = 1
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}")
_TYPED_KEYS = (
    "backend_url",
    "language",
    "controller_navigation",
    "swap_ab",
    "hold_to_confirm",
    "keyring_fallback",
)


def default_settings_path() -> Path:
    """`settings.json` in the user config dir (`~/.config/tvclient/` on Linux)."""
    from platformdirs import user_config_path

    return user_config_path("tvclient") / "settings.json"


class KeyringFallback(StrEnum):
    """Where secrets go when no keyring backend is usable."""

    NONE = "none"  # nowhere: the vault raises KeyringUnavailableError (the default)
    FILE = "file"  # a 0600 file under the user data dir, with a warning (operator's choice)


@dataclass(frozen=True, slots=True)
class DeviceSettings:
    """The device's settings.

    Attributes:
        backend_url: The merchant backend; None runs the embedded demo stack.
        language: The buyer's language (`en`, `zh-HK`, `id`); None before the first choice.
        controller_navigation: Game controllers drive the UI (`input.controller_navigation`).
        swap_ab: Nintendo-style buttons: B is OK and A is Back (`input.swap_ab`).
        hold_to_confirm: Pay needs OK held (`purchase.hold_to_confirm`).
        keyring_fallback: Where secrets go without a usable keyring (explicit opt-in only).
        options: Further `input.*` / `purchase.*` options, by their dotted key.
    """

    backend_url: str | None = None
    language: str | None = None
    controller_navigation: bool = True
    swap_ab: bool = False
    hold_to_confirm: bool = False
    keyring_fallback: KeyringFallback = KeyringFallback.NONE
    options: Mapping[str, JsonValue] = field(default_factory=dict)

    def mapping(self) -> dict[str, object]:
        """The flat `input.*` / `purchase.*` mapping the input and safety layers parse."""
        values: dict[str, object] = dict(self.options)
        values["input.controller_navigation"] = self.controller_navigation
        values["input.swap_ab"] = self.swap_ab
        values["purchase.hold_to_confirm"] = self.hold_to_confirm
        return values

    def replace(self, **changes: Any) -> DeviceSettings:
        """A copy with `changes` applied (field names as above), validated.

        Raises:
            SettingsError: a changed value has the wrong type or form.
        """
        problems: list[str] = []
        candidate = _settings_from(
            {**_settings_to(self), **{k: _plain(v) for k, v in changes.items()}}, problems
        )
        unknown = set(changes) - set(_TYPED_KEYS) - {"options"}
        problems.extend(f"{key}: no such setting" for key in sorted(unknown))
        if problems:
            raise SettingsError("bad settings: " + "; ".join(problems))
        return candidate


def _plain(value: object) -> object:
    if isinstance(value, KeyringFallback):
        return value.value
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _settings_to(settings: DeviceSettings) -> dict[str, object]:
    return {
        "backend_url": settings.backend_url,
        "language": settings.language,
        "controller_navigation": settings.controller_navigation,
        "swap_ab": settings.swap_ab,
        "hold_to_confirm": settings.hold_to_confirm,
        "keyring_fallback": settings.keyring_fallback.value,
        "options": copy.deepcopy(dict(settings.options)),
    }


def _settings_from(data: Mapping[str, object], problems: list[str]) -> DeviceSettings:
    """Typed settings from a document; bad values take their default and are named."""
    defaults = DeviceSettings()

    url: str | None = None
    raw_url = data.get("backend_url")
    if raw_url is not None:
        try:
            if not isinstance(raw_url, str):
                raise ValueError("not a string")
            url = normalise_backend_url(raw_url)
        except ValueError as exc:
            problems.append(f"backend_url: {exc}")

    language: str | None = None
    raw_language = data.get("language")
    if raw_language is not None:
        if isinstance(raw_language, str) and _LANGUAGE_RE.fullmatch(raw_language):
            language = raw_language
        else:
            problems.append(f"language: {raw_language!r:.40} is not a language tag")

    def flag(key: str, default: bool) -> bool:
        value = data.get(key, default)
        if isinstance(value, bool):
            return value
        problems.append(f"{key}: must be true or false, not {value!r:.40}")
        return default

    fallback = defaults.keyring_fallback
    raw_fallback = data.get("keyring_fallback", fallback.value)
    try:
        if not isinstance(raw_fallback, str):
            raise ValueError(raw_fallback)
        fallback = KeyringFallback(raw_fallback)
    except ValueError:
        problems.append(f'keyring_fallback: must be "none" or "file", not {raw_fallback!r:.40}')

    options: dict[str, JsonValue] = {}
    raw_options = data.get("options", {})
    if isinstance(raw_options, dict) and all(isinstance(k, str) for k in raw_options):
        options = copy.deepcopy(raw_options)
    else:
        problems.append("options: must be an object of dotted keys")

    return DeviceSettings(
        backend_url=url,
        language=language,
        controller_navigation=flag("controller_navigation", defaults.controller_navigation),
        swap_ab=flag("swap_ab", defaults.swap_ab),
        hold_to_confirm=flag("hold_to_confirm", defaults.hold_to_confirm),
        keyring_fallback=fallback,
        options=options,
    )


class SettingsStore:
    """The settings file: typed settings plus the `state` section (a `StateStore`).

    The file is read once, on first use; later reads come from memory and every change is
    written through at once. Safe to use from more than one thread.

    Args:
        path: The settings file (`default_settings_path()` in the app; a temp path in tests).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.RLock()
        self._settings: DeviceSettings | None = None
        self._state: dict[str, JsonValue] = {}
        self._extra: dict[str, object] = {}
        self._problems: list[str] = []

    @property
    def path(self) -> Path:
        """The settings file."""
        return self._path

    @property
    def problems(self) -> list[str]:
        """What was wrong with the file when it was read (empty when it was fine)."""
        self._ensure()
        return list(self._problems)

    # ------------------------------------------------------------------ typed settings
    def read(self) -> DeviceSettings:
        """The current settings (defaults when there is no file yet).

        Raises:
            SettingsError: the file exists but cannot be read at all.
        """
        return self._ensure()

    def write(self, settings: DeviceSettings) -> None:
        """Replace the settings and write the file.

        Raises:
            SettingsError: the file cannot be written (nothing changes in memory then).
        """
        with self._lock:
            self._ensure()
            self._commit(settings, self._state)

    def update(self, **changes: Any) -> DeviceSettings:
        """Change some settings (`update(language="id")`), write the file, return the result.

        Raises:
            SettingsError: a value is bad (nothing is written), or the file cannot be written.
        """
        with self._lock:
            updated = self._ensure().replace(**changes)
            self._commit(updated, self._state)
            return updated

    # ------------------------------------------------------------------ StateStore
    def load(self, key: str) -> JsonValue:
        """The state value under `key` (a copy), or None."""
        with self._lock:
            self._ensure()
            return copy.deepcopy(self._state.get(key))

    def save(self, key: str, value: JsonValue) -> None:
        """Store `value` under `key` in the state section and write the file; None removes it.

        Raises:
            SettingsError: the file cannot be written (the old value stays).
        """
        with self._lock:
            settings = self._ensure()
            state = dict(self._state)
            if value is None:
                state.pop(key, None)
            else:
                state[key] = copy.deepcopy(value)
            self._commit(settings, state)

    # ------------------------------------------------------------------ file
    def _ensure(self) -> DeviceSettings:
        with self._lock:
            if self._settings is None:
                self._settings = self._read_file()
            return self._settings

    def _read_file(self) -> DeviceSettings:
        try:
            raw = self._path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return DeviceSettings()
        except OSError as exc:
            raise SettingsError(
                f"cannot read the settings file {self._path}: {exc.strerror or exc}; "
                "check its permissions"
            ) from None
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("the file is not a JSON object")
        except (UnicodeDecodeError, ValueError) as exc:
            aside = self._move_aside(move=True)
            self._problems = [f"unreadable ({exc})"]
            _log.warning(
                "settings file %s is unreadable (%s); moved it to %s and using defaults",
                self._path, exc, aside,
            )
            return DeviceSettings()

        problems: list[str] = []
        version = data.get("format", FORMAT)
        if version != FORMAT:
            # A newer app wrote it: read what fits, and leave the file alone until a change.
            _log.warning(
                "settings file %s has format %r, this app writes %d; reading what fits",
                self._path, version, FORMAT,
            )
        settings = _settings_from(data, problems)
        state = data.get("state", {})
        if isinstance(state, dict):
            self._state = state
        else:
            problems.append("state: must be an object")
        self._extra = {
            key: value
            for key, value in data.items()
            if key not in (*_TYPED_KEYS, "options", "state", "format")
        }
        if problems:
            aside = self._move_aside(move=False)
            self._problems = problems
            _log.warning(
                "settings file %s has bad values, using defaults for them (original kept as "
                "%s): %s",
                self._path, aside, "; ".join(problems),
            )
            if aside is not None:
                # Write the repaired file now, so the next start does not copy it aside again.
                try:
                    self._commit(settings, self._state)
                except SettingsError as exc:
                    _log.warning("%s", exc)
        return settings

    def _move_aside(self, *, move: bool) -> Path | None:
        """Keep the original file next to itself under a free `.corrupt[.N]` name."""
        for n in range(1, 1000):
            suffix = ".corrupt" if n == 1 else f".corrupt.{n}"
            target = self._path.with_name(self._path.name + suffix)
            if target.exists():
                continue
            try:
                if move:
                    self._path.replace(target)
                else:
                    shutil.copy2(self._path, target)
            except OSError as exc:
                _log.warning("could not keep a copy of %s: %s", self._path, exc)
                return None
            return target
        return None

    def _commit(self, settings: DeviceSettings, state: dict[str, JsonValue]) -> None:
        document: dict[str, object] = {
            "format": FORMAT,
            **self._extra,
            **_settings_to(settings),
            "state": state,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        temporary = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
        try:
            self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self._path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise SettingsError(
                f"cannot write the settings file {self._path}: {exc.strerror or exc}"
            ) from None
        self._settings = settings
        self._state = state


class LanguagePreference:
    """The buyer's language choice, kept in the settings (the app's `LanguageStore`)."""

    def __init__(self, store: SettingsStore) -> None:
        self._store = store

    def load(self) -> str | None:
        """The saved language tag, or None before the first choice."""
        return self._store.read().language

    def save(self, language: str) -> None:
        """Remember the chosen language tag.

        Raises:
            SettingsError: not a language tag, or the file cannot be written.
        """
        self._store.update(language=language)

