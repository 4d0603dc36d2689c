"""Domain events of a client, translated into the published contracts of `client.events`."""

from __future__ import annotations

from collections.abc import Callable

from client.domain import events
from client.domain.model import Client
from shared.contracts import client as client_contracts
from shared.messaging.envelope import Envelope


def _registered(client: Client, _: events.ClientRegistered) -> Envelope:
    data = client_contracts.ClientRegistered(
        client_id=client.id,
        kind=client.kind,
        region_code=client.region_code,
        registered_at=client.registered_at,
        registered_by=client.registered_by,
        full_name=client.full_name,
        sex=client.sex,
        birth_date=client.birth_date,
        disability=client.disability,
        preferred_language=client.preferred_language,
        contact=client_contracts.Contact(phone=client.phone, email=client.email),
    )
    return Envelope(
        type=data.TYPE,
        source=client_contracts.SOURCE,
        subject=f"client/{client.id}",
        key=str(client.id),
        data=data.to_data(),
    )


PUBLISHED: dict[type[events.Event], Callable[[Client, events.Event], Envelope]] = {
    events.ClientRegistered: _registered,  # type: ignore[dict-item]
}


def to_envelopes(client: Client) -> list[Envelope]:
    return [PUBLISHED[type(e)](client, e) for e in client.events]
