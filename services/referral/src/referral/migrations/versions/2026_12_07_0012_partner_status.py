"""a partner is provisioning until its Keycloak client and its topic exist

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:40:00

Partners already in the catalogue had their client and topic made by hand: they are active.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "partners", sa.Column("status", sa.Text(), nullable=False, server_default="active")
    )
    op.create_check_constraint(
        op.f("ck_partners_status"),
        "partners",
        "status IN ('provisioning', 'active', 'offboarding', 'offboarded')",
    )


def downgrade() -> None:
    op.drop_constraint("ck_partners_status", "partners")
    op.drop_column("partners", "status")
