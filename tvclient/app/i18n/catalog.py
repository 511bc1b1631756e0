"""Translation catalogs as data: one flat JSON object of key → text per language."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from string import Formatter

from tvclient.app.i18n.language import Language

__all__ = ["Catalog", "CatalogError", "Translator"]


class CatalogError(ValueError):
    """A catalog file is missing, malformed, or a text asks for a parameter nobody gave."""


class Catalog:
    """The texts of one language."""

    def __init__(self, language: Language, texts: Mapping[str, str]) -> None:
        self.language = language
        self._texts = dict(texts)

    @classmethod
    def load(cls, language: Language) -> Catalog:
        """Read the packaged catalog of `language`."""
        name = f"{language.value}.json"
        try:
            raw = resources.files("tvclient.app.i18n").joinpath(name).read_text(encoding="utf-8")
            data = json.loads(raw)
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogError(f"cannot read the {language.value} catalog {name}: {exc}") from exc
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise CatalogError(f"{name} must be one JSON object of text keys to text values")
        return cls(language, data)

    @property
    def keys(self) -> frozenset[str]:
        """Every key this catalog defines."""
        return frozenset(self._texts)

    def texts(self) -> dict[str, str]:
        """Every text, by key (a copy)."""
        return dict(self._texts)

    def placeholders(self, key: str) -> frozenset[str]:
        """The `{name}` parameters the text of `key` uses."""
        return frozenset(
            field for _, field, _, _ in Formatter().parse(self._texts[key]) if field
        )

    def text(self, key: str, **params: object) -> str:
        """The text of `key` with its `{name}` parameters filled in.

        Raises:
            KeyError: no such key (a programming error, caught by the catalog tests).
            CatalogError: the text needs a parameter that was not given.
        """
        template = self._texts[key]
        if not params:
            return template
        try:
            return template.format_map(params)
        except (KeyError, IndexError, ValueError) as exc:
            raise CatalogError(f"text {key!r} ({self.language.value}) cannot use {exc}") from exc


class Translator:
    """The current language's catalog, with English as the safety net for a missing key."""

    def __init__(self, language: Language) -> None:
        self._fallback = Catalog.load(Language.EN)
        self._catalog = self._fallback
        self.language = Language.EN
        self.set_language(language)

    def set_language(self, language: Language) -> None:
        """Switch language."""
        self._catalog = self._fallback if language is Language.EN else Catalog.load(language)
        self.language = language

    def texts(self) -> dict[str, str]:
        """Every static text of the current language (missing ones in English)."""
        return {**self._fallback.texts(), **self._catalog.texts()}

    def __call__(self, key: str, **params: object) -> str:
        """The text of `key` in the current language."""
        catalog = self._catalog if key in self._catalog.keys else self._fallback
        return catalog.text(key, **params)
