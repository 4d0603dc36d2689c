"""catalogue, projections, referrals, idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:17:19.630158
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_facts",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("has_nib", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_facts")),
    )
    op.create_table(
        "consents",
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("partner_code", sa.Text(), nullable=False),
        sa.Column("scope", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("consent_id", name=op.f("pk_consents")),
    )
    op.create_index(
        "ix_consents_client_id_partner_code",
        "consents",
        ["client_id", "partner_code"],
        unique=False,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "partners",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("regulator", sa.Text(), nullable=False),
        sa.Column("licence_type", sa.Text(), nullable=False),
        sa.Column("licence_number", sa.Text(), nullable=False),
        sa.Column("licence_status", sa.Text(), nullable=False),
        sa.Column("licence_verified_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "licence_status IN ('active', 'suspended', 'revoked')",
            name=op.f("ck_partners_licence_status"),
        ),
        sa.CheckConstraint("regulator IN ('OJK', 'BI')", name=op.f("ck_partners_regulator")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_partners")),
    )
    op.create_table(
        "products",
        sa.Column("partner_code", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("fee_sheet", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "rules",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["partner_code"], ["partners.code"], name=op.f("fk_products_partner_code_partners")
        ),
        sa.PrimaryKeyConstraint("partner_code", "code", name=op.f("pk_products")),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("partner_code", sa.Text(), nullable=False),
        sa.Column("product_code", sa.Text(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("fee_sheet_version", sa.Text(), nullable=False),
        sa.Column("options_shown", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=False),
        sa.Column("sent_by", sa.Text(), nullable=False),
        sa.Column("external_ref", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_code"], ["partners.code"], name=op.f("fk_referrals_partner_code_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index("ix_referrals_client_id", "referrals", ["client_id"], unique=False)
    op.create_index(
        "ix_referrals_open_respond_by",
        "referrals",
        ["respond_by"],
        unique=False,
        postgresql_where=sa.text("state = 'sent'"),
    )
    op.create_index(
        "ix_referrals_partner_code_state", "referrals", ["partner_code", "state"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_referrals_partner_code_state", table_name="referrals")
    op.drop_index(
        "ix_referrals_open_respond_by",
        table_name="referrals",
        postgresql_where=sa.text("state = 'sent'"),
    )
    op.drop_index("ix_referrals_client_id", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("products")
    op.drop_table("partners")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_consents_client_id_partner_code", table_name="consents")
    op.drop_table("consents")
    op.drop_table("client_facts")
