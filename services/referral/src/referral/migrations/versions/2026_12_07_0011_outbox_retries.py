"""a row the relay cannot publish waits, then is parked with its reason

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 15:10:00

One destination that refuses its rows (a missing topic, an authorization error) no longer
stops the service's other events (shared.messaging.relay).
"""

from collections.abc import Sequence

from shared.migrations import add_outbox_retries, drop_outbox_retries

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_retries()


def downgrade() -> None:
    drop_outbox_retries()
