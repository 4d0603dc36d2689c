"""A breach notice says what UU 27/2022 Pasal 46 ayat 2 asks (the data, when and how, what was
done), in each language, within three SMS parts, with no value clipped and nothing personal."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import pytest

from notify.adapters import templates
from notify.domain import breach_words
from notify.domain.messages import LANGUAGES, PersonalDataInMessage, sample_context
from notify.service_layer import wording
from shared.contracts import client as client_contracts


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_longest_real_breach_notice_fits_three_parts_with_nothing_clipped(
    language: str,
) -> None:
    context = sample_context("breach_notice", language)
    rendered = templates.render("breach_notice", language, context)

    assert rendered.length.encoding == "GSM-7" and rendered.length.segments <= 3
    for value in context.values():
        assert value.rstrip(".") in rendered.text
    assert "..." not in rendered.text


def test_every_breach_and_data_code_of_the_contract_has_words_in_both_languages() -> None:
    categories = set(typing.get_args(client_contracts.BreachCategory))
    assert set(typing.get_args(client_contracts.BreachDataKind)) == set(breach_words.DATA_KINDS)
    for language in LANGUAGES:
        assert set(breach_words.DATA_WORDS[language]) == set(breach_words.DATA_KINDS)
        assert set(breach_words.CATEGORIES[language]) == categories


def test_the_notice_speaks_the_client_s_language_and_the_handling_ends_a_sentence() -> None:
    context = sample_context("breach_notice", "en") | {
        "data_kinds": breach_words.data_kinds(["name", "contact"], "en"),
        "what": breach_words.category("loss", "en"),
        "handling": "Backups restored",
    }
    rendered = templates.render("breach_notice", "en", context)
    assert "we found a loss of data; it may affect your data: name, phone number and e-mail." in (
        rendered.text
    )
    assert "What we did: Backups restored. Questions" in rendered.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("handling", ["Hubungi 0812-3456-7890", "NIK 3273014506900007 dihapus"])
def test_a_notice_whose_handling_shows_a_phone_or_a_nik_is_refused(
    language: str, handling: str
) -> None:
    context = sample_context("breach_notice", language) | {"handling": handling}
    with pytest.raises(PersonalDataInMessage):
        templates.render("breach_notice", language, context)


def test_who_is_still_waiting_reads_as_a_phrase() -> None:
    assert breach_words.pending(["people", "authority"], "id") == (
        "orang yang terdampak dan lembaga Pelindungan Data Pribadi"
    )
    assert breach_words.pending(["authority"], "en") == "the data protection authority"


def test_the_day_a_breach_was_found_reads_in_the_client_s_zone() -> None:
    late_evening_utc = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)
    assert wording.day(late_evening_utc, "3273", "id") == "6 Des 2026"  # 23:30 WIB
    assert wording.day(late_evening_utc, "9171", "en") == "7 Dec 2026"  # 01:30 WIT
