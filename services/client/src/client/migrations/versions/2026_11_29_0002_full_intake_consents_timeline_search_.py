"""full intake, consents, timeline, search indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 11:25:19.370667
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
    # pg_trgm is a trusted extension: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "timeline_entries",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_entries")),
        sa.UniqueConstraint("event_id", name=op.f("uq_timeline_entries_event_id")),
    )
    op.create_index(
        "ix_timeline_entries_client_id_occurred_at",
        "timeline_entries",
        ["client_id", "occurred_at"],
        unique=False,
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("partner_code", sa.Text(), nullable=True),
        sa.Column(
            "scope",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "channels",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("text_version", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_consents_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index("ix_consents_client_id", "consents", ["client_id"], unique=False)
    op.add_column(
        "clients", sa.Column("name_normalized", sa.Text(), server_default="", nullable=False)
    )
    op.execute("UPDATE clients SET name_normalized = lower(full_name)")
    op.alter_column("clients", "name_normalized", server_default=None)
    op.add_column(
        "clients", sa.Column("phone_is_mobile", sa.Boolean(), server_default="true", nullable=False)
    )
    op.add_column(
        "clients",
        sa.Column(
            "financial_profile",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "clients", sa.Column("business", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "clients",
        sa.Column(
            "nik_warnings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "clients",
        sa.Column(
            "region_code_set",
            sa.Text(),
            server_default="kepmendagri-300.2.2-2138-2025",
            nullable=False,
        ),
    )
    op.add_column("clients", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("clients", sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_index(
        "ix_clients_name_trgm",
        "clients",
        ["name_normalized"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name_normalized": "gin_trgm_ops"},
    )
    op.create_index("ix_clients_phone", "clients", ["phone"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_clients_phone", table_name="clients")
    op.drop_index(
        "ix_clients_name_trgm",
        table_name="clients",
        postgresql_using="gin",
        postgresql_ops={"name_normalized": "gin_trgm_ops"},
    )
    op.drop_column("clients", "version")
    op.drop_column("clients", "updated_at")
    op.drop_column("clients", "region_code_set")
    op.drop_column("clients", "nik_warnings")
    op.drop_column("clients", "business")
    op.drop_column("clients", "financial_profile")
    op.drop_column("clients", "phone_is_mobile")
    op.drop_column("clients", "name_normalized")
    op.drop_index("ix_consents_client_id", table_name="consents")
    op.drop_table("consents")
    op.drop_index("ix_timeline_entries_client_id_occurred_at", table_name="timeline_entries")
    op.drop_table("timeline_entries")
