"""The indicators read model: clients, referrals and completed trainings, and the inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-29 14:19:53.785218
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("sex", sa.Text(), nullable=False),
        sa.Column("age_band", sa.Text(), nullable=False),
        sa.Column("disability", sa.Boolean(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_clients")),
    )
    op.create_index("ix_clients_month_region", "clients", ["month", "region_code"], unique=False)
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_inbox")),
    )
    op.create_table(
        "referrals",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("partner_code", sa.Text(), nullable=False),
        sa.Column("partner_kind", sa.Text(), nullable=False),
        sa.Column("product_code", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("state_rank", sa.Integer(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("sent_on", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("working_days_to_outcome", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_referrals")),
    )
    op.create_index(
        "ix_referrals_month_region", "referrals", ["month", "region_code"], unique=False
    )
    op.create_table(
        "trainings",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("programme_code", sa.Text(), nullable=False),
        sa.Column("knowledge_gain", sa.Integer(), nullable=True),
        sa.Column("month", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "client_id", name=op.f("pk_trainings")),
    )
    op.create_index(
        "ix_trainings_month_region", "trainings", ["month", "region_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_trainings_month_region", table_name="trainings")
    op.drop_table("trainings")
    op.drop_index("ix_referrals_month_region", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("inbox")
    op.drop_index("ix_clients_month_region", table_name="clients")
    op.drop_table("clients")
