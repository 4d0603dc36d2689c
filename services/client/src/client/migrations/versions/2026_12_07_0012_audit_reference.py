"""an audited read may name what it was for (a referral id)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:00:00

A partner's profile is read by the referral service for one referral: the audit row names
it, so a supervisor answering "who saw my data" can say which referral and partner.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("record_reads", sa.Column("reference", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("record_reads", "reference")
