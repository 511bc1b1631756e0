"""Translations are complete and consistent; amounts and first-run language follow the locale."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tvclient.app.i18n import Catalog, Language, format_amount, format_time, language_for_locale
from tvclient.app.viewmodels.failures import _BIND_WORDS, _PURCHASE_WORDS, _STEP_TEXT
from tvclient.money import Money

APP = Path(__file__).resolve().parents[2] / "tvclient" / "app"


def used_keys() -> set[str]:
    """Every catalog key the app's Python and QML ask for by name."""
    keys: set[str] = set()
    for path in APP.rglob("*.py"):
        text = path.read_text()
        keys |= set(re.findall(r"\btr\(\s*\"([a-z0-9_]+)\"", text))
        keys |= set(re.findall(r"\bt\(\s*\"([a-z0-9_]+)\"", text))
    for path in APP.rglob("*.qml"):
        keys |= set(re.findall(r"\btexts\.([a-z0-9_]+)", path.read_text()))
    for title, reason in [*_PURCHASE_WORDS.values(), *_BIND_WORDS.values()]:
        keys |= {title, reason}
    keys |= set(_STEP_TEXT.values())
    keys |= {f"scan_step_{n}" for n in range(1, 5)}
    keys |= {"wallet_detail_ALIPAY_HK", "wallet_detail_DANA", "unknown_title", "unknown_reason"}
    return keys


@pytest.mark.parametrize("language", list(Language))
def test_every_key_exists_in_every_language(language: Language) -> None:
    """No screen falls back to English text: every catalog has exactly English's keys."""
    assert Catalog.load(language).keys == Catalog.load(Language.EN).keys


@pytest.mark.parametrize("language", list(Language))
def test_placeholders_match_english(language: Language) -> None:
    """A translation asks for the same {parameters} as the English text, and none is empty."""
    english, other = Catalog.load(Language.EN), Catalog.load(language)
    for key in english.keys:
        assert other.placeholders(key) == english.placeholders(key), key
        assert other.text(key).strip(), key


def test_every_key_the_app_uses_is_in_the_catalog() -> None:
    """A key typed in code or QML that the catalog lacks would show as an error, not a text."""
    missing = used_keys() - Catalog.load(Language.EN).keys
    assert not missing


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("zh_HK.UTF-8", Language.ZH_HK), ("zh_TW", Language.ZH_HK), ("zh-CN", Language.ZH_HK),
        ("id_ID.UTF-8", Language.ID), ("in_ID", Language.ID), ("en_GB", Language.EN),
        ("fr_FR", Language.EN), ("C", Language.EN), (None, Language.EN), ("", Language.EN),
    ],
)
def test_system_locale_picks_the_first_language(locale: str | None, language: Language) -> None:
    """The first-run language comes from the system locale; anything unknown is English."""
    assert language_for_locale(locale) is language


@pytest.mark.parametrize(
    ("amount", "language", "text"),
    [
        (Money(3800, "HKD"), Language.EN, "HK$38.00"),
        (Money(3_000_000, "IDR"), Language.EN, "Rp30.000"),
        (Money(3_000_000, "IDR"), Language.ID, "Rp30.000"),
        (Money(3800, "HKD"), Language.ZH_HK, "HK$38.00"),
        (Money(3800, "HKD"), Language.ID, "HK$38,00"),
        (Money(123_456_700, "IDR"), Language.ID, "Rp1.234.567"),
    ],
)
def test_amounts_read_the_local_way(amount: Money, language: Language, text: str) -> None:
    """Amounts follow the buyer's language and the currency's home conventions."""
    assert format_amount(amount, language) == text


def test_receipt_times_are_local() -> None:
    """Receipt times are in the device's time zone, in the buyer's language."""
    moment = dt.datetime(2026, 3, 2, 4, 0, 5, tzinfo=dt.UTC)
    hk = dt.timezone(dt.timedelta(hours=8))
    assert format_time(moment, Language.ZH_HK, hk) == "2026年3月2日 下午12:00:05"
    assert format_time(moment, Language.ID, hk) == "2 Mar 2026 12.00.05"
