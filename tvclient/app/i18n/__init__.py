"""The app's languages: English, Traditional Chinese (Hong Kong) and Indonesian.

Translations are data, one JSON catalog per language in this folder (`en.json`, `zh-HK.json`,
`id.json`); every catalog has exactly the same keys (a test checks it).
"""

from tvclient.app.i18n.catalog import Catalog, CatalogError, Translator
from tvclient.app.i18n.language import Language, format_amount, format_time, language_for_locale

__all__ = [
    "Catalog",
    "CatalogError",
    "Language",
    "Translator",
    "format_amount",
    "format_time",
    "language_for_locale",
]
