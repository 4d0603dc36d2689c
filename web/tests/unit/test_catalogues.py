"""Every string the portal shows exists in Bahasa Indonesia and in English."""

from __future__ import annotations

from portal import catalogues
from portal.i18n import LANGUAGES, translator


def test_both_catalogues_hold_every_string_the_portal_shows() -> None:
    shown = catalogues.used()
    assert len(shown) > 100  # the extraction found the templates and the code
    for language in LANGUAGES:
        catalogue = {str(m.id): str(m.string) for m in catalogues.read(language) if m.id}
        assert set(catalogue) == shown, language
        assert not [msgid for msgid, text in catalogue.items() if not text.strip()], language


def test_indonesian_is_the_default_and_english_is_there() -> None:
    assert translator("id")("Register a client") == "Daftarkan klien"
    assert translator("en")("Register a client") == "Register a client"
    assert translator("xx")("Log out") == "Keluar"  # an unknown language falls back to id


def test_placeholders_survive_translation() -> None:
    for language in LANGUAGES:
        assert "Siti" in translator(language)("Good day, {name}", name="Siti")
