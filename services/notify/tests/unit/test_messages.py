"""Every message kind in both languages, at its longest; SMS lengths at their exact boundaries."""

from __future__ import annotations

import importlib.resources
import itertools

import jinja2
import pytest
from jinja2 import meta

from notify.adapters import templates
from notify.domain.messages import (
    KINDS,
    LANGUAGES,
    InvalidContext,
    MessageTooLong,
    PersonalDataInMessage,
    UnknownKind,
    sample_context,
)
from notify.domain.sms import fits, sms_length, to_gsm7

EVERY_MESSAGE = list(itertools.product(KINDS, LANGUAGES))
# The longest `when` the services may produce, with room to spare over today's formats.
LONGEST_WHEN = 30


@pytest.mark.parametrize(("kind", "language"), EVERY_MESSAGE)
def test_every_message_at_its_longest_fits_its_parts_in_gsm7(kind: str, language: str) -> None:
    rendered = templates.render(kind, language, sample_context(kind, language))

    assert rendered.kind == kind
    assert rendered.language == language
    assert rendered.text.startswith("Jembatan:")
    assert rendered.subject.strip()
    assert "\n" not in rendered.subject
    assert rendered.length == sms_length(rendered.text)
    assert rendered.length.encoding == "GSM-7"
    assert rendered.length.segments <= KINDS[kind].max_segments
    assert "...." not in rendered.text


@pytest.mark.parametrize(("kind", "language"), EVERY_MESSAGE)
@pytest.mark.parametrize("filler", ["x", "€", "Jembatan "], ids=["letters", "euro", "words"])
def test_every_message_fits_whatever_the_values_hold(kind: str, language: str, filler: str) -> None:
    """Clipping counts septets, so even values full of two-septet characters keep the limit."""
    context = {name: (filler * 200)[:200] for name in KINDS[kind].variables}
    if "when" in context:
        context["when"] = "W" * LONGEST_WHEN
    if "referral_id" in context:
        context["referral_id"] = "3f9c2a7e-8b41-4d0c-9e25-61a7b3c8d045"

    rendered = templates.render(kind, language, context)

    assert rendered.length.encoding == "GSM-7"
    assert rendered.length.segments <= KINDS[kind].max_segments


def test_sample_values_are_the_longest_the_services_produce() -> None:
    for language in LANGUAGES:
        context = sample_context("referral_sent", language)
        assert len(context["partner_name"]) == 200
        assert len(context["product_name"]) == 200
        assert len(sample_context("training_reminder", language)["programme_title"]) == 200
        assert len(sample_context("sla_breach", language)["referral_id"]) == 36


def test_every_kind_has_a_template_in_each_language_and_every_template_a_kind() -> None:
    root = importlib.resources.files("notify").joinpath("templates")
    found = {
        (entry.name.removesuffix(".txt"), folder.name)
        for folder in root.iterdir()
        if folder.is_dir()
        for entry in folder.iterdir()
    }

    assert found == set(EVERY_MESSAGE)


@pytest.mark.parametrize(("kind", "language"), EVERY_MESSAGE)
def test_every_template_uses_exactly_its_kinds_variables(kind: str, language: str) -> None:
    env = templates.environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, templates.template_name(kind, language))

    assert meta.find_undeclared_variables(env.parse(source)) == set(KINDS[kind].variables)


def test_an_unknown_language_falls_back_to_indonesian() -> None:
    context = sample_context("training_waitlisted", "id")

    assert templates.render("training_waitlisted", "jv", context).language == "id"
    assert templates.render("training_waitlisted", "en-GB", context).language == "en"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(UnknownKind):
        templates.render("loan_approved", "id", {})


@pytest.mark.parametrize(
    ("context", "named"),
    [
        ({"partner_name": "Bank Nusantara"}, "product_name"),
        (
            {"partner_name": "Bank Nusantara", "product_name": "Tabungan", "client_name": "Siti"},
            "client_name",
        ),
        ({"partner_name": "Bank Nusantara", "product_name": "  "}, "product_name"),
    ],
    ids=["missing", "unknown", "blank"],
)
def test_a_context_without_exactly_the_kinds_variables_is_refused(
    context: dict[str, str], named: str
) -> None:
    with pytest.raises(InvalidContext, match=named):
        templates.render("referral_sent", "id", context)


@pytest.mark.parametrize(
    "title",
    [
        "Kelas NIK 3273010101800001",
        "Hubungi 081234567890",
        "Hubungi +6281234567890",
        "Hubungi 6281234567890",
        "Hubungi 0812-3456-7890",
        "Hubungi +62 812 3456 7890",
        "Hubungi \uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width digits
    ],
)
def test_a_message_showing_a_nik_or_a_phone_number_is_refused(title: str) -> None:
    with pytest.raises(PersonalDataInMessage) as refused:
        templates.render("training_waitlisted", "id", {"programme_title": title})

    assert "3273010101800001" not in str(refused.value)
    assert "81234567" not in str(refused.value)


@pytest.mark.parametrize(
    "title",
    ["Pelatihan 31-08-2026 08.00 WIB", "Plafon Rp 1.081.234.567", "Angkatan 2026 (08)"],
)
def test_dates_times_and_amounts_are_not_mistaken_for_phone_numbers(title: str) -> None:
    templates.render("training_waitlisted", "id", {"programme_title": title})


def test_a_referral_id_is_not_mistaken_for_a_phone_number() -> None:
    context = sample_context("sla_breach", "id") | {
        "referral_id": "08123456-7890-4812-8456-081234567890"
    }

    assert "081234567890" in templates.render("sla_breach", "id", context).text


def test_a_typographic_character_does_not_turn_the_message_into_ucs2() -> None:
    context = {"programme_title": "Menabung \u2013 \u201cpraktis\u201d, mudah\u2026 \U0001f4b0"}

    rendered = templates.render("training_waitlisted", "id", context)

    assert rendered.length.encoding == "GSM-7"
    assert 'Menabung - "praktis", mudah...' in rendered.text


def test_to_gsm7_keeps_the_alphabet_plain_and_drops_what_has_no_plain_form() -> None:
    assert (
        to_gsm7("Caf\u00e9 \u00e1 \u00c7 \u20ac [x] \u0161\u00a0\U0001f600") == "Café a Ç € [x] s "
    )


@pytest.mark.parametrize(
    ("value", "width", "clipped"),
    [
        ("Bank Nusantara", 14, "Bank Nusantara"),
        ("Bank Nusantara Sejahtera", 20, "Bank Nusantara..."),
        ("Tabungan,Dasar,Mikro", 12, "Tabungan..."),
        ("Abcdefghijklmnop", 10, "Abcdefg..."),
        ("[[[[[[", 10, "[[[..."),
    ],
)
def test_clip_cuts_between_words_and_counts_septets(value: str, width: int, clipped: str) -> None:
    assert templates.clip(value, width) == clipped
    assert len(templates.clip(value, width)) <= width


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("a" * 459, "GSM-7", 459, 3),
        ("{}[]~\\|^€\f", "GSM-7", 20, 1),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 80 + "a", "GSM-7", 161, 2),
        # 152 septets and a two-septet "€" that would straddle: it starts the second part.
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
        ("a" * 151 + "€" + "a" * 153, "GSM-7", 306, 2),
        ("é" * 160, "GSM-7", 160, 1),
        ("ê" * 70, "UCS-2", 70, 1),
        ("ê" * 71, "UCS-2", 71, 2),
        ("ê" * 134, "UCS-2", 134, 2),
        ("ê" * 135, "UCS-2", 135, 3),
        ("a" * 159 + "…", "UCS-2", 160, 3),
        ("\U0001f600" * 35, "UCS-2", 70, 1),
        ("a" * 66 + "\U0001f600" + "a" * 66, "UCS-2", 134, 3),
    ],
)
def test_sms_length_counts_units_and_parts(
    text: str, encoding: str, units: int, segments: int
) -> None:
    length = sms_length(text)

    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_fits_compares_parts_with_the_limit() -> None:
    assert fits("a" * 160, 1)
    assert not fits("a" * 161, 1)
    assert fits("a" * 161, 2)


def test_a_template_that_outgrows_its_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    loader = jinja2.DictLoader({"id/training_waitlisted.txt": "Subject: S\nJembatan: " + "a" * 151})
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=True)
    monkeypatch.setattr(templates, "environment", lambda: env)

    with pytest.raises(MessageTooLong):
        templates.render("training_waitlisted", "id", {"programme_title": "Menabung"})
