"""How the session form turns a first day, a last day and an hour into what the API takes."""

from __future__ import annotations

from portal.pages.training_forms import session_schedule


def _typed(first: str, last: str = "", start: str = "09:00") -> dict[str, str]:
    return {"first_day": first, "last_day": last, "start_time": start}


def test_the_days_run_from_the_first_to_the_last_and_start_on_the_offices_clock() -> None:
    schedule, wrong = session_schedule(
        _typed("2026-12-30", "2027-01-01", "08:30"), "7371"
    )  # Makassar
    assert wrong == {}
    assert schedule == {
        "days": ["2026-12-30", "2026-12-31", "2027-01-01"],
        "starts_at": "2026-12-30T08:30:00+08:00",  # WITA
    }
    one_day, _ = session_schedule(_typed("2026-12-09"), "9471")  # Jayapura, no last day: one day
    assert one_day == {"days": ["2026-12-09"], "starts_at": "2026-12-09T09:00:00+09:00"}


def test_what_cannot_be_a_session_names_its_field() -> None:
    assert session_schedule(_typed("2026-12-09", "2026-12-08"), "3273")[1].keys() == {"last_day"}
    assert session_schedule(_typed("2026-12-01", "2026-12-31"), "3273")[1].keys() == {"last_day"}
    assert session_schedule(_typed("2026-12-01", "2026-12-30"), "3273")[1] == {}  # 30 days
    assert session_schedule(_typed("", "", "9"), "3273")[1].keys() == {"first_day", "start_time"}
