"""tasks: who completed them, what came of it, an account follow-up's answers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 05:00:00

A task is completed with its outcome in the officer's words; the 30- and 90-day follow-ups
of an opened account also keep the client's answers (account in their own name, still in
use), which the indicators count. Tasks are deleted with their case when a client is erased.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("done_by", sa.Text(), nullable=True))
    op.add_column("tasks", sa.Column("outcome", sa.Text(), nullable=True))
    op.add_column("tasks", sa.Column("account_in_own_name", sa.Boolean(), nullable=True))
    op.add_column("tasks", sa.Column("account_in_use", sa.Boolean(), nullable=True))


def downgrade() -> None:
    for column in ("account_in_use", "account_in_own_name", "outcome", "done_by"):
        op.drop_column("tasks", column)
