"""answered account follow-ups: in the client's own name at 30 days, in use at 90

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("account_in_own_name", sa.Boolean(), nullable=True),
        sa.Column("account_in_use", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_follow_ups")),
    )
    op.create_index(
        "ix_follow_ups_month_region", "follow_ups", ["month", "region_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_follow_ups_month_region", table_name="follow_ups")
    op.drop_table("follow_ups")
