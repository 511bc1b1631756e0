"""The settings file: typed values, the state section, and bad files that never crash or vanish."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from tests.helpers.clock import FakeClock
from tvclient.device.errors import SettingsError
from tvclient.device.intents import IntentStore, PendingPurchase
from tvclient.device.safety.cap import SpendingCap
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.settings import (
    DeviceSettings,
    KeyringFallback,
    LanguagePreference,
    SettingsStore,
    default_settings_path,
)
from tvclient.money import Money


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the settings file goes."""
    return tmp_path / "config" / "tvclient" / "settings.json"


def test_no_file_means_defaults_and_nothing_written(path: Path) -> None:
    """First run: defaults, and no file until something changes."""
    store = SettingsStore(path)
    settings = store.read()
    assert settings == DeviceSettings()
    assert settings.keyring_fallback is KeyringFallback.NONE
    assert settings.controller_navigation
    assert not path.exists()
    assert store.problems == []


def test_the_default_path_is_in_the_user_config_dir() -> None:
    """Settings live at <user config dir>/tvclient/settings.json."""
    assert default_settings_path().parts[-2:] == ("tvclient", "settings.json")


def test_changes_are_written_privately_and_read_back(path: Path) -> None:
    """update() writes a 0600 JSON file that a new store reads back the same."""
    store = SettingsStore(path)
    updated = store.update(
        backend_url="HTTPS://Shop.Example/",
        language="zh-HK",
        swap_ab=True,
        keyring_fallback="file",
        options={"purchase.hold_ms": 1500},
    )
    assert updated.backend_url == "https://shop.example"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = SettingsStore(path).read()
    assert again == updated
    assert again.keyring_fallback is KeyringFallback.FILE
    assert json.loads(path.read_text())["format"] == 1


def test_a_bad_change_is_refused_and_nothing_written(path: Path) -> None:
    """update() with a wrong value raises SettingsError naming it; the file is untouched."""
    store = SettingsStore(path)
    store.update(language="en")
    before = path.read_text()
    with pytest.raises(SettingsError, match="language"):
        store.update(language="not a language!")
    with pytest.raises(SettingsError, match="swap_ab"):
        store.update(swap_ab="yes")
    with pytest.raises(SettingsError, match="no such setting"):
        store.update(colour="blue")
    assert path.read_text() == before
    assert store.read().language == "en"


def test_the_flat_mapping_feeds_the_input_and_safety_layers(path: Path) -> None:
    """mapping() gives the dotted keys the input and safety layers parse."""
    store = SettingsStore(path)
    settings = store.update(
        hold_to_confirm=True,
        controller_navigation=False,
        options={"purchase.hold_ms": 1500, "input.cec": "off"},
    )
    values = settings.mapping()
    assert values["input.controller_navigation"] is False
    assert values["input.swap_ab"] is False
    assert values["input.cec"] == "off"
    safety = SafetySettings.from_mapping(values)
    assert safety.hold_to_confirm
    assert safety.hold_seconds == 1.5


def test_the_state_section_is_a_state_store(path: Path) -> None:
    """load/save keep JSON values across instances; None deletes; copies are independent."""
    store = SettingsStore(path)
    store.save("x.y", {"a": [1, 2]})
    value = store.load("x.y")
    assert value == {"a": [1, 2]}
    assert isinstance(value, dict)
    value["a"] = "changed"
    assert SettingsStore(path).load("x.y") == {"a": [1, 2]}
    store.save("x.y", None)
    assert SettingsStore(path).load("x.y") is None


def test_the_spending_cap_persists_in_the_settings(path: Path) -> None:
    """The safety layer's cap and reservations live in this file and survive a restart."""
    clock = FakeClock()
    SpendingCap(SettingsStore(path), clock, dt.UTC).set_limit("HKD", Money(20000, "HKD"))
    cap = SpendingCap(SettingsStore(path), clock, dt.UTC)
    cap.reserve("key1", Money(3800, "HKD"))
    assert SpendingCap(SettingsStore(path), clock, dt.UTC).remaining("HKD") == Money(16200, "HKD")


def test_corrupt_json_is_moved_aside_and_defaults_used(
    path: Path, expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Unreadable JSON: kept as settings.json.corrupt, warned about, defaults used."""
    path.parent.mkdir(parents=True)
    path.write_text('{"language": "id", "state": {"device.pending_purchases": [')
    store = SettingsStore(path)
    assert store.read() == DeviceSettings()
    aside = path.with_name("settings.json.corrupt")
    assert aside.read_text().startswith('{"language": "id"')
    assert str(aside) in caplog.text
    assert store.problems
    store.update(language="en")
    SettingsStore(path).read()  # the new file is fine
    path.write_text("[]")
    SettingsStore(path).read()
    assert path.with_name("settings.json.corrupt.2").read_text() == "[]"


def test_bad_values_fall_back_one_by_one_and_keep_the_rest(
    path: Path, expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A wrong value takes its default; everything else, pending purchases included, stays."""
    intent = PendingPurchase(
        "key1",
        "movie-night",
        "Movie night",
        Money(3800, "HKD"),
        "a" * 64,
        dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    )
    path.parent.mkdir(parents=True)
    original = {
        "format": 1,
        "backend_url": "not a url",
        "language": "id",
        "swap_ab": "yes",
        "keyring_fallback": "sqlite",
        "controller_navigation": False,
        "state": {"device.pending_purchases": [intent.to_json()]},
        "future_key": {"kept": True},
    }
    path.write_text(json.dumps(original))
    store = SettingsStore(path)
    settings = store.read()
    assert settings.language == "id"
    assert settings.controller_navigation is False
    assert settings.swap_ab is False
    assert settings.backend_url is None
    assert settings.keyring_fallback is KeyringFallback.NONE
    assert IntentStore(store).all() == [intent]
    assert {p.split(":")[0] for p in store.problems} == {
        "backend_url",
        "swap_ab",
        "keyring_fallback",
    }
    assert json.loads(path.with_name("settings.json.corrupt").read_text()) == original
    assert "swap_ab" in caplog.text
    repaired = json.loads(path.read_text())
    assert repaired["future_key"] == {"kept": True}
    assert repaired["swap_ab"] is False
    caplog.clear()
    assert SettingsStore(path).problems == []  # repaired once, not copied again


def test_a_newer_format_is_read_as_far_as_it_fits(
    path: Path, expect_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A file from a newer app is read, with a warning, and not rewritten."""
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": 2, "language": "en"}))
    assert SettingsStore(path).read().language == "en"
    assert "format 2" in caplog.text
    assert json.loads(path.read_text())["format"] == 2


def test_an_unreadable_file_is_a_settings_error(path: Path) -> None:
    """A settings path that cannot be read at all is a clear error, not defaults."""
    path.mkdir(parents=True)
    with pytest.raises(SettingsError, match="cannot read the settings file"):
        SettingsStore(path).read()


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    """When the file cannot be written the error says so and memory keeps the old values."""
    blocker = tmp_path / "config"
    blocker.write_text("a file where the directory should be")
    store = SettingsStore(blocker / "settings.json")
    with pytest.raises(SettingsError, match="cannot write"):
        store.update(language="id")
    with pytest.raises(SettingsError):
        store.save("k", 1)
    assert store.read().language is None
    assert store.load("k") is None


def test_language_preference(path: Path) -> None:
    """The app's language store reads and writes the language setting."""
    languages = LanguagePreference(SettingsStore(path))
    assert languages.load() is None
    languages.save("zh-HK")
    assert LanguagePreference(SettingsStore(path)).load() == "zh-HK"
