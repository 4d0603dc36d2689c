"""What a replay may rebuild: only the months whose every event a topic still holds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql

from indicators.adapters import orm
from indicators.adapters.rebuilding import TABLES, rebuilt
from indicators.entrypoints.replay import SOURCES, Partition, describe, whole_from

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_a_topic_that_never_lost_a_record_rebuilds_every_month() -> None:
    partitions = [Partition(0, _at("2025-01-02T00:00")), Partition(0, None)]
    assert whole_from(partitions, NOW) is None


def test_months_before_the_first_whole_one_after_the_oldest_retained_event_are_kept() -> None:
    assert whole_from([Partition(120, _at("2026-11-07T03:00"))], NOW) == "2026-12"


def test_the_partition_that_lost_the_most_decides() -> None:
    partitions = [
        Partition(0, _at("2026-09-01T00:00")),  # never lost a record
        Partition(55, _at("2026-10-20T00:00")),
        Partition(80, _at("2026-11-08T00:00")),
    ]
    assert whole_from(partitions, NOW) == "2026-12"


def test_a_month_that_begins_within_a_day_of_the_oldest_event_is_not_whole() -> None:
    # December begins in Papua at 15:00 UTC on 30 November, before this event: not whole.
    assert whole_from([Partition(9, _at("2026-11-30T20:00"))], NOW) == "2027-01"
    assert whole_from([Partition(9, _at("2026-11-29T23:00"))], NOW) == "2026-12"


def test_a_partition_emptied_by_retention_leaves_no_month_up_to_now_whole() -> None:
    assert whole_from([Partition(0, _at("2025-01-02T00:00")), Partition(42, None)], NOW) == (
        "2027-01"
    )


def test_december_rolls_over_into_the_next_year() -> None:
    assert whole_from([Partition(3, _at("2026-12-10T00:00"))], NOW) == "2027-01"


def test_the_plan_says_what_is_kept_and_why() -> None:
    assert describe("clients", "client.events", None) == (
        "clients: every month rebuilt from client.events"
    )
    kept = describe("referrals", "referral.events", "2026-12")
    assert kept.startswith("referrals: months before 2026-12 kept as they are")
    assert "referral.events no longer holds all their events" in kept


def _where(table: Table, since: str) -> str:
    dialect: Any = postgresql.dialect
    clause = rebuilt(table, since)
    return str(clause.compile(dialect=dialect(), compile_kwargs={"literal_binds": True}))


def test_follow_ups_are_rebuilt_by_the_time_of_their_answer_not_their_month() -> None:
    # A follow-up of December may have been answered early, in a November the topic lost.
    assert _where(orm.referrals, "2026-12") == "referrals.month >= '2026-12'"
    assert _where(orm.follow_ups, "2026-12") == (
        "follow_ups.answered_at >= '2026-12-01 00:00:00+00:00'"
    )
    assert describe("follow_ups", "client.events", "2026-12").startswith(
        "follow_ups: answers given before 2026-12 kept as they are"
    )


def test_every_table_of_the_read_model_has_its_topic_and_nothing_else_is_emptied() -> None:
    assert set(SOURCES) == set(TABLES)
    assert {t.name for t in TABLES.values()} | {orm.inbox.name} == set(orm.metadata.tables)
