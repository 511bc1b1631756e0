"""The booth's texts: complete in every language, same parameters, and drawable."""

from __future__ import annotations

import re
import string

import pytest
from PySide6.QtGui import QFont, QFontMetrics
from pytestqt.qtbot import QtBot

from tvclient.app.fonts import font_family
from tvclient.app.i18n import Language
from tvclient.booth.texts import LANGUAGES, BoothTexts, table


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_text_with_the_same_parameters(language: str) -> None:
    """No English fallback needed, and `{name}` parameters match the English ones."""
    english, other = table("en"), table(language)
    assert sorted(other) == sorted(english)
    for key, text in english.items():
        assert _fields(other[key]) == _fields(text), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_character_has_a_glyph(qtbot: QtBot, language: str) -> None:
    """Each character is in the font the app draws that language with (no boxes on screen)."""
    family = font_family(Language(language))
    metrics = QFontMetrics(QFont(family))
    texts = "".join(table(language).values())
    missing = sorted({ch for ch in texts if ch.strip() and not metrics.inFontUcs4(ord(ch))})
    assert missing == [], f"{family} lacks {missing}"


def test_parameters_are_filled_and_unknown_languages_speak_english() -> None:
    """`get` fills `{seconds}`; a language the booth does not ship falls back to English."""
    assert BoothTexts("id").get("countdown_message", seconds=7) == (
        "Dimulai ulang untuk pengunjung berikutnya dalam 7 dtk."
    )
    texts = BoothTexts("fr")
    assert texts.language == "en"
    assert not re.search(r"\{\w+\}", texts.get("attract_prompt"))
