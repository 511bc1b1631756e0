"""Settings from defaults, a TOML file, the environment and flags; from a sandbox data dir."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tvclient.merchant.config import MerchantConfig
from tvclient.merchant.errors import ConfigError
from tvclient.merchant.store.database import database_url


def test_flags_beat_environment_beat_file(tmp_path: Path) -> None:
    """Each source overrides the one before it, setting by setting."""
    file = tmp_path / "merchant.toml"
    file.write_text(
        '[merchant]\nport = 9000\nhost = "192.0.2.10"\nlog_json = true\ncatalog = "shop/c.json"\n'
    )
    config = MerchantConfig.from_sources(
        file=file,
        env={"TVCLIENT_MERCHANT_PORT": "9100", "TVCLIENT_MERCHANT_ADMIN_TOKEN": "t0ken"},
        flags={"port": "9200"},
    )
    assert config.port == 9200
    assert config.host == "192.0.2.10"
    assert config.admin_token == "t0ken"
    assert config.log_json is True
    assert config.catalog == tmp_path / "shop" / "c.json"


def test_bad_values_are_refused_with_the_setting_named(tmp_path: Path) -> None:
    """A wrong type, an unknown name or an impossible value is a ConfigError naming it."""
    with pytest.raises(ConfigError, match="port"):
        MerchantConfig.from_sources(env={"TVCLIENT_MERCHANT_PORT": "eighty"})
    with pytest.raises(ConfigError, match="payment_expiry"):
        MerchantConfig.from_sources(flags={"payment_expiry": "120"})
    bad = tmp_path / "bad.toml"
    bad.write_text("colour = 'blue'\n")
    with pytest.raises(ConfigError, match="colour"):
        MerchantConfig.from_sources(file=bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("port = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        MerchantConfig.from_sources(file=broken)


def test_a_sandbox_dir_supplies_client_id_keys_and_url(tmp_path: Path) -> None:
    """client.json and the key files of a sandbox data dir fill the Antom settings."""
    (tmp_path / "client.json").write_text(
        json.dumps({"clientId": "SANDBOX_ABC", "baseUrl": "http://127.0.0.1:8080"})
    )
    config = MerchantConfig.from_sources(flags={"sandbox_dir": str(tmp_path)})
    assert config.client_id == "SANDBOX_ABC"
    assert config.antom_url == "http://127.0.0.1:8080"
    assert config.private_key == tmp_path / "merchant-private-key.pem"
    assert config.antom_public_key == tmp_path / "antom-public-key.pem"
    explicit = MerchantConfig.from_sources(
        flags={"sandbox_dir": str(tmp_path), "antom_url": "http://10.0.0.2:8080"}
    )
    assert explicit.antom_url == "http://10.0.0.2:8080"


def test_a_missing_sandbox_dir_says_so(tmp_path: Path) -> None:
    """Pointing at a directory without client.json is a clear ConfigError."""
    with pytest.raises(ConfigError, match=r"client\.json"):
        MerchantConfig.from_sandbox_dir(tmp_path)


def test_antom_settings_are_required_to_serve() -> None:
    """Serving without client ID or keys names the missing flags."""
    with pytest.raises(ConfigError, match=r"--client-id.*--private-key"):
        MerchantConfig().check_antom()


def test_notification_urls_follow_the_public_url() -> None:
    """Behind a proxy with a path prefix, the notify path Antom signs includes the prefix."""
    config = MerchantConfig(public_url="https://shop.example/tv/")
    assert config.base_url == "https://shop.example/tv"
    assert config.notify_prefix == "/tv"
    assert MerchantConfig(host="::1", port=8480).base_url == "http://[::1]:8480"


def test_database_urls_people_write_are_understood(tmp_path: Path) -> None:
    """A bare path, sqlite:/// and postgres:// all become the async drivers the backend uses."""
    assert database_url(str(tmp_path / "m.db")) == f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    assert database_url("postgres://u:p@db/ledger") == "postgresql+psycopg://u:p@db/ledger"
    with pytest.raises(ConfigError, match="not supported"):
        database_url("mysql://db/ledger")


def test_postgres_without_its_driver_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An install without psycopg (the packaged app) names the fix instead of a traceback."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name, *a)
    )
    with pytest.raises(ConfigError, match=r"tvclient\[server\]"):
        database_url("postgresql://db/ledger")
