"""Which installed font family to draw each language with, and whether CJK can be drawn at all.

Qt draws missing glyphs as empty boxes without a word of warning, so the choice is explicit:
Traditional Chinese prefers Noto Sans CJK HK (Debian's fonts-noto-cjk, a declared dependency),
Latin-script languages prefer Noto Sans or DejaVu Sans; fontconfig falls back for the rest.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

from tvclient.app.i18n import Language

__all__ = ["CJK_FAMILIES", "LATIN_FAMILIES", "cjk_font_available", "font_family"]

CJK_FAMILIES = (
    "Noto Sans CJK HK", "Noto Sans CJK TC", "Noto Sans HK", "Noto Sans TC",
    "WenQuanYi Micro Hei", "Noto Sans CJK SC",
)
LATIN_FAMILIES = ("Noto Sans", "DejaVu Sans", "Liberation Sans")


def font_family(language: Language) -> str:
    """The family to draw `language` with ("" leaves Qt's default; needs a QGuiApplication)."""
    installed = set(QFontDatabase.families())
    preferred = (
        CJK_FAMILIES + LATIN_FAMILIES if language is Language.ZH_HK
        else LATIN_FAMILIES + CJK_FAMILIES
    )
    return next((family for family in preferred if family in installed), "")


def cjk_font_available() -> bool:
    """Whether any installed family can draw Traditional Chinese (for `tvclient doctor`)."""
    return any(
        QFontDatabase.WritingSystem.TraditionalChinese in QFontDatabase.writingSystems(family)
        for family in QFontDatabase.families()
    )
