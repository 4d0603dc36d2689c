"""what each partner was asked to erase of an erased client, and its confirmation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00

A partner reads the rows of its own referrals only, like the referrals themselves
(row-level security, decision 0011).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared import migrations

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_erasures",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("partner_code", sa.Text(), nullable=False),
        sa.Column("partner_kind", sa.Text(), nullable=False),
        sa.Column("product_code", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erase_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_partner_erasures_referral_id_referrals"),
        ),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_partner_erasures")),
    )
    op.create_index(
        "ix_partner_erasures_unconfirmed_erase_by",
        "partner_erasures",
        ["erase_by"],
        unique=False,
        postgresql_where=sa.text("confirmed_at IS NULL AND escalated_at IS NULL"),
    )
    migrations.scope_rows("partner_erasures", migrations.partner_visible())


def downgrade() -> None:
    migrations.unscope_rows("partner_erasures")
    op.drop_index(
        "ix_partner_erasures_unconfirmed_erase_by",
        table_name="partner_erasures",
        postgresql_where=sa.text("confirmed_at IS NULL AND escalated_at IS NULL"),
    )
    op.drop_table("partner_erasures")
