"""The notify service's tables (SQLAlchemy Core); migrations mirror these."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db import new_metadata
from shared.messaging.inbox import inbox_table
from shared.messaging.outbox_table import outbox_table

metadata = new_metadata()

# One row per message over one channel to one recipient, answering exactly one event.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("recipient", Text, nullable=False),  # client:<id> | supervisor:<province>
    Column("client_id", Uuid),
    Column("region_code", Text, nullable=False),
    Column("template", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("context", JSONB, nullable=False, server_default="{}"),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", DateTime(timezone=True)),  # quiet hours defer it; retries push it
    Column("claimed_at", DateTime(timezone=True)),  # a sender's lease while `sending`
    Column("provider_message_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    # One message per event, template, recipient and channel: redelivery never sends twice.
    UniqueConstraint("event_id", "template", "recipient", "channel"),
    Index("ix_notifications_client_id", "client_id"),
    Index(
        "ix_notifications_due",
        "not_before",
        postgresql_where=text("status IN ('scheduled', 'sending')"),
    ),
    # Only sent messages have a provider id; most rows (suppressed, scheduled) stay out.
    Index(
        "ix_notifications_provider_message_id",
        "provider_message_id",
        postgresql_where=text("provider_message_id IS NOT NULL"),
    ),
)

# What client events tell notify: where a client lives (time zone, scope), their language and
# how to reach them. Phone and email are encrypted; the phone's keyed index finds the client
# behind an inbound "STOP".
client_facts = Table(
    "client_facts",
    metadata,
    Column("client_id", Uuid, primary_key=True),
    Column("region_code", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("phone_ciphertext", LargeBinary),
    Column("phone_index", LargeBinary),
    Column("email_ciphertext", LargeBinary),
    # The client asked to restrict processing: nothing is planned for them meanwhile.
    Column("restricted", Boolean, nullable=False, server_default="false"),
    Index("ix_client_facts_phone_index", "phone_index"),
)

# The consent projection: live `notifications` consents and their channels.
notification_consents = Table(
    "notification_consents",
    metadata,
    Column("consent_id", Uuid, primary_key=True),
    Column("client_id", Uuid, nullable=False),
    Column("channels", JSONB, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
    Index("ix_notification_consents_client_id", "client_id"),
)

# The names a client reads for a referral (from referral.sent), for the later messages.
referral_names = Table(
    "referral_names",
    metadata,
    Column("referral_id", Uuid, primary_key=True),
    Column("partner_name", Text, nullable=False),
    Column("product_name", Text, nullable=False),
)

# Training sessions as training events describe them, for reminders and change notices.
training_sessions = Table(
    "training_sessions",
    metadata,
    Column("session_id", Uuid, primary_key=True),
    Column("programme_title", Text, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default="false"),
    # The start time the 24-hour reminder was sent for; a moved session is reminded again.
    Column("reminded_for", DateTime(timezone=True)),
    Index("ix_training_sessions_starts_at", "starts_at"),
)

training_participants = Table(
    "training_participants",
    metadata,
    Column("session_id", Uuid, nullable=False),
    Column("client_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),  # enrolled | waiting | cancelled
    PrimaryKeyConstraint("session_id", "client_id"),
)

# The provider's webhooks notify accepted, remembered while their signature is fresh enough to
# be replayed: the same id again changes nothing. Ids and times only, no region (no row-level
# security: only the provider's signed webhooks and the purge touch it).
provider_webhooks = Table(
    "provider_webhooks",
    metadata,
    Column("provider", Text, nullable=False),
    Column("webhook_id", Text, nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("provider", "webhook_id"),
    Index("ix_provider_webhooks_signed_at", "signed_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
