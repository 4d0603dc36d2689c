"""Notifications per channel and recipient, consents, encrypted contacts, referral names

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:43:15.250516
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_consents",
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("channels", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("consent_id", name=op.f("pk_notification_consents")),
    )
    op.create_index(
        "ix_notification_consents_client_id", "notification_consents", ["client_id"], unique=False
    )
    op.create_table(
        "referral_names",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("partner_name", sa.Text(), nullable=False),
        sa.Column("product_name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_referral_names")),
    )
    op.add_column("client_facts", sa.Column("phone_ciphertext", sa.LargeBinary(), nullable=True))
    op.add_column("client_facts", sa.Column("phone_index", sa.LargeBinary(), nullable=True))
    op.add_column("client_facts", sa.Column("email_ciphertext", sa.LargeBinary(), nullable=True))
    op.create_index("ix_client_facts_phone_index", "client_facts", ["phone_index"], unique=False)
    op.add_column("notifications", sa.Column("recipient", sa.Text(), nullable=True))
    op.add_column(
        "notifications",
        sa.Column(
            "context", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
    )
    op.add_column("notifications", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column(
        "notifications", sa.Column("not_before", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "notifications", sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("notifications", sa.Column("provider_message_id", sa.Text(), nullable=True))
    op.add_column("notifications", sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "notifications", sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True)
    )
    # Rows planned before channels existed were never sent: they stay, as suppressed.
    op.execute(
        "UPDATE notifications SET recipient = 'client:' || client_id::text,"
        " channel = coalesce(channel, 'sms'), status = 'suppressed',"
        " reason = 'planned_before_channels' WHERE recipient IS NULL"
    )
    op.alter_column("notifications", "recipient", existing_type=sa.TEXT(), nullable=False)
    op.alter_column("notifications", "client_id", existing_type=sa.UUID(), nullable=True)
    op.alter_column("notifications", "channel", existing_type=sa.TEXT(), nullable=False)
    op.drop_constraint(
        op.f("uq_notifications_event_id_template_client_id"), "notifications", type_="unique"
    )
    op.create_index(
        "ix_notifications_due",
        "notifications",
        ["not_before"],
        unique=False,
        postgresql_where=sa.text("status IN ('scheduled', 'sending')"),
    )
    op.create_index(
        "ix_notifications_provider_message_id",
        "notifications",
        ["provider_message_id"],
        unique=False,
    )
    op.create_unique_constraint(
        op.f("uq_notifications_event_id_template_recipient_channel"),
        "notifications",
        ["event_id", "template", "recipient", "channel"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("uq_notifications_event_id_template_recipient_channel"),
        "notifications",
        type_="unique",
    )
    op.drop_index("ix_notifications_provider_message_id", table_name="notifications")
    op.drop_index(
        "ix_notifications_due",
        table_name="notifications",
        postgresql_where=sa.text("status IN ('scheduled', 'sending')"),
    )
    op.create_unique_constraint(
        op.f("uq_notifications_event_id_template_client_id"),
        "notifications",
        ["event_id", "template", "client_id"],
        postgresql_nulls_not_distinct=False,
    )
    op.alter_column("notifications", "channel", existing_type=sa.TEXT(), nullable=True)
    op.alter_column("notifications", "client_id", existing_type=sa.UUID(), nullable=False)
    op.drop_column("notifications", "delivered_at")
    op.drop_column("notifications", "sent_at")
    op.drop_column("notifications", "provider_message_id")
    op.drop_column("notifications", "claimed_at")
    op.drop_column("notifications", "not_before")
    op.drop_column("notifications", "reason")
    op.drop_column("notifications", "context")
    op.drop_column("notifications", "recipient")
    op.drop_index("ix_client_facts_phone_index", table_name="client_facts")
    op.drop_column("client_facts", "email_ciphertext")
    op.drop_column("client_facts", "phone_index")
    op.drop_column("client_facts", "phone_ciphertext")
    op.drop_table("referral_names")
    op.drop_index("ix_notification_consents_client_id", table_name="notification_consents")
    op.drop_table("notification_consents")
