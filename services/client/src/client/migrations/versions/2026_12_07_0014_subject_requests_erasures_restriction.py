"""clients' requests about their data, the erasure ledger, restriction

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:00:00

A client may ask to see, correct, restrict or erase what is kept of them (UU 27/2022); each
request is recorded with its deadline (3 x 24 hours) so a supervisor sees one running late.
An erased client leaves only a ledger row (ids and a time). Both tables are region-scoped
like the clients (decision 0011).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared import migrations

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "clients",
        sa.Column("restricted", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_table(
        "subject_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('access', 'correction', 'restriction', 'lift_restriction', 'erasure')",
            name=op.f("ck_subject_requests_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_requests")),
    )
    op.create_index(
        "ix_subject_requests_open_due_at",
        "subject_requests",
        ["due_at"],
        postgresql_where=sa.text("done_at IS NULL"),
    )
    op.create_index("ix_subject_requests_client_id", "subject_requests", ["client_id"])
    op.create_table(
        "client_erasures",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_erasures")),
    )
    migrations.scope_rows("subject_requests")
    migrations.scope_rows("client_erasures")


def downgrade() -> None:
    migrations.unscope_rows("client_erasures")
    migrations.unscope_rows("subject_requests")
    op.drop_table("client_erasures")
    op.drop_index("ix_subject_requests_client_id", table_name="subject_requests")
    op.drop_index("ix_subject_requests_open_due_at", table_name="subject_requests")
    op.drop_table("subject_requests")
    op.drop_column("clients", "restricted")
