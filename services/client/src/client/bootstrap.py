"""The composition root: engines, key material and clients are built here, once, on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from client.adapters.other_services import OtherServices
from client.adapters.regions import KemendagriRegions
from client.adapters.repositories.nik import NikProtector
from client.adapters.staff_directory import RealmStaff
from client.service_layer.handlers import Context
from client.service_layer.unit_of_work import SqlUnitOfWork
from client.settings import ClientSettings
from shared import db
from shared.calendar import IndonesianHolidays
from shared.crypto import BlindIndex, Keyring, derive_key
from shared.settings import service_account


@dataclass(frozen=True)
class Container:
    settings: ClientSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    nik: NikProtector
    kek: Keyring
    sheets: Keyring
    regions: KemendagriRegions
    holidays: IndonesianHolidays
    others: OtherServices
    staff: RealmStaff

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.nik, self.kek)

    def context(self) -> Context:
        """What every handler may need besides its unit of work: the clock, regions, holidays."""
        return Context(now=lambda: datetime.now(UTC), regions=self.regions, holidays=self.holidays)


def _nik_keys(settings: ClientSettings) -> tuple[str, str]:
    """The NIK key ring's spec (`id=secret,…`) and the key used before key ids."""
    legacy = settings.nik_encryption_key.get_secret_value()
    return settings.nik_encryption_keys.get_secret_value() or f"1={legacy}", legacy


def nik_protector(settings: ClientSettings) -> NikProtector:
    keys, legacy = _nik_keys(settings)
    return NikProtector(
        Keyring.from_secrets(keys, "nik-aes-gcm-v1", b"clients.nik", legacy_secret=legacy),
        BlindIndex(derive_key(settings.nik_index_key.get_secret_value(), "nik-hmac-index-v1")),
    )


def sheet_keys(settings: ClientSettings) -> Keyring:
    """The keyring that seals an uploaded sheet while it waits to be registered (the NIK
    secrets, derived for this purpose)."""
    keys, _legacy = _nik_keys(settings)
    return Keyring.from_secrets(keys, "import-sheet-aes-gcm-v1", b"import_jobs.content")


def key_encryption_keys(settings: ClientSettings) -> Keyring:
    """The keyring that wraps each client's data key (shared.sealing)."""
    return Keyring.from_secrets(
        settings.data_key_encryption_keys.get_secret_value(),
        "client-data-kek-v1",
        b"client_keys.wrapped",
    )


def build(settings: ClientSettings | None = None, *, rows: db.Rows = "all") -> Container:
    """`rows="caller"`: the API, whose transactions see only the caller's rows (decision 0011)."""
    settings = settings or ClientSettings()
    engine = db.async_engine(settings.database_url, rows=rows)
    return Container(
        settings=settings,
        engine=engine,
        sessions=db.session_factory(engine),
        nik=nik_protector(settings),
        kek=key_encryption_keys(settings),
        sheets=sheet_keys(settings),
        regions=KemendagriRegions(),
        holidays=IndonesianHolidays(),
        others=OtherServices(settings.gateway_url),
        staff=realm_staff(settings),
    )


def realm_staff(settings: ClientSettings) -> RealmStaff:
    _, client_id, secret = service_account(settings)
    server = settings.keycloak_url.rstrip("/") + "/"
    return RealmStaff(server, settings.keycloak_realm, client_id, secret)
