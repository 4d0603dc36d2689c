"""The referral service's tables (SQLAlchemy Core); migrations mirror these."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db import new_metadata
from shared.idempotency import idempotency_table
from shared.messaging.inbox import inbox_table
from shared.messaging.outbox_table import outbox_table

metadata = new_metadata()

partners = Table(
    "partners",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("regulator", Text, nullable=False),
    Column("licence_type", Text, nullable=False),
    Column("licence_number", Text, nullable=False),
    Column("licence_status", Text, nullable=False),
    Column("licence_verified_on", Date, nullable=False),
    Column("offer_version", Integer, nullable=False, server_default="2"),
    Column("status", Text, nullable=False, server_default="active"),
    # Where its events are also POSTed, signed (decision 0021); NULL: Kafka only.
    Column("callback_url", Text),
    CheckConstraint("regulator IN ('OJK', 'BI')", name="regulator"),
    CheckConstraint(
        "status IN ('provisioning', 'active', 'offboarding', 'offboarded')", name="status"
    ),
    CheckConstraint("offer_version IN (1, 2)", name="offer_version"),
    CheckConstraint("licence_status IN ('active', 'suspended', 'revoked')", name="licence_status"),
)

products = Table(
    "products",
    metadata,
    Column("partner_code", Text, ForeignKey("partners.code"), nullable=False),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("fee_sheet", JSONB, nullable=False),
    Column("rules", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    PrimaryKeyConstraint("partner_code", "code"),
)

# What client events tell us about a client: enough to check eligibility, never a NIK.
client_facts = Table(
    "client_facts",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("has_nib", Boolean, nullable=False),
    Column("merged_into", Uuid),
    # The client asked to restrict processing: no referral meanwhile.
    Column("restricted", Boolean, nullable=False, server_default="false"),
)

# Programmes each client completed (from training.completed): some products require one.
completed_trainings = Table(
    "completed_trainings",
    metadata,
    Column("client_id", Uuid, nullable=False),
    Column("programme_code", Text, nullable=False),
    PrimaryKeyConstraint("client_id", "programme_code"),
)

# The consent projection, fed by consent events: the gate for every referral.
consents = Table(
    "consents",
    metadata,
    Column("consent_id", Uuid, primary_key=True),
    Column("client_id", Uuid, nullable=False),
    Column("partner_code", Text, nullable=False),
    Column("scope", JSONB, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
    Index("ix_consents_client_id_partner_code", "client_id", "partner_code"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("client_id", Uuid, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("partner_code", Text, ForeignKey("partners.code"), nullable=False),
    Column("product_code", Text, nullable=False),
    Column("consent_id", Uuid, nullable=False),
    Column("fee_sheet_version", Text, nullable=False),
    Column("options_shown", JSONB, nullable=False),
    Column("state", Text, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("respond_by", Date, nullable=False),
    Column("sent_by", Text, nullable=False),
    Column("external_ref", Text),
    Column("outcome", Text),
    Column("reason", Text),
    Column("updated_at", DateTime(timezone=True)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default="1"),
    # When the late-outcome reminder went out (once per referral).
    Column("outcome_reminded_at", DateTime(timezone=True)),
    Index("ix_referrals_client_id", "client_id"),
    Index("ix_referrals_partner_code_state", "partner_code", "state"),
    Index("ix_referrals_open_respond_by", "respond_by", postgresql_where=text("state = 'sent'")),
)

# What each partner was asked to erase when a client was erased, and its confirmation: the
# record that the partner was told, and whether it answered by `erase_by` (no personal value).
partner_erasures = Table(
    "partner_erasures",
    metadata,
    Column("referral_id", Uuid, ForeignKey("referrals.id"), primary_key=True),
    Column("client_id", Uuid, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("partner_code", Text, nullable=False),
    Column("partner_kind", Text, nullable=False),
    Column("product_code", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("erase_by", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("erased_at", DateTime(timezone=True)),
    Column("escalated_at", DateTime(timezone=True)),
    # The timers' scan: erasures neither confirmed nor escalated, by deadline.
    Index(
        "ix_partner_erasures_unconfirmed_erase_by",
        "erase_by",
        postgresql_where=text("confirmed_at IS NULL AND escalated_at IS NULL"),
    ),
)

# Webhook deliveries that failed for good, per partner, until an operator redrives them
# (decision 0021). The body is what was to be sent; it is emptied once the partner's topic
# would no longer hold the event either (offers v1 carry an applicant).
webhook_dead_letters = Table(
    "webhook_dead_letters",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("partner_code", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("kafka_partition", Integer, nullable=False),
    Column("kafka_offset", BigInteger, nullable=False),
    Column("body", LargeBinary),
    Column("attempts", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Column("redrive_at", DateTime(timezone=True)),  # an operator asked for another try
    Column("delivered_at", DateTime(timezone=True)),  # a redrive got through
    UniqueConstraint("partner_code", "event_id"),
    Index(
        "ix_webhook_dead_letters_redrive_at",
        "redrive_at",
        postgresql_where=text("redrive_at IS NOT NULL AND delivered_at IS NULL"),
    ),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
