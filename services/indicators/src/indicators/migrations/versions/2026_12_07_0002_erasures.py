"""partner erasures asked for erased clients, and how each partner answered

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 09:00:00
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
        "erasures",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("partner_kind", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("erase_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_time", sa.Boolean(), nullable=True),
        sa.Column("overdue", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_erasures")),
    )
    op.create_index("ix_erasures_month_region", "erasures", ["month", "region_code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_erasures_month_region", table_name="erasures")
    op.drop_table("erasures")
