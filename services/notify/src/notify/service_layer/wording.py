"""Times as people read them in a message: in their own zone, in their language."""

from __future__ import annotations

from datetime import datetime

from shared.calendar import local_now, zone_label

_DAYS = {
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def when(at: datetime, region_code: str, language: str) -> str:
    """ "Sen, 7 Des 2026 09.00 WIB" (Indonesian writes hours with a dot) or
    "Mon 7 Dec 2026 09:00 WIB"."""
    local = local_now(region_code, at)
    lang = language if language in _DAYS else "id"
    day, month = _DAYS[lang][local.weekday()], _MONTHS[lang][local.month - 1]
    zone = zone_label(region_code)
    if lang == "id":
        return f"{day}, {local.day} {month} {local.year} {local:%H.%M} {zone}"
    return f"{day} {local.day} {month} {local.year} {local:%H:%M} {zone}"


def day(at: datetime, region_code: str, language: str) -> str:
    """ "7 Des 2026" or "7 Dec 2026": the date in the client's own zone."""
    local = local_now(region_code, at)
    lang = language if language in _MONTHS else "id"
    return f"{local.day} {_MONTHS[lang][local.month - 1]} {local.year}"
