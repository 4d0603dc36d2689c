"""The breach form: times typed in the office's zone, the API's refusals on the right fields."""

from __future__ import annotations

from portal.gateway import Answer
from portal.i18n import Formats, translator
from portal.pages.breaches import _api_field, _moment, _refusals


def test_a_time_typed_by_an_administrator_without_a_region_is_jakarta_time() -> None:
    assert _moment("2026-12-07T08:30", Formats("id", None)) == "2026-12-07T08:30:00+07:00"
    assert _moment("2026-12-07T08:30", Formats("id", "5171")) == "2026-12-07T08:30:00+08:00"
    assert _moment("kemarin", Formats("id", None)) is None


def test_the_api_s_refusals_land_on_the_form_s_fields_in_the_officer_s_language() -> None:
    assert _api_field("period.to") == "period_to" and _api_field("regions.0") == "regions"
    answer = Answer(422, errors={"description": "must not contain a 16-digit number"})
    [(field, message)] = _refusals(answer, translator("id")).items()
    assert field == "description" and "NIK" in message and message.startswith("Jangan")
    assert "form" in _refusals(Answer(409), translator("en"))
