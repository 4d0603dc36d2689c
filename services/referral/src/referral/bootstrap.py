"""The composition root of referral: engines and clients are built here, once, on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from referral.adapters.clients import ClientService, client_service
from referral.adapters.partner_access import PartnerAccess
from referral.service_layer.handlers import Context
from referral.service_layer.onboarding import Provisioning
from referral.service_layer.unit_of_work import ReferralUnitOfWork
from referral.settings import ReferralSettings
from shared import db, snap
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

    def uow(self) -> ReferralUnitOfWork:
        return ReferralUnitOfWork(self.sessions)

    def context(self) -> Context:
        return Context(now=lambda: datetime.now(UTC), holidays=self.holidays, clients=self.clients)

    def provisioning(self) -> Provisioning:
        return Provisioning(
            self.partner_access,
            dev=self.settings.is_dev,
            stop_after=self.settings.fault_onboarding_stop_after,
        )

    @cached_property
    def webhook_public_keys(self) -> list[rsa.RSAPublicKey]:
        """The keys partners verify webhooks with (decision 0021); empty if none is set."""
        return webhook_public_keys(self.settings)


def signing_key(settings: ReferralSettings) -> rsa.RSAPrivateKey:
    """The webhook signing key: made at first use in development, read from its file else."""
    path = settings.webhook_signing_key_path()
    if settings.is_dev and not settings.webhook_signing_key_file:
        return snap.dev_key(path)
    return snap.load_private_key(path)


def webhook_public_keys(settings: ReferralSettings) -> list[rsa.RSAPublicKey]:
    """The published file (one PEM key, or several one after another during a rotation);
    else the public half of the signing key where this process may read it."""
    if settings.webhook_public_key_file:
        text = Path(settings.webhook_public_key_file).read_text()
        marker = "-----END PUBLIC KEY-----"
        blocks = [b + marker for b in text.split(marker) if b.strip()]
        return [snap.public_key_of(block.strip().encode()) for block in blocks]
    if settings.webhook_signing_key_file or settings.is_dev:
        return [signing_key(settings).public_key()]
    return []


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
