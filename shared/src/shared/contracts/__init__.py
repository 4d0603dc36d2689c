"""Published event contracts: one module per producing service, one model per event type.

Each contract is the `data` of a CloudEvent whose `type` is `jembatan.<entity>.<action>.v<N>`.
A breaking change is a new major version published beside the old one. Every type has an
example message, and tests compare each model with its stored JSON schema so an incompatible
change fails the build.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """The data of one published event type."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    TOPIC: ClassVar[str]
    EXAMPLE: ClassVar[dict[str, Any]]

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def registry() -> dict[str, type[Contract]]:
    """Every published contract by its type string."""
    from shared.contracts import client, notify, partner, referral, training

    contracts: list[type[Contract]] = [
        *client.PUBLISHED,
        *client.RETIRED,
        *notify.PUBLISHED,
        *referral.PUBLISHED,
        *partner.PUBLISHED,
        *training.PUBLISHED,
    ]
    return {c.TYPE: c for c in contracts}
