"""Rebuild the read model from the beginning of the topics:

    python -m indicators.entrypoints.replay      (with the indicators worker stopped)

Empties the read model and its inbox, and deletes the worker's consumer group, so the next
worker start reads `client.events`, `referral.events` and `training.events` from their first
offset (the group starts at `earliest`). The API keeps answering meanwhile, from a read model
that fills up again; docs/operations.md says how to watch it catch up.
"""

from __future__ import annotations

import time

from kafka.admin import KafkaAdminClient
from sqlalchemy import text

from indicators.adapters import orm
from indicators.settings import IndicatorsSettings
from shared import db


def replay(settings: IndicatorsSettings) -> None:
    engine = db.sync_engine(settings.database_url)
    with engine.begin() as conn:
        tables = ", ".join(t.name for t in (orm.clients, orm.referrals, orm.trainings, orm.inbox))
        conn.execute(text(f"TRUNCATE {tables}"))
    engine.dispose()
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


if __name__ == "__main__":
    replay(IndicatorsSettings())
    print("read model emptied and consumer group reset: start the indicators worker")
