"""A client's rights over their data exercised: erased, restricted (UU 27/2022)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from shared.contracts import Contract
from shared.contracts.client.topic import CLIENT_ID_EXAMPLE, TOPIC


class ClientErased(Contract):
    """The client asked to be erased: every service deletes or anonymises what it holds of
    them (UU 27/2022 Pasal 43); their data key is already destroyed (decision 0015)."""

    TYPE: ClassVar[str] = "jembatan.client.erased.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": CLIENT_ID_EXAMPLE,
        "region_code": "3273",
        "request_id": "7d6c5b4a-3928-4176-9a5b-4c3d2e1f0a9b",
        "erased_at": "2026-12-07T03:00:00Z",
    }

    client_id: UUID
    region_code: str
    request_id: UUID
    erased_at: datetime


class ClientRestricted(Contract):
    """The client asked that their data not be processed further for now (or lifted that):
    while `restricted`, no new referral and no message (UU 27/2022 Pasal 41)."""

    TYPE: ClassVar[str] = "jembatan.client.restricted.v1"
    TOPIC: ClassVar[str] = TOPIC
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "client_id": CLIENT_ID_EXAMPLE,
        "region_code": "3273",
        "restricted": True,
        "request_id": "7d6c5b4a-3928-4176-9a5b-4c3d2e1f0a9b",
        "changed_at": "2026-12-07T03:00:00Z",
    }

    client_id: UUID
    region_code: str
    restricted: bool
    request_id: UUID
    changed_at: datetime
