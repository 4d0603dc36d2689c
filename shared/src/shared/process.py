"""What the shared bodies of a service's processes ask of the service.

`shared.messaging.worker.run_worker` and `shared.periodic.run_timers` are whole process mains;
a service's entrypoint names only what is its own: its settings, its bootstrap, and what the
process does with the container the bootstrap builds. Every service's `bootstrap.build` fits
`Build`, and every container it builds holds the database engine and its sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.settings import ServiceSettings


class Container(Protocol):
    """What a process body uses of a service's container; the rest is the service's."""

    @property
    def engine(self) -> AsyncEngine: ...

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
ContainerT = TypeVar("ContainerT", bound=Container)
Build = Callable[[SettingsT], ContainerT]


def process_name(settings: ServiceSettings, process: str) -> str:
    """`client-worker`, `referral-timers`: the name in logs, spans and Kafka client ids."""
    return f"{settings.service_name}-{process}"
