"""What the booth's own screens say, in the app's three languages (no Qt).

The attract loop, the countdown and the staff screens speak the booth's default language (the
language every visit starts in). The texts live in `tvclient/booth/i18n/<language>.json`;
`{name}` parameters are filled in by `BoothTexts.get`. A key missing from a translation falls
back to English.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

__all__ = ["LANGUAGES", "BoothTexts", "table"]

_DIR = Path(__file__).resolve().parent / "i18n"
LANGUAGES = ("en", "zh-HK", "id")


@functools.cache
def table(language: str) -> dict[str, str]:
    """The texts of one language, as shipped (read once)."""
    data = json.loads((_DIR / f"{language}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"the booth's {language} texts are not a flat object of strings")
    return data


class BoothTexts:
    """The booth's texts in one language."""

    def __init__(self, language: str) -> None:
        self._language = language if language in LANGUAGES else "en"

    @property
    def language(self) -> str:
        """The language tag."""
        return self._language

    def all(self) -> dict[str, str]:
        """Every text, for QML (parameters unfilled)."""
        return {**table("en"), **table(self._language)}

    def get(self, key: str, **params: object) -> str:
        """One text with its `{name}` parameters filled in."""
        template = table(self._language).get(key) or table("en")[key]
        return template.format(**params) if params else template
