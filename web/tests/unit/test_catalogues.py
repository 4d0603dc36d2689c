"""Every string the portal shows exists in Bahasa Indonesia and in English."""

from __future__ import annotations

import re

from portal import catalogues
from portal.i18n import LANGUAGES, plural_translator, translator


def _forms(string: object) -> list[str]:
    return [str(s) for s in string] if isinstance(string, (tuple, list)) else [str(string)]


def test_both_catalogues_hold_every_string_the_portal_shows() -> None:
    shown = catalogues.used()
    assert len(shown) > 100  # the extraction found the templates and the code
    assert any(isinstance(m, tuple) for m in shown.values())  # and the plural ones
    for language in LANGUAGES:
        read = [m for m in catalogues.read(language) if m.id]
        singular = {str(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in read}
        assert set(singular) == set(shown), language
        for msgid, message in singular.items():
            assert all(form.strip() for form in _forms(message.string)), (language, msgid)
            assert isinstance(message.id, tuple) == isinstance(shown[msgid], tuple), msgid


def test_a_count_takes_the_form_its_number_needs() -> None:
    english, indonesian = plural_translator("en"), plural_translator("id")
    one, many = "{n} case reassigned.", "{n} cases reassigned."
    assert english(one, many, 1, n=1) == "1 case reassigned."
    assert english(one, many, 2, n=2) == "2 cases reassigned."
    assert indonesian(one, many, 1, n=1) == indonesian(one, many, 7, n=1) == "1 kasus dialihkan."


def test_no_count_is_written_into_a_plain_message() -> None:
    """A number counted in a message goes through ngettext ("1 cases" otherwise): no msgid
    given to `_` puts `{n}` before a plural noun."""
    plural_noun = re.compile(r"\{n\} (cases|people|notices|clients|referrals|sessions)\b")
    for msgid, message in catalogues.used().items():
        if isinstance(message, str):
            assert not plural_noun.search(msgid), msgid


def test_indonesian_is_the_default_and_english_is_there() -> None:
    assert translator("id")("Register a client") == "Daftarkan klien"
    assert translator("en")("Register a client") == "Register a client"
    assert translator("xx")("Log out") == "Keluar"  # an unknown language falls back to id


def test_placeholders_survive_translation() -> None:
    for language in LANGUAGES:
        assert "Siti" in translator(language)("Good day, {name}", name="Siti")
