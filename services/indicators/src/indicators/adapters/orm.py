"""The indicators read model (SQLAlchemy Core): one row per client, referral, completed
training, partner erasure and answered account follow-up, with only the facts an aggregate
needs — no name, NIK, phone or address."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    false,
)

from shared.db import new_metadata
from shared.messaging.inbox import inbox_table

metadata = new_metadata()

clients = Table(
    "clients",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("region_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("sex", Text, nullable=False),
    Column("age_band", Text, nullable=False),
    Column("disability", Boolean, nullable=False),
    Column("month", Text, nullable=False),  # YYYY-MM of registration, in the region's zone
    Index("ix_clients_month_region", "month", "region_code"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("referral_id", Uuid, primary_key=True),
    Column("client_id", Uuid, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("partner_code", Text, nullable=False),
    Column("partner_kind", Text, nullable=False),
    Column("product_code", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("state_rank", Integer, nullable=False),  # a state never goes back
    Column("month", Text, nullable=False),  # YYYY-MM the referral was sent
    Column("sent_on", Text, nullable=False),
    Column("outcome", Text),
    Column("working_days_to_outcome", Integer),
    Column("working_days_to_acknowledge", Integer),  # the partner's response time
    Column("updated_at", DateTime(timezone=True)),
    Index("ix_referrals_month_region", "month", "region_code"),
)

trainings = Table(
    "trainings",
    metadata,
    Column("session_id", Uuid, primary_key=True),
    Column("client_id", Uuid, primary_key=True),
    Column("region_code", Text, nullable=False),
    Column("programme_code", Text, nullable=False),
    Column("knowledge_gain", Integer),
    Column("month", Text, nullable=False),  # YYYY-MM of completion
    Index("ix_trainings_month_region", "month", "region_code"),
)

# Each erasure a partner was asked for (an erased client's referral) and how it answered.
erasures = Table(
    "erasures",
    metadata,
    Column("referral_id", Uuid, primary_key=True),
    Column("region_code", Text, nullable=False),
    Column("partner_kind", Text, nullable=False),
    Column("month", Text, nullable=False),  # YYYY-MM the erasure was asked, in the region's zone
    Column("erase_by", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("in_time", Boolean),  # null until confirmed
    Column("overdue", Boolean, nullable=False, server_default=false()),
    Index("ix_erasures_month_region", "month", "region_code"),
)

# The client's latest answers to each account follow-up (30 or 90 days after the account was
# opened); the client's sex is read from `clients`.
follow_ups = Table(
    "follow_ups",
    metadata,
    Column("task_id", Uuid, primary_key=True),
    Column("client_id", Uuid, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("days", Integer, nullable=False),  # 30 or 90
    Column("due_on", Date, nullable=False),  # the follow-up's day, in the office's calendar
    Column("month", Text, nullable=False),  # YYYY-MM of due_on
    Column("account_in_own_name", Boolean),  # asked at 30 days
    Column("account_in_use", Boolean, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    Index("ix_follow_ups_month_region", "month", "region_code"),
)

inbox = inbox_table(metadata)
