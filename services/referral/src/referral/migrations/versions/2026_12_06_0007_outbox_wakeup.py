"""the outbox wakes its relay on commit

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 14:10:00

Instead of asking every 100 ms, the relay listens on the channel `outbox`
(shared.messaging.relay); a statement that inserts outbox rows notifies it at commit.
"""

from collections.abc import Sequence

from shared.migrations import create_outbox_wakeup, drop_outbox_wakeup

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_outbox_wakeup()


def downgrade() -> None:
    drop_outbox_wakeup()
