"""Emptying what a replay rebuilds (entrypoints/replay.py): the read model's rows of the months
the topics still hold whole, and the inbox, in one transaction.

A follow-up is dated by its answer here, not by its month (that of its day): the answer may
have come before the day, in a month the topic no longer holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Table, delete

from indicators.adapters import orm
from shared import db

TABLES: dict[str, Table] = {
    "clients": orm.clients,
    "referrals": orm.referrals,
    "trainings": orm.trainings,
    "erasures": orm.erasures,
    "follow_ups": orm.follow_ups,
}


def rebuilt(table: Table, since: str) -> ColumnElement[bool]:
    """The rows of `since` (YYYY-MM) and later."""
    if table is orm.follow_ups:
        year, month = (int(part) for part in since.split("-"))
        return table.c.answered_at >= datetime(year, month, 1, tzinfo=UTC)
    return table.c.month >= since


def empty(database_url: str, plan: Mapping[str, str | None]) -> None:
    """Delete each planned table's rows from its month on (`None`: every row), then the inbox."""
    engine = db.sync_engine(database_url)
    with engine.begin() as conn:
        for name, since in plan.items():
            table = TABLES[name]
            rows = delete(table)
            conn.execute(rows if since is None else rows.where(rebuilt(table, since)))
        conn.execute(delete(orm.inbox))
    engine.dispose()
