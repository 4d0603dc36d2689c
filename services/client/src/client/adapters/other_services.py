"""What the other services keep of a client, for the client's export (decision 0016).

Asked through the gateway with the officer's own token: each service checks the region and
answers what the officer may see anyway. An export is never silently incomplete: a service
that does not answer fails the export, and the officer tries again.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import httpx

# Each part of the export, and where the owning service answers it.
PARTS = {
    "referrals": "/api/referrals?client_id={id}&limit=200",
    "trainings": "/api/training/clients/{id}/trainings",
    "notifications": "/api/notifications?client_id={id}&limit=200",
}


class ServiceDidNotAnswer(Exception):
    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


class OtherServices:
    def __init__(self, gateway_url: str, timeout_s: float = 10.0) -> None:
        self._http = httpx.AsyncClient(base_url=gateway_url, timeout=timeout_s)

    async def parts_of(self, client_id: UUID, bearer_token: str) -> dict[str, Any]:
        async def part(name: str, path: str) -> tuple[str, Any]:
            try:
                answer = await self._http.get(
                    path.format(id=client_id),
                    headers={"Authorization": f"Bearer {bearer_token}"},
                )
            except httpx.HTTPError as exc:
                raise ServiceDidNotAnswer(name) from exc
            if answer.status_code == 404:  # the service never heard of the client
                return name, []
            if answer.status_code != 200:
                raise ServiceDidNotAnswer(name)
            body = answer.json()
            return name, body.get("items", body) if isinstance(body, dict) else body

        found = await asyncio.gather(*(part(name, path) for name, path in PARTS.items()))
        return dict(found)

    async def close(self) -> None:
        await self._http.aclose()
