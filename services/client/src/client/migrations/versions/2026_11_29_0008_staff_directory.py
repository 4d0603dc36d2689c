"""staff directory

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 17:48:15.068184
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_staff")),
    )
    op.create_index("ix_staff_region_code", "staff", ["region_code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_staff_region_code", table_name="staff")
    op.drop_table("staff")
