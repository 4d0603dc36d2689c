"""The client service, asked synchronously for a referral's applicant (docs/decisions/0006).

Only at the moment a referral is sent, only with the officer's own token, and only for the
fields the live consent allows: the client service checks region and consent again and
audits the read. The NIK therefore never travels on an internal topic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import httpx


class ProfileUnavailable(Exception):
    """No profile: not in the officer's region, or no live consent for the partner."""


class ClientService:
    def __init__(self, base_url: str, timeout_s: float = 5.0) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s)

    async def referral_profile(
        self, client_id: UUID, partner_code: str, bearer_token: str
    ) -> tuple[dict[str, Any], datetime]:
        answer = await self._http.get(
            f"/api/clients/{client_id}/referral-profile",
            params={"partner_code": partner_code},
            headers={"Authorization": f"Bearer {bearer_token}"},
        )
        if answer.status_code in (404, 409):
            raise ProfileUnavailable()
        answer.raise_for_status()
        profile: dict[str, Any] = answer.json()
        return profile, datetime.fromisoformat(profile["consent_granted_at"])

    async def close(self) -> None:
        await self._http.aclose()
