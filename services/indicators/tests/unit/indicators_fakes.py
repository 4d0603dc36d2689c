"""An in-memory indicators read model for reaction and query tests: the same promises as the
SQL one (writes keyed by id, the first count stands, a referral never moves back, the first
erasure confirmation stands; reads by month and region prefix, follow-ups only of counted
clients and due by the day asked), and the bus the worker and the API would build over it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from indicators.adapters.read_model import (
    AnsweredFollowUp,
    AskedErasure,
    CompletedTraining,
    CountedClient,
    ReferralProgress,
    ReferralStep,
    SentReferral,
)
from indicators.domain.erasures import ErasureRow
from indicators.domain.follow_ups import FollowUpRow
from indicators.domain.report import ClientRow, ReferralRow, TrainingRow
from indicators.service_layer.bus import COMMAND_HANDLERS
from indicators.service_layer.projections import REACTIONS
from indicators.service_layer.unit_of_work import IndicatorsUnitOfWork
from shared.contracts import Contract
from shared.messagebus import MessageBus
from shared.messaging.consumer import one_after_another
from shared.messaging.envelope import Envelope
from shared.sealing import prefetching
from shared.unit_of_work import RecordingUnitOfWork

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
MIN_CELL = 5


class FakeReadModel:
    """Both sides of the read model: the projection's writes and the query's reads."""

    def __init__(self) -> None:
        self.clients_: dict[UUID, CountedClient] = {}
        self.referrals_: dict[UUID, dict[str, Any]] = {}
        self.trainings_: dict[tuple[UUID, UUID], CompletedTraining] = {}
        self.erasures_: dict[UUID, dict[str, Any]] = {}
        self.follow_ups_: dict[UUID, AnsweredFollowUp] = {}

    # writes

    async def count_client(self, client: CountedClient) -> None:
        self.clients_.setdefault(client.client_id, client)

    async def forget_client(self, client_id: UUID) -> None:
        self.clients_.pop(client_id, None)

    async def keep_follow_up(self, answered: AnsweredFollowUp) -> None:
        self.follow_ups_[answered.task_id] = answered

    async def add_referral(self, referral: SentReferral) -> None:
        self.referrals_.setdefault(
            referral.referral_id,
            asdict(referral)
            | {"outcome": None, "working_days_to_outcome": None}
            | {"working_days_to_acknowledge": None},
        )

    async def referral_progress(self, referral_id: UUID) -> ReferralProgress | None:
        row = self.referrals_.get(referral_id)
        return None if row is None else ReferralProgress(row["sent_on"], row["state_rank"])

    async def advance_referral(self, referral_id: UUID, step: ReferralStep) -> None:
        if referral_id in self.referrals_:
            self.referrals_[referral_id].update(step.changes())

    async def ask_erasure(self, erasure: AskedErasure) -> None:
        self.erasures_.setdefault(
            erasure.referral_id,
            asdict(erasure) | {"confirmed_at": None, "in_time": None, "overdue": False},
        )

    async def confirm_erasure(
        self, erasure: AskedErasure, confirmed_at: datetime, in_time: bool
    ) -> None:
        await self.ask_erasure(erasure)
        row = self.erasures_[erasure.referral_id]
        if row["confirmed_at"] is None:
            row.update(confirmed_at=confirmed_at, in_time=in_time)

    async def erasure_overdue(self, erasure: AskedErasure) -> None:
        await self.ask_erasure(erasure)
        self.erasures_[erasure.referral_id]["overdue"] = True

    async def add_training(self, training: CompletedTraining) -> None:
        self.trainings_.setdefault((training.session_id, training.client_id), training)

    # reads

    async def clients(self, month: str, within: str) -> list[ClientRow]:
        counted = Counter(
            (c.region_code, c.kind, c.sex, c.age_band, c.disability)
            for c in self.clients_.values()
            if c.month == month and c.region_code.startswith(within)
        )
        return [ClientRow(*cell, people) for cell, people in counted.items()]

    async def referrals(self, month: str, within: str) -> list[ReferralRow]:
        return [
            ReferralRow(
                r["region_code"],
                r["partner_kind"],
                r["product_code"],
                r["state"],
                r["outcome"],
                r["working_days_to_outcome"],
                self._sex(r["client_id"]),
                r["working_days_to_acknowledge"],
            )
            for r in self.referrals_.values()
            if r["month"] == month and r["region_code"].startswith(within)
        ]

    async def trainings(self, month: str, within: str) -> list[TrainingRow]:
        return [
            TrainingRow(t.region_code, t.knowledge_gain)
            for t in self.trainings_.values()
            if t.month == month and t.region_code.startswith(within)
        ]

    async def erasures(self, month: str, within: str) -> list[ErasureRow]:
        return [
            ErasureRow(e["region_code"], e["partner_kind"], e["in_time"], e["overdue"])
            for e in self.erasures_.values()
            if e["month"] == month and e["region_code"].startswith(within)
        ]

    async def follow_ups(self, month: str, within: str, today: date) -> list[FollowUpRow]:
        return [
            FollowUpRow(
                f.region_code,
                self.clients_[f.client_id].sex,
                f.days,
                f.due_on,
                f.account_in_own_name,
                f.account_in_use,
            )
            for f in self.follow_ups_.values()
            if f.client_id in self.clients_  # the SQL's inner join
            and f.month == month
            and f.region_code.startswith(within)
            and f.due_on <= today
        ]

    def _sex(self, client_id: UUID) -> str | None:
        """The SQL's outer join: a referral of a client not counted has no sex."""
        client = self.clients_.get(client_id)
        return None if client is None else client.sex


class FakeIndicatorsUow(RecordingUnitOfWork, IndicatorsUnitOfWork):
    """One instance is the whole store: the worker's reactions and the API's query share it."""

    def __init__(self) -> None:
        super().__init__()
        self.model = FakeReadModel()
        self.projection = self.model
        self.figures = self.model


class FakeKeys:
    """The data keys of clients: each client's sealed values, opened as they are; a client
    without values was erased (no key)."""

    def __init__(self) -> None:
        self.values: dict[UUID, dict[str, Any]] = {}
        self.prefetched: list[list[UUID]] = []

    async def prefetch(self, client_ids: Iterable[UUID]) -> None:
        self.prefetched.append(list(client_ids))

    async def open(self, client_id: UUID, sealed: str) -> dict[str, Any] | None:
        return self.values.get(client_id)

    def forget(self, client_id: UUID) -> None:
        self.values.pop(client_id, None)


def bus_over(
    uow: FakeIndicatorsUow,
    keys: FakeKeys | None = None,
    holidays: frozenset[date] = frozenset(),
    now: datetime = NOW,
) -> MessageBus[FakeIndicatorsUow]:
    """Indicators' own tables, every message handled in `uow`, the clock at `now`."""
    return MessageBus(
        commands=COMMAND_HANDLERS,
        events=REACTIONS,
        uow=lambda: uow,
        joining=lambda session: uow,
        dependencies={
            "holidays": holidays,
            "keys": keys or FakeKeys(),
            "min_cell": MIN_CELL,
            "clock": lambda: now,
        },
    )


def envelope(event: Contract) -> Envelope:
    return Envelope(
        type=event.TYPE, source="/services/test", subject="s", key="k", data=event.to_data()
    )


async def deliver(
    bus: MessageBus[FakeIndicatorsUow], *events: Contract, keys: FakeKeys | None = None
) -> None:
    """As the worker would: each topic's events as one batch of CloudEvents, through the
    bus's routing table applied one after another, the sealed ones' keys fetched first."""
    by_topic: dict[str, list[Envelope]] = {}
    for event in events:
        by_topic.setdefault(event.TOPIC, []).append(envelope(event))
    tables = bus.consumer_tables()
    for topic, batch in by_topic.items():
        reaction = prefetching(keys or FakeKeys(), one_after_another(tables[topic]))
        await reaction.handle(None, batch)  # type: ignore[arg-type]


def event(contract: type[Contract], **changes: Any) -> Any:
    """The contract's example with `changes`."""
    return contract.model_validate(contract.EXAMPLE | changes)
