"""a row the relay cannot publish waits, then is parked with its reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 15:10:00

One destination that refuses its rows (a missing topic, an authorization error) no longer
stops the service's other events (shared.messaging.relay).
"""

from collections.abc import Sequence

from shared.migrations import add_outbox_retries, drop_outbox_retries

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_retries()


def downgrade() -> None:
    drop_outbox_retries()
