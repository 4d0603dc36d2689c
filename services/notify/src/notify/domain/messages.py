"""The kinds of message notify sends, what each one needs, and what none may ever contain."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from notify.domain import breach_words
from notify.domain.sms import SmsLength

Audience = Literal["client", "supervisor", "administrators"]
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class UnknownKind(KeyError):
    pass


class InvalidContext(ValueError):
    pass


class PersonalDataInMessage(ValueError):
    pass


class MessageTooLong(ValueError):
    """A template lets a message outgrow its parts: a bug in the template, not in the data."""


@dataclass(frozen=True)
class MessageKind:
    name: str
    variables: tuple[str, ...]
    max_segments: int = 1
    urgent: bool = False
    audience: Audience = "client"


@dataclass(frozen=True)
class Rendered:
    kind: str
    language: str
    subject: str
    text: str  # the SMS and WhatsApp text, and the body of the email
    length: SmsLength


_REFERRAL = ("partner_name", "product_name")
_SESSION = ("programme_title", "when")

KINDS: dict[str, MessageKind] = {
    kind.name: kind
    for kind in (
        MessageKind("client_registered", ()),
        MessageKind("referral_sent", _REFERRAL),
        MessageKind("referral_acknowledged", _REFERRAL),
        MessageKind("referral_account_opened", _REFERRAL),
        MessageKind("referral_declined", _REFERRAL),
        MessageKind("referral_withdrawn", _REFERRAL),
        MessageKind("training_enrolled", _SESSION),
        MessageKind("training_waitlisted", ("programme_title",)),
        MessageKind("training_promoted", _SESSION),
        MessageKind("training_session_changed", _SESSION),
        MessageKind("training_session_cancelled", ("programme_title",)),
        MessageKind("training_reminder", _SESSION),
        MessageKind("training_completed", ("programme_title", "certificate_code")),
        # Goes by email to the region's supervisors, so it may take two parts.
        MessageKind(
            "sla_breach",
            ("referral_id", "partner_code", "breach", "region_code"),
            max_segments=2,
            urgent=True,
            audience="supervisor",
        ),
        # A partner left an erased client's data unconfirmed past its deadline (`when`).
        MessageKind(
            "erasure_overdue",
            ("referral_id", "partner_code", "region_code", "when"),
            max_segments=2,
            urgent=True,
            audience="supervisor",
        ),
        # A personal-data breach, told as UU 27/2022 Pasal 46 ayat 2 asks: the data, when
        # and how, and what was done. Three parts: the law's contents do not fit in fewer.
        MessageKind(
            "breach_notice",
            ("reference", "found_on", "what", "data_kinds", "handling"),
            max_segments=3,
        ),
        MessageKind(
            "breach_escalated",
            ("breach_id", "due", "pending"),
            max_segments=2,
            urgent=True,
            audience="administrators",
        ),
    )
}


def kind_named(name: str) -> MessageKind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None


def language_or_default(language: str) -> str:
    """The catalogue language for a client's preference: "en-GB" reads as "en", others as "id"."""
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def check_context(kind: MessageKind, context: Mapping[str, str]) -> None:
    """Refuse a context that lacks one of the kind's variables, adds another, or leaves one blank.

    Refusing extra variables keeps a caller from handing over more than the message shows.
    """
    missing = [name for name in kind.variables if name not in context]
    if missing:
        raise InvalidContext(f"{kind.name} needs {', '.join(missing)}")
    unknown = sorted(name for name in context if name not in kind.variables)
    if unknown:
        raise InvalidContext(f"{kind.name} takes no {', '.join(unknown)}")
    blank = [name for name in kind.variables if not context[name].strip()]
    if blank:
        raise InvalidContext(f"{kind.name} has an empty {', '.join(blank)}")


_NIK = re.compile(r"\d{16}")
_PHONE = re.compile(r"(\+62|62|0)8\d{7,11}")
# As people write them: "0812-3456-7890", "+62 812 3456 7890". Only a space or a hyphen may
# separate, and only after "8" and its next digit, so "08.00" and "31-08-2026" are no phones.
_WRITTEN_PHONE = re.compile(r"(\+62|62|0)[ -]?8\d([ -]?\d){6,10}")
# A referral's id is no personal data, but its digit groups can look like a phone number.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def refuse_personal_data(text: str) -> None:
    """Refuse a text that shows a NIK-like number or an Indonesian mobile number.

    The error does not repeat the number: it may end up in a log.
    """
    scanned = _UUID.sub("<id>", text)
    if _NIK.search(scanned):
        raise PersonalDataInMessage("the message shows a 16-digit, NIK-like number")
    if _PHONE.search(scanned) or _WRITTEN_PHONE.search(scanned):
        raise PersonalDataInMessage("the message shows something like a phone number")


# The longest values the services produce: titles and names up to 200 characters (with the
# typographic dashes and quotes officers paste in), the longest date a session can have.
_SAMPLES: dict[str, dict[str, str]] = {
    "id": {
        "programme_title": (
            "Literasi Keuangan untuk Usaha Mikro dan Pekerja Mandiri: Mengelola Arus Kas, "
            "Menabung, Memilih Pinjaman yang Aman, Memahami Bunga dan Biaya, serta Menghindari "
            "Pinjaman Online Ilegal (Angkatan II 2026)"
        ),
        "when": "Kam, 31 Des 2026 09.00 WITA",
        "breach": "belum ditanggapi mitra, batas waktu Kam, 31 Des 2026 17.00 WITA",
        "found_on": "31 Des 2026",
        "what": breach_words.longest_category("id"),
        "data_kinds": breach_words.data_kinds(breach_words.DATA_KINDS, "id"),
        "due": "Kam, 31 Des 2026 17.00 WITA",
        "pending": breach_words.pending(("people", "authority"), "id"),
    },
    "en": {
        "programme_title": (
            "Financial Literacy for Micro-Businesses and Independent Workers: Managing Cash "
            "Flow, Saving, Choosing a Safe Loan, Understanding Interest and Fees, and Avoiding "
            "Illegal Online Lenders (Cohort II 2026)"
        ),
        "when": "Thu 31 Dec 2026 09:00 WITA",
        "breach": "not acknowledged by the partner, due Thu 31 Dec 2026 17:00 WITA",
        "found_on": "31 Dec 2026",
        "what": breach_words.longest_category("en"),
        "data_kinds": breach_words.data_kinds(breach_words.DATA_KINDS, "en"),
        "due": "Thu 31 Dec 2026 17:00 WITA",
        "pending": breach_words.pending(("people", "authority"), "en"),
    },
}
_SAMPLES_IN_ANY_LANGUAGE = {
    "partner_name": (
        "PT Bank Pembangunan Daerah Jawa Barat dan Banten Tbk \u2013 Kantor Cabang Pembantu "
        "Cianjur Selatan, Unit Pelayanan Usaha Mikro, Kecil dan Menengah serta Layanan "
        "Keuangan Tanpa Kantor bagi Keuangan Inklusif"
    ),
    "product_name": (
        "Kredit Usaha Rakyat (KUR) Mikro untuk Pelaku Usaha Perseorangan dengan Plafon hingga "
        "Rp100 Juta, Tanpa Agunan Tambahan, Tenor sampai 5 Tahun, Angsuran Bulanan Tetap serta "
        "Asuransi Jiwa Kredit Termasuk"
    ),
    "certificate_code": "7KQ3M-X9TPA",
    "referral_id": "3f9c2a7e-8b41-4d0c-9e25-61a7b3c8d045",
    "partner_code": "bpd-jabar-banten-kcp-cianjur-selatan",
    "region_code": "3273",
    "breach_id": "4b3a2918-0f7e-4d6c-8b5a-493827160f5e",
    "reference": "4B3A2918",
    # The longest handling an administrator may write (the client service's limit).
    "handling": (
        "Akses pihak luar sudah ditutup, semua kata sandi diganti, sistem diperiksa ulang, "
        "dan kami kini memantau penyalahgunaan."
    ),
}


def sample_context(kind: str, language: str) -> dict[str, str]:
    """The longest realistic context of a kind: tests and officers' previews render it."""
    samples = _SAMPLES_IN_ANY_LANGUAGE | _SAMPLES[language_or_default(language)]
    return {name: samples[name] for name in kind_named(kind).variables}
