"""how many working days a partner took to acknowledge each referral

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 16:00:00

Filled from `jembatan.referral.acknowledged.v1` from now on; a replay fills it for every
acknowledgement the topic still holds (docs/operations.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("referrals", sa.Column("working_days_to_acknowledge", sa.Integer()))


def downgrade() -> None:
    op.drop_column("referrals", "working_days_to_acknowledge")
