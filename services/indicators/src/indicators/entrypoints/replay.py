"""Rebuild the read model from what the topics still hold:

    python -m indicators.entrypoints.replay [--dry-run]      (with the indicators worker stopped)

The topics keep events for 30 days (deploy/k8s/components/strimzi-kafka/README.md), so only
the months whose every event is still on a topic can be rebuilt from it. For each table, the
months from the first whole one on are deleted and read again (for follow-ups, the answers
given from its start on); older months are kept as they are (their events are gone; the
database backup is their copy). A topic that has never lost a record rebuilds every month.
Then the inbox is emptied and the worker's consumer group deleted, so the next worker start
reads `client.events`, `referral.events` and `training.events` from their first retained
offset (the group starts at `earliest`); the projections write by id, so the events of kept
months change nothing. The API keeps answering meanwhile;
docs/operations.md says how to watch it catch up.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

from indicators.adapters import rebuilding
from indicators.settings import IndicatorsSettings
from shared.contracts import client as client_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import training as training_contracts

# Each table of the read model (adapters/rebuilding.py) and the one topic its rows are built from.
SOURCES: dict[str, str] = {
    "clients": client_contracts.TOPIC,
    "referrals": referral_contracts.TOPIC,
    "trainings": training_contracts.TOPIC,
    "erasures": referral_contracts.TOPIC,
    "follow_ups": client_contracts.TOPIC,
}
# A month begins up to 9 hours earlier in Papua (WIT) than in UTC, and clocks drift a little:
# a month is whole only if it begins more than a day after the oldest retained event.
_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class Partition:
    """Where one partition of a topic starts now."""

    first_offset: int  # above 0 once retention (or anything else) has deleted records
    first_time: datetime | None  # the first retained record's time; None when none is left


def whole_from(partitions: Iterable[Partition], now: datetime) -> str | None:
    """The first month (YYYY-MM) whose events the topic all still holds; None: every month.

    Assumes an event is published after it happened, as the outboxes do.
    """
    lost = [p.first_time or now for p in partitions if p.first_offset > 0]
    if not lost:
        return None
    since = max(lost) + _MARGIN
    year, month = (since.year, since.month + 1) if since.month < 12 else (since.year + 1, 1)
    return f"{year:04d}-{month:02d}"


def describe(table: str, topic: str, since: str | None) -> str:
    if since is None:
        return f"{table}: every month rebuilt from {topic}"
    kept = "answers given" if table == "follow_ups" else "months"
    return (
        f"{table}: {kept} before {since} kept as they are ({topic} no longer holds all their "
        f"events); {since} and later rebuilt"
    )


def retained(settings: IndicatorsSettings, topics: Iterable[str]) -> dict[str, list[Partition]]:
    """Where each topic's partitions start on the broker."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        **settings.kafka_security.kafka_python(),
    )
    try:
        found = {}
        for topic in topics:
            numbers = consumer.partitions_for_topic(topic)
            if not numbers:
                raise RuntimeError(f"topic {topic} not found")
            partitions = [TopicPartition(topic, number) for number in sorted(numbers)]
            first = consumer.beginning_offsets(partitions)
            # The earliest record at or after time 0 is the first one retention left.
            oldest = consumer.offsets_for_times(dict.fromkeys(partitions, 0))
            found[topic] = [
                Partition(
                    first[p],
                    datetime.fromtimestamp(oldest[p].timestamp / 1000, UTC) if oldest[p] else None,
                )
                for p in partitions
            ]
        return found
    finally:
        consumer.close()


def replay(settings: IndicatorsSettings, *, dry_run: bool = False) -> list[str]:
    """Empties what the topics can rebuild and resets the group; the plan, one line a table."""
    now = datetime.now(UTC)
    starts = retained(settings, SOURCES.values())
    plan = {name: whole_from(starts[topic], now) for name, topic in SOURCES.items()}
    lines = [describe(name, SOURCES[name], since) for name, since in plan.items()]
    if dry_run:
        return lines
    rebuilding.empty(settings.database_url, plan)
    _reset_group(settings)
    return lines


def _reset_group(settings: IndicatorsSettings) -> None:
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        **settings.kafka_security.kafka_python(),
    )
    try:
        # A stopped worker with static membership stays in the group until its session ends
        # (10 s): until then the group is not empty and cannot be deleted.
        deadline = time.monotonic() + 60
        while True:
            outcome = admin.delete_groups([settings.consumer_group])[settings.consumer_group]
            if outcome in ("OK", "GroupIdNotFoundError"):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"could not reset the consumer group: {outcome}")
            time.sleep(1)
    finally:
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Rebuild the indicators from the topics.")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    args = parser.parse_args()
    for line in replay(IndicatorsSettings(), dry_run=args.dry_run):
        print(line)
    if not args.dry_run:
        print("read model emptied as above and consumer group reset: start the indicators worker")


if __name__ == "__main__":
    main()
