"""The HTTP shapes of breaches (separate from the domain and the tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from client.domain.breach import DESCRIPTION_MAX, HANDLING_MAX, REGIONS_MAX, Breach

Category = Literal["unauthorised_access", "disclosure", "alteration", "loss", "destruction"]
System = Literal[
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
]
DataKind = Literal[
    "nik",
    "name",
    "birth_date_and_sex",
    "contact",
    "disability",
    "financial_profile",
    "business",
    "case_notes",
]
RegionPrefix = Annotated[str, StringConstraints(pattern=r"^\d{2}(\d{2})?$")]
_RULE = (
    "`region-prefix-and-registered-before-period-end/v1`: every client record whose region "
    "starts with one of `regions` and that was registered before `period.to`."
)


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: AwareDatetime = Field(alias="from", description="when the breach began, or may have")
    to: AwareDatetime = Field(description="when it ended (not in the future)")


class NewBreach(BaseModel):
    """A suspected breach. No personal data: a text with a 16-digit number or a phone number
    is refused, naming the field."""

    model_config = ConfigDict(extra="forbid")

    category: Category = Field(description="what happened, in the terms of UU 27/2022")
    description: str = Field(
        min_length=1, max_length=DESCRIPTION_MAX, description="how it happened (for the letter)"
    )
    handling: str = Field(
        min_length=1,
        max_length=HANDLING_MAX,
        description="what is done to handle it and recover, as every person is told by SMS",
    )
    data_kinds: list[DataKind] = Field(min_length=1, description="which personal data")
    systems: list[System] = Field(min_length=1)
    found_at: AwareDatetime = Field(description="the 3 x 24-hour deadline runs from here")
    period: Period
    regions: list[RegionPrefix] = Field(
        min_length=1, max_length=REGIONS_MAX, description="province or regency codes"
    )


class RegionCount(BaseModel):
    region_code: str
    clients: int


class BreachOut(BaseModel):
    id: UUID
    category: str
    description: str
    handling: str
    data_kinds: list[str]
    systems: list[str]
    found_at: datetime
    period: Period
    regions: list[str]
    affected_rule: str = Field(description=_RULE)
    counts: list[RegionCount] = Field(
        description="clients who may be affected, by regency, counted when it was recorded "
        "(a supervisor sees their province's)"
    )
    affected_total: int
    recorded_at: datetime
    recorded_by: str
    due_at: datetime = Field(description="found_at + 3 x 24 hours (UU 27/2022 Pasal 46)")
    pending: list[Literal["people", "authority"]] = Field(description="who is not told yet")
    late: bool
    people_notified_at: datetime | None
    people_told: int | None = Field(description="notices approved, one per person")
    authority_notified_at: datetime | None
    escalated_at: datetime | None

    @classmethod
    def of(cls, breach: Breach, now: datetime) -> BreachOut:
        return cls(
            id=breach.id,
            category=breach.category,
            description=breach.description,
            handling=breach.handling,
            data_kinds=list(breach.data_kinds),
            systems=list(breach.systems),
            found_at=breach.found_at,
            period=Period(start=breach.period_from, to=breach.period_to),
            regions=list(breach.regions),
            affected_rule=breach.affected_rule,
            counts=[
                RegionCount(region_code=c, clients=n) for c, n in sorted(breach.counts.items())
            ],
            affected_total=breach.affected,
            recorded_at=breach.recorded_at,
            recorded_by=breach.recorded_by,
            due_at=breach.due_at,
            pending=list(breach.pending()),
            late=breach.late(now),
            people_notified_at=breach.people_notified_at,
            people_told=breach.people_told,
            authority_notified_at=breach.authority_notified_at,
            escalated_at=breach.escalated_at,
        )


class BreachPage(BaseModel):
    items: list[BreachOut]
    next_cursor: str | None = None


class AffectedClientOut(BaseModel):
    client_id: UUID
    region_code: str
    registered_at: datetime
    preferred_language: str


class AffectedPage(BaseModel):
    items: list[AffectedClientOut]
    next_cursor: str | None = None


class AuthorityNotified(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notified_at: AwareDatetime | None = Field(
        default=None, description="when the letter went; default now"
    )
