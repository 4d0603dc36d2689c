"""Index only the notifications that have a provider message id

Every planned message (two thirds of them suppressed, the rest waiting to be sent) wrote a
NULL entry into this index; delivery reports look up sent messages only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_notifications_provider_message_id", table_name="notifications")
    op.create_index(
        "ix_notifications_provider_message_id",
        "notifications",
        ["provider_message_id"],
        unique=False,
        postgresql_where=sa.text("provider_message_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_provider_message_id", table_name="notifications")
    op.create_index(
        "ix_notifications_provider_message_id",
        "notifications",
        ["provider_message_id"],
        unique=False,
    )
