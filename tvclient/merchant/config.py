"""The backend's settings: defaults, then a TOML file, then `TVCLIENT_MERCHANT_*`, then flags.

Every setting has one name used everywhere: `database` is `database = "..."` in the file,
`TVCLIENT_MERCHANT_DATABASE` in the environment and `--database` on the command line.
`MerchantConfig.from_sandbox_dir` fills the Antom settings from a sandbox data dir (the files
`tvclient sandbox serve` writes: client.json and the key files).
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tvclient.merchant.errors import ConfigError

__all__ = ["DEFAULT_CATALOG", "ENV_PREFIX", "MerchantConfig"]

ENV_PREFIX = "TVCLIENT_MERCHANT_"
# Inside the package, so every kind of install (wheel, .deb, frozen bundle) carries it.
DEFAULT_CATALOG = Path(__file__).with_name("demo_catalog") / "catalog.json"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class MerchantConfig:
    """Everything the backend needs to run; see docs/merchant.md for each setting."""

    host: str = "127.0.0.1"
    port: int = 8480
    public_url: str = ""
    """Base URL at which Antom reaches this backend (notification URLs); default http://host:port."""
    database: str = "sqlite:///merchant.db"
    antom_url: str = "https://open-sea-global.alipay.com"
    client_id: str = ""
    private_key: Path | None = None
    antom_public_key: Path | None = None
    token_key: str = ""
    """Secret for encrypting Antom tokens at rest; empty derives it from the private key."""
    catalog: Path = DEFAULT_CATALOG
    enrolment_token: str = ""
    allow_loopback_enrolment: bool = False
    admin_token: str = ""
    log_json: bool = False
    log_level: str = "INFO"
    bind_interval: int = 5
    long_poll: int = 25
    bind_session_ttl: int = 900
    payment_expiry: int = 60
    purchase_sync_wait: float = 8.0
    antom_timeout: float = 10.0
    token_refresh_ahead: int = 3600
    token_check_interval: int = 60
    bind_sessions_per_minute: int = 10
    polls_per_minute: int = 120
    max_body_bytes: int = 16384
    shutdown_grace: float = 75.0
    migrate_on_start: bool = True
    test_crash_after_pay: bool = False
    """Test-only: exit hard (SIGKILL) right after pay returns S, before recording it."""
    sandbox_dir: Path | None = field(default=None, compare=False)

    # ------------------------------------------------------------------ derived
    @property
    def base_url(self) -> str:
        """The URL Antom calls back on, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def notify_prefix(self) -> str:
        """The path part of `base_url` that precedes the notification paths (may be empty)."""
        return urlsplit(self.base_url).path.rstrip("/")

    def replace(self, **changes: Any) -> MerchantConfig:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)

    def check_antom(self) -> None:
        """Raise `ConfigError` unless the Antom settings are complete."""
        missing = [
            name
            for name, value in (
                ("client_id", self.client_id),
                ("private_key", self.private_key),
                ("antom_public_key", self.antom_public_key),
                ("antom_url", self.antom_url),
            )
            if not value
        ]
        if missing:
            flags = ", ".join("--" + name.replace("_", "-") for name in missing)
            raise ConfigError(
                f"Antom settings missing: {flags} (or --sandbox-dir DIR for a sandbox)"
            )

    # ------------------------------------------------------------------ sources
    @classmethod
    def from_sources(
        cls,
        *,
        file: Path | None = None,
        env: Mapping[str, str] | None = None,
        flags: Mapping[str, Any] | None = None,
    ) -> MerchantConfig:
        """Defaults, overridden by the TOML file, then the environment, then flags.

        A `sandbox_dir` from any source fills the Antom settings that no source set.

        Raises:
            ConfigError: a file cannot be read, a name is unknown or a value has the wrong type.
        """
        env = env or {}
        values: dict[str, Any] = {}
        file = file or (
            Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else None
        )
        if file is not None:
            values.update(_read_file(file))
        for item in fields(cls):
            raw = env.get(ENV_PREFIX + item.name.upper())
            if raw is not None:
                values[item.name] = raw
        for name, value in (flags or {}).items():
            if value is not None:
                values[name] = value
        converted = {name: _convert(name, value) for name, value in values.items()}
        config = cls(**converted)
        if config.sandbox_dir is not None:
            config = config.with_sandbox_dir(config.sandbox_dir, keep=set(converted))
        config.validate()
        return config

    @classmethod
    def from_sandbox_dir(cls, directory: Path, **settings: Any) -> MerchantConfig:
        """Settings pointing at a sandbox's data dir (its client.json and key files)."""
        config = cls(**settings).with_sandbox_dir(directory, keep=set(settings))
        config.validate()
        return config

    def with_sandbox_dir(self, directory: Path, *, keep: set[str] | None = None) -> MerchantConfig:
        """Fill client ID, keys (and the sandbox URL when client.json names it) from `directory`.

        Settings named in `keep` were given explicitly and are left alone.

        Raises:
            ConfigError: the directory does not hold a sandbox's files.
        """
        keep = keep or set()
        client_file = directory / "client.json"
        try:
            client = json.loads(client_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(
                f"sandbox dir {directory}: cannot read client.json ({exc.strerror})"
            ) from None
        except ValueError:
            raise ConfigError(f"sandbox dir {directory}: client.json is not JSON") from None
        if not isinstance(client, dict) or not isinstance(client.get("clientId"), str):
            raise ConfigError(f"sandbox dir {directory}: client.json has no clientId")
        changes: dict[str, Any] = {"sandbox_dir": directory}
        found = {
            "client_id": client["clientId"],
            "private_key": directory / "merchant-private-key.pem",
            "antom_public_key": directory / "antom-public-key.pem",
        }
        for key in ("antomUrl", "baseUrl", "url"):
            if isinstance(client.get(key), str):
                found["antom_url"] = client[key]
                break
        for name, value in found.items():
            if name not in keep:
                changes[name] = value
        return self.replace(**changes)

    def validate(self) -> None:
        """Raise `ConfigError` for values that cannot work."""
        if not 0 < self.port < 65536:
            raise ConfigError(f"port {self.port} is not a TCP port")
        if not 1 <= self.bind_interval <= 60:
            raise ConfigError("bind_interval must be between 1 and 60 seconds")
        if not 0 <= self.long_poll <= 25:
            raise ConfigError("long_poll must be between 0 and 25 seconds")
        if not 10 <= self.payment_expiry <= 60:
            raise ConfigError("payment_expiry must be between 10 and 60 seconds (Antom's limit)")
        if not 60 <= self.bind_session_ttl <= 900:
            raise ConfigError("bind_session_ttl must be between 60 and 900 seconds")
        if self.max_body_bytes < 1024:
            raise ConfigError("max_body_bytes must be at least 1024")
        if self.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(f"log_level {self.log_level!r} is not DEBUG/INFO/WARNING/ERROR")
        if self.public_url and urlsplit(self.public_url).scheme not in {"http", "https"}:
            raise ConfigError(f"public_url {self.public_url!r} must be an http(s) URL")


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    section = data.get("merchant", data)
    if not isinstance(section, dict):
        raise ConfigError(f"config file {path}: [merchant] must be a table")
    base = path.parent
    result: dict[str, Any] = {}
    for name, value in section.items():
        if name in _PATHS and isinstance(value, str) and not Path(value).is_absolute():
            # Relative paths in a config file are relative to the file, not to the cwd.
            result[name] = str((base / value).expanduser())
        else:
            result[name] = value
    return result


_FIELD_TYPES = {item.name: item.type for item in fields(MerchantConfig)}
_PATHS = {"private_key", "antom_public_key", "catalog", "sandbox_dir"}


def _convert(name: str, value: Any) -> Any:  # noqa: PLR0911 - one branch per setting type
    kind = _FIELD_TYPES.get(name)
    if kind is None:
        raise ConfigError(f"unknown setting {name!r}")
    kind = str(kind)
    try:
        if name in _PATHS:
            return None if value in (None, "") else Path(str(value)).expanduser()
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(value)
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if kind == "float":
            return float(value)
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: {value!r} is not a valid {kind}") from None
