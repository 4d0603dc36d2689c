"""A personal-data breach in the words a client reads, in Indonesian and English.

The client service sends codes (what happened, which data, who is still waiting); these are
the short forms an SMS has room for. The letter to the authority has its own, longer words.
"""

from __future__ import annotations

from collections.abc import Iterable

CATEGORIES = {
    "id": {
        "unauthorised_access": "akses tanpa hak ke data",
        "disclosure": "data terbuka bagi pihak tak berhak",
        "alteration": "perubahan data tanpa hak",
        "loss": "kehilangan data",
        "destruction": "perusakan data",
    },
    "en": {
        "unauthorised_access": "unauthorised access to data",
        "disclosure": "data disclosed to someone not entitled",
        "alteration": "an unauthorised change of data",
        "loss": "a loss of data",
        "destruction": "the destruction of data",
    },
}
DATA_KINDS = (
    "nik",
    "name",
    "birth_date_and_sex",
    "contact",
    "disability",
    "financial_profile",
    "business",
    "case_notes",
)
DATA_WORDS = {
    "id": {
        "nik": "NIK",
        "name": "nama",
        "birth_date_and_sex": "tanggal lahir, jenis kelamin",
        "contact": "nomor HP, e-mail",
        "disability": "disabilitas",
        "financial_profile": "profil keuangan",
        "business": "data usaha",
        "case_notes": "catatan kasus",
    },
    "en": {
        "nik": "NIK",
        "name": "name",
        "birth_date_and_sex": "birth date and sex",
        "contact": "phone number and e-mail",
        "disability": "disability",
        "financial_profile": "financial profile",
        "business": "business details",
        "case_notes": "case notes",
    },
}
_PENDING = {
    "id": {"people": "orang yang terdampak", "authority": "lembaga Pelindungan Data Pribadi"},
    "en": {"people": "the people affected", "authority": "the data protection authority"},
}


def _language(language: str) -> str:
    return language if language in CATEGORIES else "id"


def category(code: str, language: str) -> str:
    return CATEGORIES[_language(language)].get(code, code)


def data_kinds(codes: Iterable[str], language: str) -> str:
    """ "nama, nomor HP, e-mail": in the order the codes are listed."""
    words = DATA_WORDS[_language(language)]
    return ", ".join(words.get(code, code) for code in codes)


def pending(codes: Iterable[str], language: str) -> str:
    words = _PENDING[_language(language)]
    joiner = " dan " if _language(language) == "id" else " and "
    return joiner.join(words.get(code, code) for code in codes)


def longest_category(language: str) -> str:
    """The longest wording of what happened: what message tests render."""
    return max(CATEGORIES[_language(language)].values(), key=len)
