"""when the partner acknowledged a referral: its response time

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:00:00

Referrals acknowledged before this keep no time of it (NULL); their response time is unknown.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("referrals", sa.Column("acknowledged_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("referrals", "acknowledged_at")
