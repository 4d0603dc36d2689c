"""duplicate flags and merges

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 11:50:36.965827
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicate_flags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="open", nullable=False),
        sa.Column(
            "flagged_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["clients.id"], name=op.f("fk_duplicate_flags_candidate_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_duplicate_flags_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_flags")),
        sa.UniqueConstraint(
            "client_id", "candidate_id", name=op.f("uq_duplicate_flags_client_id_candidate_id")
        ),
    )
    op.create_index(
        "ix_duplicate_flags_region_code_status",
        "duplicate_flags",
        ["region_code", "status"],
        unique=False,
    )
    op.add_column("clients", sa.Column("merged_into", sa.Uuid(), nullable=True))
    op.create_index(
        "ix_clients_name_normalized_birth_date",
        "clients",
        ["name_normalized", "birth_date"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_clients_name_normalized_birth_date", table_name="clients")
    op.drop_column("clients", "merged_into")
    op.drop_index("ix_duplicate_flags_region_code_status", table_name="duplicate_flags")
    op.drop_table("duplicate_flags")
