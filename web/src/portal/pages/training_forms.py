"""The training forms without the pages: a planned session's days and start in the office's
own time zone, and the training API's refusals as messages beside the form's fields."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.calendar import time_zone_of

MAX_DAYS = 30  # as the training API takes them
PLAN_FIELDS = (
    "programme_code",
    "region_code",
    "first_day",
    "last_day",
    "start_time",
    "capacity",
    "venue",
    "trainer",
)
# What the training API names, and the field of the form it belongs to.
_FORM_FIELD = {"days": "first_day", "starts_at": "start_time", "online_link": "venue"}


def plan_messages(errors: dict[str, str], _: Any) -> dict[str, str]:
    known = {
        "programme_code": _("Choose a programme."),
        "region_code": _("Choose a regency or city of your province."),
        "first_day": _("Choose the first day."),
        "last_day": _("The last day comes on or after the first, at most 30 days later."),
        "start_time": _("Choose the starting time, e.g. 09:00."),
        "capacity": _("Please write a whole number from 1 to 1000."),
        "venue": _("A session needs a place."),
        "trainer": _("Please write the trainer's name."),
    }
    named = {_FORM_FIELD.get(field, field) for field in errors}
    return {name: known.get(name, _("Please check this.")) for name in named}


def session_schedule(
    values: dict[str, str], region_code: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Days and start, in the office's own time zone, as the API takes them; or what is wrong.

    A session runs on consecutive days from the first to the last, starting at the same hour.
    """
    wrong: dict[str, str] = {}
    try:
        first = date.fromisoformat(values["first_day"])
    except ValueError:
        first = None
        wrong["first_day"] = "not a day"
    try:
        last = date.fromisoformat(values["last_day"]) if values["last_day"] else first
    except ValueError:
        last = None
        wrong["last_day"] = "not a day"
    if first and last and not 0 <= (last - first).days < MAX_DAYS:
        wrong["last_day"] = "out of range"
    try:
        starts = time.fromisoformat(values["start_time"])
    except ValueError:
        wrong["start_time"] = "not a time"
    if wrong or first is None or last is None:
        return {}, wrong
    zone = ZoneInfo(time_zone_of(region_code))
    return {
        "days": [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)],
        "starts_at": datetime.combine(first, starts, zone).isoformat(),
    }, {}


def typed(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in names}
