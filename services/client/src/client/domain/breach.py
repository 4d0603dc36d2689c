"""A suspected personal-data breach and its notice deadline (UU 27/2022 Pasal 46).

When personal data fail to be protected, the controller tells the people concerned and the
authority in writing within 3 x 24 hours (Pasal 46 ayat 1), saying which data were exposed,
when and how, and what is done to handle it and recover (ayat 2). The record of a breach holds
what happened, the systems, the period and the regions; the people it may have touched are
counted by region here and listed only from the live tables, never copied in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from client.domain import events
from client.domain.model import RegionDirectory
from shared.errors import Conflict, InvalidField

NOTICE_WINDOW = timedelta(hours=3 * 24)
# The kinds of failure the law's elucidation of Pasal 46 ayat 1 names: destruction, loss,
# alteration, disclosure of, or unauthorised access to personal data.
CATEGORIES = ("unauthorised_access", "disclosure", "alteration", "loss", "destruction")
SYSTEMS = (
    "client",
    "referral",
    "training",
    "notify",
    "indicators",
    "portal",
    "gateway",
    "keycloak",
    "kafka",
    "backups",
    "other",
)
# What Jembatan holds of a person, in the words of Pasal 46 ayat 2 huruf a ("the data exposed").
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
# Who is affected, by this rule (stored with each breach, so a later rule does not rewrite an
# old breach's meaning): a client record whose region (the domicile recorded now) lies in one
# of the breach's regions and that was registered before the period ended, so its values
# were in our systems during the period. Erased records are gone and not listed.
AFFECTED_RULE = "region-prefix-and-registered-before-period-end/v1"
DESCRIPTION_MAX = 2000
# The handling is told to every person by SMS, so it must stay short.
HANDLING_MAX = 120
REGIONS_MAX = 600

_NIK = re.compile(r"(?<!\d)\d{4}(?:[ .-]?\d{4}){3}(?!\d)")
_PHONE = re.compile(r"(\+62|62|0)8\d{7,11}")
# As people write them: "0812-3456-7890", "+62 812 3456 7890"; "08.00" and dates are no phones.
_WRITTEN_PHONE = re.compile(r"(\+62|62|0)[ -]?8\d([ -]?\d){6,10}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_REGION = re.compile(r"^\d{2}(\d{2})?$")


class InvalidBreach(InvalidField, ValueError):
    """A rule of recording a breach is broken; `field` names the input that breaks it (422)."""


@dataclass(frozen=True)
class BreachEscalated(events.Event):
    breach_id: UUID


PEOPLE_ALREADY_TOLD = "The people were already told of this breach."
AUTHORITY_ALREADY_TOLD = "The authority's notice was already recorded."


class AlreadyNotified(Conflict):
    """The people, or the authority, were already told of this breach (409
    `already-notified`; the detail says which)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, "already-notified")


def refuse_personal_data(field_name: str, text: str) -> None:
    """Refuse free text that shows a NIK-like 16-digit number or an Indonesian mobile number:
    the breach record must hold nothing personal. The message never repeats the number."""
    # Full-width digits read as the ASCII digits they stand for.
    scanned = _UUID.sub("<id>", unicodedata.normalize("NFKC", text))
    if _NIK.search(scanned):
        raise InvalidBreach(field_name, "must not contain a 16-digit number (a NIK is personal)")
    if _PHONE.search(scanned) or _WRITTEN_PHONE.search(scanned):
        raise InvalidBreach(field_name, "must not contain a phone number (it is personal)")


def _text(field_name: str, value: str, limit: int, *, lines: bool = False) -> str:
    """Trimmed (spaces folded; line breaks kept where `lines`), bounded, and impersonal."""
    kept = value.splitlines() if lines else [value]
    value = "\n".join(" ".join(line.split()) for line in kept).strip()
    if not value:
        raise InvalidBreach(field_name, "must not be empty")
    if len(value) > limit:
        raise InvalidBreach(field_name, f"must be at most {limit} characters")
    refuse_personal_data(field_name, value)
    return value


def _chosen(field_name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not values:
        raise InvalidBreach(field_name, "must name at least one")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidBreach(field_name, f"must each be one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(values))


def _regions(values: tuple[str, ...], directory: RegionDirectory) -> tuple[str, ...]:
    if not values:
        raise InvalidBreach("regions", "must name at least one region")
    if len(values) > REGIONS_MAX:
        raise InvalidBreach("regions", f"must name at most {REGIONS_MAX} regions")
    for code in values:
        if not _REGION.match(code) or not directory.exists(code):
            raise InvalidBreach("regions", "must each be a Kemendagri province or regency code")
    return tuple(sorted(set(values)))


@dataclass(frozen=True)
class AffectedClient:
    """A client record a breach may have touched: an id and where, never a name or contact."""

    id: UUID
    region_code: str
    registered_at: datetime
    preferred_language: str


@dataclass
class Breach:
    id: UUID
    category: str
    description: str
    handling: str
    data_kinds: tuple[str, ...]
    systems: tuple[str, ...]
    found_at: datetime
    period_from: datetime
    period_to: datetime
    regions: tuple[str, ...]
    recorded_at: datetime
    recorded_by: str
    affected_rule: str = AFFECTED_RULE
    # Clients who may be affected, by regency: counted when the breach was recorded.
    counts: dict[str, int] = field(default_factory=dict)
    people_notified_at: datetime | None = None
    people_notified_by: str | None = None
    people_told: int | None = None
    authority_notified_at: datetime | None = None
    authority_notified_by: str | None = None
    escalated_at: datetime | None = None
    version: int = 1
    events: list[events.Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def record(
        cls,
        *,
        category: str,
        description: str,
        handling: str,
        data_kinds: tuple[str, ...],
        systems: tuple[str, ...],
        found_at: datetime,
        period_from: datetime,
        period_to: datetime,
        regions: tuple[str, ...],
        by: str,
        now: datetime,
        directory: RegionDirectory,
    ) -> Breach:
        """A breach as an administrator reports it; every rule checked, the first broken named."""
        if category not in CATEGORIES:
            raise InvalidBreach("category", f"must be one of {', '.join(CATEGORIES)}")
        if found_at > now:
            raise InvalidBreach("found_at", "must not lie in the future")
        if period_from >= period_to:
            raise InvalidBreach("period.to", "must come after the period's start")
        if period_to > now:
            raise InvalidBreach("period.to", "must not lie in the future")
        if found_at < period_from:
            raise InvalidBreach("found_at", "must not come before the period's start")
        return cls(
            id=uuid4(),
            category=category,
            description=_text("description", description, DESCRIPTION_MAX, lines=True),
            handling=_text("handling", handling, HANDLING_MAX),
            data_kinds=_chosen("data_kinds", data_kinds, DATA_KINDS),
            systems=_chosen("systems", systems, SYSTEMS),
            found_at=found_at,
            period_from=period_from,
            period_to=period_to,
            regions=_regions(regions, directory),
            recorded_at=now,
            recorded_by=by,
        )

    @property
    def due_at(self) -> datetime:
        """When the people and the authority must have been told: 3 x 24 hours after it was
        found (the law counts hours, not working days)."""
        return self.found_at + NOTICE_WINDOW

    @property
    def affected(self) -> int:
        return sum(self.counts.values())

    def pending(self) -> tuple[str, ...]:
        """Who has not been told yet: "people", "authority", both or neither."""
        waiting = []
        if self.people_notified_at is None:
            waiting.append("people")
        if self.authority_notified_at is None:
            waiting.append("authority")
        return tuple(waiting)

    def late(self, now: datetime) -> bool:
        return bool(self.pending()) and now > self.due_at

    def approve_people_notices(self, *, by: str, told: int, now: datetime) -> None:
        """The administrator approved the notices to the `told` people affected."""
        if self.people_notified_at is not None:
            raise AlreadyNotified(PEOPLE_ALREADY_TOLD)
        self.people_notified_at, self.people_notified_by, self.people_told = now, by, told
        self.version += 1

    def authority_notified(self, *, by: str, at: datetime, now: datetime) -> None:
        """The letter to the authority was sent `at` (by post or e-mail, outside Jembatan)."""
        if self.authority_notified_at is not None:
            raise AlreadyNotified(AUTHORITY_ALREADY_TOLD)
        if at > now:
            raise InvalidBreach("notified_at", "must not lie in the future")
        if at < self.found_at:
            raise InvalidBreach("notified_at", "must not come before the breach was found")
        self.authority_notified_at, self.authority_notified_by = at, by
        self.version += 1

    def escalate(self, now: datetime) -> bool:
        """Once, when the deadline has passed with someone still not told."""
        if self.escalated_at is not None or not self.late(now):
            return False
        self.escalated_at = now
        self.version += 1
        self.events.append(BreachEscalated(breach_id=self.id))
        return True
