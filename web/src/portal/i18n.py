"""Bahasa Indonesia by default, English on request: message catalogues (gettext .po files read
with Babel), and dates, times and Rupiah written the way each language writes them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

from shared.calendar import time_zone_of, zone_label

LANGUAGES = ("id", "en")
DEFAULT = "id"
_LOCALES = {"id": "id_ID", "en": "en_GB"}


@cache
def catalogue(language: str) -> dict[str, str | tuple[str, ...]]:
    """msgid → text for one language, from `locale/<language>/LC_MESSAGES/messages.po`; a
    message with plural forms (keyed by its singular) → its forms, in the language's order."""
    path = resources.files("portal") / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        messages = read_po(po, locale=language)
    texts: dict[str, str | tuple[str, ...]] = {}
    for m in messages:
        if isinstance(m.id, tuple) and isinstance(m.string, tuple) and all(m.string):
            texts[str(m.id[0])] = tuple(str(form) for form in m.string)
        elif m.id and isinstance(m.string, str) and m.string:
            texts[str(m.id)] = m.string
    return texts


def translator(language: str) -> Callable[..., str]:
    """`_("Save")` in the language; `_("{n} clients", n=3)` fills named values."""
    texts = catalogue(language if language in LANGUAGES else DEFAULT)

    def gettext(message: str, **values: object) -> str:
        text = texts.get(message, message)
        if isinstance(text, tuple):
            text = text[0]
        return text.format(**values) if values else text

    return gettext


def plural_translator(language: str) -> Callable[..., str]:
    """`ngettext("{n} case", "{n} cases", n, n=n)`: the form the language uses for n
    (Indonesian has one form for every number, English one for 1 and one for the rest)."""
    language = language if language in LANGUAGES else DEFAULT
    texts = catalogue(language)
    locale = Locale.parse(_LOCALES[language])

    def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
        forms = texts.get(singular)
        if not isinstance(forms, tuple):
            forms = (singular, plural)
        one = locale.plural_form(count) == "one"
        text = forms[0] if one or len(forms) == 1 else forms[-1]
        return text.format(**values)

    return ngettext


class Formats:
    """How one language writes dates, times (in the office's zone) and money."""

    def __init__(self, language: str, region_code: str | None) -> None:
        self.locale = _LOCALES.get(language, _LOCALES[DEFAULT])
        office = region_code or "31"  # no region (an administrator): Jakarta's time
        self.zone = ZoneInfo(time_zone_of(office))
        self.zone_label = zone_label(office)

    def date(self, value: date | str | None) -> str:
        if not value:
            return "-"
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_date(value, "d MMM y", locale=self.locale)

    def datetime(self, value: datetime | str | None) -> str:
        if not value:
            return "-"
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        local = value.astimezone(self.zone)
        return f"{format_datetime(local, 'd MMM y HH.mm', locale=self.locale)} {self.zone_label}"

    def month(self, period: str) -> str:
        """`2026-11` as the language abbreviates it, e.g. "Nov 26"."""
        year, month = (int(part) for part in period.split("-"))
        return format_date(date(year, month, 1), "MMM yy", locale=self.locale)

    def month_long(self, period: str) -> str:
        """`2026-12` as a heading writes it, e.g. "Desember 2026"."""
        year, month = (int(part) for part in period.split("-"))
        return format_date(date(year, month, 1), "LLLL y", locale=self.locale)

    def percent(self, share: float | None) -> str:
        """0.2308 as the language writes a share: "23,1%" in Indonesian."""
        if share is None:
            return "-"
        return format_percent(share, "#,##0.0%", locale=self.locale)

    def number(self, value: int | None) -> str:
        """2000 as the language groups it: "2.000" in Indonesian, "2,000" in English."""
        return "-" if value is None else format_decimal(value, locale=self.locale)

    def rupiah(self, amount: float | int | None) -> str:
        if amount is None:
            return "-"
        return format_currency(amount, "IDR", locale=self.locale, format_type="standard")
