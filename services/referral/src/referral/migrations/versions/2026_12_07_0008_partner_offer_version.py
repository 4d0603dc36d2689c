"""which offer event each partner reads

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:30:00

Offers v2 carry no personal value (the partner reads the applicant over HTTPS); partners
already in the catalogue were built against v1 and keep it until they move.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "partners",
        sa.Column("offer_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.alter_column("partners", "offer_version", server_default="2")
    op.create_check_constraint(
        op.f("ck_partners_offer_version"), "partners", "offer_version IN (1, 2)"
    )


def downgrade() -> None:
    op.drop_constraint("ck_partners_offer_version", "partners")
    op.drop_column("partners", "offer_version")
