"""Remember the provider's webhooks, so a replayed one changes nothing

Each accepted webhook's id is written in the same transaction as its effect; the same id
again is answered 200 and does nothing. The sender forgets ids whose signature is older than
the five-minute window plus a minute (a request carrying them is refused on its timestamp).

No row-level security, unlike `notifications` and `client_facts` (0005): a row holds an id
the provider made up and a time, nothing of a person and no region to scope by, and only the
provider's signed webhooks (which work for every region) and the purge touch the table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_webhooks",
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("webhook_id", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", "webhook_id", name=op.f("pk_provider_webhooks")),
    )
    op.create_index(
        "ix_provider_webhooks_signed_at", "provider_webhooks", ["signed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_provider_webhooks_signed_at", table_name="provider_webhooks")
    op.drop_table("provider_webhooks")
