"""breaches: suspected personal-data breaches and their counts by region

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 02:00:00

A breach (UU 27/2022 Pasal 46) names the regions it concerns; a supervisor's transaction sees
those that touch its province, and the counts of its own regencies only (decision 0011). The
administrator's routes and the timers work for every region. No person is stored: the people
a breach may touch are counted by regency and listed from `clients` when asked.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared import migrations

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A breach is visible when one of its regions is: a province's supervisor sees a breach of
# one of its regencies, and one of the whole province.
_LISTED_REGION_VISIBLE = (
    "EXISTS (SELECT 1 FROM unnest(regions) AS listed(code) "
    "WHERE jembatan_region_visible(listed.code))"
)


def upgrade() -> None:
    op.create_table(
        "breaches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("handling", sa.Text(), nullable=False),
        sa.Column("data_kinds", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("systems", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("regions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("affected_rule", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("people_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("people_notified_by", sa.Text(), nullable=True),
        sa.Column("people_told", sa.Integer(), nullable=True),
        sa.Column("authority_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("authority_notified_by", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "category IN ('unauthorised_access', 'disclosure', 'alteration', 'loss', "
            "'destruction')",
            name=op.f("ck_breaches_category"),
        ),
        sa.CheckConstraint("period_from < period_to", name=op.f("ck_breaches_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
    )
    op.create_index("ix_breaches_recorded_at", "breaches", ["recorded_at"], unique=False)
    op.create_index(
        "ix_breaches_unescalated_due_at",
        "breaches",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("escalated_at IS NULL"),
    )
    op.create_table(
        "breach_counts",
        sa.Column("breach_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("clients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["breach_id"], ["breaches.id"], name=op.f("fk_breach_counts_breach_id_breaches")
        ),
        sa.PrimaryKeyConstraint("breach_id", "region_code", name=op.f("pk_breach_counts")),
    )
    migrations.scope_rows("breaches", _LISTED_REGION_VISIBLE)
    migrations.scope_rows("breach_counts")


def downgrade() -> None:
    migrations.unscope_rows("breach_counts")
    migrations.unscope_rows("breaches")
    op.drop_table("breach_counts")
    op.drop_index("ix_breaches_unescalated_due_at", table_name="breaches")
    op.drop_index("ix_breaches_recorded_at", table_name="breaches")
    op.drop_table("breaches")
