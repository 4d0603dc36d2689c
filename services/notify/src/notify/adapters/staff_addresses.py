"""An officer's e-mail address, asked of the client service (which reads the realm) with
notify's own account, when a message to her is sent: notify keeps no address of staff."""

from __future__ import annotations

import httpx

from notify.adapters.channels import DeliveryFailed
from shared.service_token import ServiceToken, ServiceTokenError


class StaffAddresses:
    def __init__(self, base_url: str, token: ServiceToken, http: httpx.AsyncClient) -> None:
        self._url = f"{base_url}/internal/staff"
        self._token = token
        self._http = http

    async def email_of(self, subject: str) -> str | None:
        """Her address; None when the realm has no such officer or she has no address."""
        try:
            answer = await self._get(subject)
            if answer.status_code == 401:  # a token that expired in flight: once more
                self._token.forget()
                answer = await self._get(subject)
        except (httpx.HTTPError, ServiceTokenError) as exc:
            raise DeliveryFailed(f"staff_directory_{type(exc).__name__}") from exc
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise DeliveryFailed(f"staff_directory_{answer.status_code}")
        email: str | None = answer.json().get("email")
        return email

    async def _get(self, subject: str) -> httpx.Response:
        return await self._http.get(
            f"{self._url}/{subject}",
            headers={"Authorization": f"Bearer {await self._token.get()}"},
        )
