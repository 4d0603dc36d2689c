"""The client service, asked synchronously for a referral's applicant (docs/decisions/0006),
and for what the projections do not know yet when a referral outruns the client's events
(docs/decisions/0020).

Only for a partner's referral (its applicant URL, or the inline offer of a partner still on
offers v1), with the referral service's own account, and only for the fields the live
consent allows: the client service checks the consent again and audits each read as a
reveal to that partner. The NIK therefore never travels on an internal topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import httpx

from shared.service_token import ServiceToken


class ProfileUnavailable(Exception):
    """No profile: no such client (erased), or no live consent for the partner."""


@dataclass(frozen=True)
class ReferralBasis:
    """A client's facts as the referral projections keep them, and the live consent."""

    kind: str
    region_code: str
    birth_date: date
    has_nib: bool
    restricted: bool
    consent_id: UUID | None
    scope: tuple[str, ...]
    granted_at: datetime | None


class ClientService:
    def __init__(self, base_url: str, token: ServiceToken, http: httpx.AsyncClient) -> None:
        self._base_url = base_url
        self._token = token
        self._http = http

    async def referral_profile(
        self, client_id: UUID, partner_code: str, referral_id: UUID
    ) -> tuple[dict[str, Any], datetime]:
        answer = await self._call(
            f"/api/clients/{client_id}/referral-profile",
            {"partner_code": partner_code, "referral_id": str(referral_id)},
        )
        if answer.status_code in (404, 409):
            raise ProfileUnavailable()
        answer.raise_for_status()
        profile: dict[str, Any] = answer.json()
        return profile, datetime.fromisoformat(profile["consent_granted_at"])

    async def referral_basis(self, client_id: UUID, partner_code: str) -> ReferralBasis | None:
        """None when the client service knows no such client either."""
        path = f"/internal/clients/{client_id}/referral-basis"
        params = {"partner_code": partner_code}
        answer = await self._call(path, params)
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        basis = answer.json()
        consent = basis["consent"] or {}
        return ReferralBasis(
            kind=basis["kind"],
            region_code=basis["region_code"],
            birth_date=date.fromisoformat(basis["birth_date"]),
            has_nib=basis["has_nib"],
            restricted=basis["restricted"],
            consent_id=UUID(consent["consent_id"]) if consent else None,
            scope=tuple(consent.get("scope", ())),
            granted_at=datetime.fromisoformat(consent["granted_at"]) if consent else None,
        )

    async def _call(self, path: str, params: dict[str, str]) -> httpx.Response:
        answer = await self._send(path, params)
        if answer.status_code == 401:  # the token expired between fetch and use: once more
            self._token.forget()
            answer = await self._send(path, params)
        return answer

    async def _send(self, path: str, params: dict[str, str]) -> httpx.Response:
        return await self._http.get(
            f"{self._base_url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {await self._token.get()}"},
        )

    async def close(self) -> None:
        await self._http.aclose()


def client_service(
    base_url: str, token_url: str, client_id: str, client_secret: str, timeout_s: float = 5.0
) -> ClientService:
    """One HTTP connection pool for the token and the calls; closed with `close`."""
    http = httpx.AsyncClient(timeout=timeout_s)
    return ClientService(base_url, ServiceToken(token_url, client_id, client_secret, http), http)
