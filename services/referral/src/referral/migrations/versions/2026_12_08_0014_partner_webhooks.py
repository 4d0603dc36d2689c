"""a partner's callback URL, and the webhook deliveries that failed for good

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 09:00:00

Partners already in the catalogue have no callback URL: they keep reading their topic.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("partners", sa.Column("callback_url", sa.Text(), nullable=True))
    op.create_table(
        "webhook_dead_letters",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("partner_code", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("kafka_partition", sa.Integer(), nullable=False),
        sa.Column("kafka_offset", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redrive_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_dead_letters")),
        sa.UniqueConstraint(
            "partner_code", "event_id", name=op.f("uq_webhook_dead_letters_partner_code_event_id")
        ),
    )
    op.create_index(
        "ix_webhook_dead_letters_redrive_at",
        "webhook_dead_letters",
        ["redrive_at"],
        unique=False,
        postgresql_where=sa.text("redrive_at IS NOT NULL AND delivered_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_webhook_dead_letters_redrive_at",
        table_name="webhook_dead_letters",
        postgresql_where=sa.text("redrive_at IS NOT NULL AND delivered_at IS NULL"),
    )
    op.drop_table("webhook_dead_letters")
    op.drop_column("partners", "callback_url")
