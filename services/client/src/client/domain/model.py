"""The client aggregate: a worker or a small business registered by an officer."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from client.domain import events, reference
from client.domain.nik import InvalidNik, Nik
from shared.errors import InvalidField


class InvalidClient(InvalidField, ValueError):
    """A rule of registration is broken; `field` names the input that breaks it (422)."""


class RegionDirectory(Protocol):
    """The current Kemendagri code set: does this (undotted) code exist?"""

    def exists(self, code: str) -> bool: ...


@dataclass(frozen=True)
class FinancialProfile:
    has_bank_account: bool = False
    has_ewallet: bool = False
    wages_paid_digitally: bool = False
    uses_qris: bool = False


@dataclass(frozen=True)
class Business:
    nib: str
    name: str
    kbli: str
    scale: str
    employees: int
    annual_revenue_idr: int | None = None
    capital_idr: int | None = None
    kbli_version: str = reference.KBLI_VERSION
    scale_basis: str = "annual_sales"

    @classmethod
    def checked(
        cls,
        *,
        nib: str,
        name: str,
        kbli: str,
        scale: str | None,
        employees: int,
        annual_revenue_idr: int | None,
        capital_idr: int | None,
    ) -> Business:
        """A business whose scale follows PP 7/2021 from its annual sales (or, for a new
        business, its capital); a scale given must be that one."""
        if len(nib) != 13 or not nib.isdigit():
            raise InvalidClient("business.nib", "must be exactly 13 digits")
        if kbli not in reference.kbli_titles():
            raise InvalidClient("business.kbli", "is not a 5-digit code of the KBLI 2020 list")
        if employees < 0:
            raise InvalidClient("business.employees", "must not be negative")
        if annual_revenue_idr is not None:
            basis, amount, where = "annual_sales", annual_revenue_idr, "business.annual_revenue_idr"
        elif capital_idr is not None:
            basis, amount, where = "capital", capital_idr, "business.capital_idr"
        else:
            raise InvalidClient(
                "business.annual_revenue_idr", "is required (or capital_idr for a new business)"
            )
        if amount < 0:
            raise InvalidClient(where, "must not be negative")
        expected = reference.scale_for(amount, basis)
        if expected is None:
            raise InvalidClient(where, "is above the limit of a medium business (PP 7/2021)")
        if scale is not None and expected != scale:
            raise InvalidClient(
                "business.scale", f"does not match the amount: PP 7/2021 says {expected}"
            )
        return cls(
            nib=nib,
            name=name,
            kbli=kbli,
            scale=expected,
            employees=employees,
            annual_revenue_idr=annual_revenue_idr,
            capital_idr=capital_idr,
            scale_basis=basis,
        )


def normalized_name(name: str) -> str:
    """Case, accents and spacing removed: the duplicate-detection form of a name."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


UPDATABLE = frozenset(
    {
        "full_name",
        "phone",
        "phone_is_mobile",
        "email",
        "region_code",
        "preferred_language",
        "disability",
        "financial_profile",
        "business",
    }
)


class NikNotDecrypted(RuntimeError):
    """The NIK of a client read from storage stays encrypted unless a reveal asked for it."""


@dataclass
class Client:
    id: UUID
    kind: str
    nik: Nik | None  # in clear only while registering, or when read for a reveal
    nik_masked: str
    full_name: str
    birth_date: date
    sex: str
    phone: str
    phone_is_mobile: bool
    email: str | None
    region_code: str
    preferred_language: str
    disability: bool
    financial_profile: FinancialProfile
    business: Business | None
    nik_warnings: tuple[str, ...]
    region_code_set: str
    registered_at: datetime
    registered_by: str
    updated_at: datetime | None = None
    version: int = 1
    merged_into: UUID | None = None
    restricted: bool = False
    events: list[events.Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        *,
        kind: str,
        nik: str,
        full_name: str,
        birth_date: date,
        sex: str,
        phone: str,
        phone_is_mobile: bool,
        email: str | None,
        region_code: str,
        preferred_language: str,
        disability: bool,
        financial_profile: FinancialProfile,
        business: Business | None,
        registered_by: str,
        now: datetime,
        regions: RegionDirectory,
    ) -> Client:
        try:
            parsed = Nik.parse(nik)
            encoded_birth = parsed.birth_date(now.date())
        except InvalidNik as exc:
            raise InvalidClient("nik", f"NIK {exc}") from exc
        if encoded_birth != birth_date:
            raise InvalidClient("birth_date", "does not match the date of birth in the NIK")
        if parsed.sex != sex:
            raise InvalidClient("sex", "does not match the sex encoded in the NIK")
        if birth_date > now.date():
            raise InvalidClient("birth_date", "lies in the future")
        if not regions.exists(region_code):
            raise InvalidClient("region_code", "is not a current Kemendagri regency/city code")
        if kind == "business" and business is None:
            raise InvalidClient("business", "is required for a business")
        if kind == "worker" and business is not None:
            raise InvalidClient("business", "is only for kind=business")
        # A NIK keeps the code of its first issue, also after pemekaran: warn, never refuse.
        warnings = () if regions.exists(parsed.district_code) else ("nik_region_unknown",)
        client = cls(
            id=uuid4(),
            kind=kind,
            nik=parsed,
            nik_masked=parsed.masked,
            full_name=full_name,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            phone_is_mobile=phone_is_mobile,
            email=email,
            region_code=region_code,
            preferred_language=preferred_language,
            disability=disability,
            financial_profile=financial_profile,
            business=business,
            nik_warnings=warnings,
            region_code_set=reference.REGION_CODE_SET.version,
            registered_at=now,
            registered_by=registered_by,
        )
        client.events.append(events.ClientRegistered(client_id=client.id))
        return client

    @property
    def nik_value(self) -> str:
        if self.nik is None:
            raise NikNotDecrypted()
        return self.nik.value

    def update(
        self, changes: dict[str, Any], *, by: str, now: datetime, regions: RegionDirectory
    ) -> None:
        """Apply a partial update; the NIK, birth date, sex and kind are fixed by the NIK."""
        unknown = set(changes) - UPDATABLE
        if unknown:
            field_name = sorted(unknown)[0]
            raise InvalidClient(field_name, "cannot be changed")
        if "region_code" in changes and not regions.exists(changes["region_code"]):
            raise InvalidClient("region_code", "is not a current Kemendagri regency/city code")
        if "business" in changes and self.kind != "business":
            raise InvalidClient("business", "is only for kind=business")
        changed = sorted(k for k, v in changes.items() if getattr(self, k) != v)
        if not changed:
            return
        for key in changed:
            setattr(self, key, changes[key])
        self.updated_at = now
        self.version += 1
        self.events.append(events.ClientUpdated(client_id=self.id, fields=tuple(changed), by=by))

    def restrict(self, restricted: bool, request_id: UUID, now: datetime) -> None:
        """Stop (or resume) processing beyond keeping the record: no referral, no message."""
        if restricted == self.restricted:
            return
        self.restricted = restricted
        self.updated_at = now
        self.version += 1
        self.events.append(events.ClientRestricted(self.id, restricted, request_id, now))

    def erase(self, request_id: UUID, now: datetime) -> None:
        """The client asked to be erased: what the record held goes; the event tells the rest."""
        self.events.append(events.ClientErased(self.id, request_id, now))
