"""Who works where, as the realm knows it: every account with the `officer` or `supervisor`
role and its region, read through Keycloak's admin API with the client service's own account
(`service-client`, which may only view users). Supervisors give cases to any officer of their
province this way, also to one who has never signed in to the portal.

Listing a role's members needs `view-realm` as well, which would show the realm's whole
configuration; so the users that name a region are listed, and each one's realm roles read.

The list is kept for a minute: a new officer appears within one, and a supervisor's page does
not cost a call to Keycloak each time. When Keycloak cannot be reached, the last list is
answered; before any list was read, the caller falls back on the portal's sign-ins."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from keycloak import KeycloakAdmin, KeycloakError, KeycloakOpenIDConnection

log = logging.getLogger(__name__)
CASEWORKER_ROLES = frozenset({"officer", "supervisor"})


@dataclass(frozen=True)
class Officer:
    subject: str  # the Keycloak user id, what cases are assigned to
    username: str
    region_code: str
    email: str | None = None  # where notify writes to her (an SLA breach of her referral)


class RealmStaff:
    def __init__(
        self,
        server_url: str,
        realm: str,
        client_id: str,
        secret: str,
        *,
        max_age_s: float = 60.0,
    ) -> None:
        self._admin = KeycloakAdmin(
            connection=KeycloakOpenIDConnection(
                server_url=server_url,
                realm_name=realm,
                client_id=client_id,
                client_secret_key=secret,
                timeout=5,
            )
        )
        self._max_age_s = max_age_s
        self._officers: list[Officer] = []  # as last read
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def officers(self) -> list[Officer] | None:
        """Every officer and supervisor of the realm that names a region, by username; None
        when the realm could never be read."""
        async with self._lock:
            if time.monotonic() - self._read_at > self._max_age_s:
                try:
                    self._officers = await self._read()
                except (KeycloakError, OSError) as exc:
                    log.warning("the realm's officers could not be read: %s", type(exc).__name__)
                    return self._officers if self._read_at > float("-inf") else None
                self._read_at = time.monotonic()
            return self._officers

    async def _read(self) -> list[Officer]:
        users = await self._admin.a_get_users({"briefRepresentation": False})
        placed = [
            (user, region)
            for user in users
            if user.get("enabled", True)
            and (region := _region(user.get("attributes") or {})) is not None
        ]
        roles = await asyncio.gather(
            *(self._admin.a_get_composite_realm_roles_of_user(user["id"]) for user, _ in placed)
        )
        return sorted(
            (
                Officer(user["id"], user["username"], region, user.get("email") or None)
                for (user, region), held in zip(placed, roles, strict=True)
                if CASEWORKER_ROLES.intersection(role["name"] for role in held)
            ),
            key=lambda o: o.username,
        )


def _region(attributes: dict[str, list[str]]) -> str | None:
    values = attributes.get("region") or []
    return values[0] if values else None
