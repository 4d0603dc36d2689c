"""Training reminders: notify keeps its own picture of sessions, participants and clients

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 13:22:30.234500
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_facts",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_facts")),
    )
    op.create_table(
        "training_participants",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "client_id", name=op.f("pk_training_participants")),
    )
    op.create_table(
        "training_sessions",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("programme_title", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("reminded_for", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_training_sessions")),
    )
    op.create_index(
        "ix_training_sessions_starts_at", "training_sessions", ["starts_at"], unique=False
    )
    op.drop_constraint(op.f("uq_notifications_event_id_template"), "notifications", type_="unique")
    op.create_unique_constraint(
        op.f("uq_notifications_event_id_template_client_id"),
        "notifications",
        ["event_id", "template", "client_id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("uq_notifications_event_id_template_client_id"), "notifications", type_="unique"
    )
    op.create_unique_constraint(
        op.f("uq_notifications_event_id_template"),
        "notifications",
        ["event_id", "template"],
        postgresql_nulls_not_distinct=False,
    )
    op.drop_index("ix_training_sessions_starts_at", table_name="training_sessions")
    op.drop_table("training_sessions")
    op.drop_table("training_participants")
    op.drop_table("client_facts")
