"""Languages the app speaks, how a system locale picks one, and locale-aware amounts and times."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from tvclient.money import WALLET_RULES, Money, format_money

__all__ = ["Language", "format_amount", "format_time", "language_for_locale"]


class Language(StrEnum):
    """A UI language; the value is the BCP 47 tag the backend's `Accept-Language` uses."""

    EN = "en"
    ZH_HK = "zh-HK"
    ID = "id"

    @property
    def babel_locale(self) -> str:
        """The CLDR locale used for numbers and dates."""
        return _BABEL[self]

    @property
    def autonym(self) -> str:
        """The language's name in itself, as shown in language pickers."""
        return _AUTONYMS[self]


_BABEL = {Language.EN: "en", Language.ZH_HK: "zh_Hant_HK", Language.ID: "id"}
_AUTONYMS = {
    Language.EN: "English",
    Language.ZH_HK: "中文（香港）",  # noqa: RUF001 - full-width brackets are correct in Chinese
    Language.ID: "Bahasa Indonesia",
}
# Where each wallet currency is at home: amounts read best in that region's conventions.
_CURRENCY_REGION = {rules.currency: rules.region for rules in WALLET_RULES.values()}


def language_for_locale(locale_name: str | None) -> Language:
    """The app language for a system locale name (`zh_HK.UTF-8`, `id-ID`, `en_GB`...).

    Any Chinese locale gets Traditional Chinese (the only Chinese the app ships), Indonesian gets
    Indonesian, everything else English.
    """
    if not locale_name:
        return Language.EN
    tag = locale_name.split(".")[0].split("@")[0].replace("_", "-").lower()
    primary = tag.split("-")[0]
    if primary == "zh":
        return Language.ZH_HK
    if primary in {"id", "in"}:  # "in" is the withdrawn ISO 639 code some systems still use
        return Language.ID
    return Language.EN


def format_amount(amount: Money, language: Language) -> str:
    """An amount for a person: HK$38.00, Rp30.000, HK$38,00 in Indonesian...

    The language's own locale in the currency's home region when CLDR has it (English in
    Indonesia writes Rp30.000), else the language's locale.
    """
    from babel import Locale, UnknownLocaleError

    locale = language.babel_locale
    region = _CURRENCY_REGION.get(amount.currency)
    if region is not None:
        base = locale.split("_")[0]
        candidate = f"{base}_Hant_{region}" if base == "zh" else f"{base}_{region}"
        try:
            Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            pass
        else:
            locale = candidate
    return format_money(amount, locale)


def format_time(moment: dt.datetime, language: Language, tz: dt.tzinfo | None = None) -> str:
    """A date and time for a receipt, in the language's style and the device's time zone."""
    from babel.dates import format_datetime

    local = moment.astimezone(tz) if tz is not None else moment.astimezone()
    return str(format_datetime(local, format="medium", locale=language.babel_locale))
