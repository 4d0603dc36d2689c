"""The consent texts an officer reads to the client, by purpose, with their version.

The version is recorded with the consent (the client service keeps it), so what the client
heard can be shown later. A new wording is a new version here; old versions stay readable
in the version history of this file.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.words import N_


@dataclass(frozen=True)
class ConsentText:
    version: str
    text: str  # a msgid: the officer reads it in the client's language


CURRENT = {
    "case_management": ConsentText(
        "cm-2026-01",
        N_(
            "The placement office keeps your details to help you find work and financial "
            "services. You can ask to see, correct or delete them at any time."
        ),
    ),
    "referral": ConsentText(
        "ref-2026-01",
        N_(
            "We send your name and phone number (and, if you agree, your NIK, birth date and "
            "sex) to the chosen bank or fintech so that it can contact you. You can withdraw "
            "this consent at any time; the partner must then erase your data within 3 days."
        ),
    ),
    "notifications": ConsentText(
        "notif-2026-01",
        N_(
            "We send you messages about your registration, referrals and trainings over the "
            "channels you choose. Reply STOP to any SMS to stop them."
        ),
    ),
}
