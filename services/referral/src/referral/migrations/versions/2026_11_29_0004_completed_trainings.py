"""Programmes each client completed, for eligibility rules that require one

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:29:04.670123
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "completed_trainings",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("programme_code", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "programme_code", name=op.f("pk_completed_trainings")),
    )


def downgrade() -> None:
    op.drop_table("completed_trainings")
