"""The composition root of referral: engines and clients are built here, once, on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from referral.adapters.clients import ClientService, client_service
from referral.adapters.partner_access import PartnerAccess
from referral.service_layer.handlers import Context
from referral.service_layer.unit_of_work import UnitOfWork
from referral.settings import ReferralSettings
from shared import db
from shared.calendar import IndonesianHolidays
from shared.sealing import DataKeys, data_keys
from shared.settings import service_account


@dataclass(frozen=True)
class Container:
    settings: ReferralSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clients: ClientService
    keys: DataKeys
    holidays: IndonesianHolidays
    partner_access: PartnerAccess

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def context(self) -> Context:
        return Context(now=lambda: datetime.now(UTC), holidays=self.holidays, clients=self.clients)


def build(settings: ReferralSettings | None = None, *, rows: db.Rows = "all") -> Container:
    """`rows="caller"`: the API, whose transactions see only the caller's rows (decision 0011)."""
    settings = settings or ReferralSettings()
    engine = db.async_engine(settings.database_url, rows=rows)
    account = service_account(settings)
    return Container(
        settings=settings,
        engine=engine,
        sessions=db.session_factory(engine),
        clients=client_service(settings.client_service_url, *account),
        keys=data_keys(settings.client_service_url, *account),
        holidays=IndonesianHolidays(),
        partner_access=PartnerAccess(
            settings.keycloak_url,
            settings.keycloak_realm,
            settings.onboarding_client_id,
            settings.onboarding_client_secret.get_secret_value(),
            settings.kafka_bootstrap_servers,
            settings.kafka_security,
            replicas=settings.partner_topic_replicas,
        ),
    )
