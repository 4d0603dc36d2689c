"""idempotency keys remember that their request took effect

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 13:20:00

A key whose request committed its effect must never be freed for a second run, even when the
answer was lost with the database (shared.idempotency).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "idempotency_keys", sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("idempotency_keys", "applied_at")
