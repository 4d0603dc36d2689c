"""one data key per client, to seal the person's values in events

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:00:00

Each client's events carry the person's values sealed under the client's own random key,
wrapped here under the service's key-encryption keyring (never in the database); erasing a
client deletes its row and every sealed copy becomes unreadable (decision 0015). Keys of
clients registered before are made when their next event needs one. No row-level security:
a row holds no region and nothing personal, and only the service itself reads it (the API's
key endpoint for our own services works for every region).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_keys",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_keys")),
    )


def downgrade() -> None:
    op.drop_table("client_keys")
