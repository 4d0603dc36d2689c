"""programmes, sessions, enrolments, certificates, client facts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:44:45.236804
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
        "certificates",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("initials", sa.Text(), nullable=False),
        sa.Column("programme_code", sa.Text(), nullable=False),
        sa.Column("programme_title", sa.Text(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_certificates")),
    )
    op.create_table(
        "client_facts",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("initials", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_facts")),
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
        "programmes",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("modules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("duration_hours", sa.Integer(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("min_attendance", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("min_post_score", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_programmes")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_code", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("days", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("venue", sa.Text(), nullable=True),
        sa.Column("online_link", sa.Text(), nullable=True),
        sa.Column("trainer", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_code"],
            ["programmes.code"],
            name=op.f("fk_sessions_programme_code_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index("ix_sessions_region_code", "sessions", ["region_code"], unique=False)
    op.create_table(
        "enrolments",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("participant", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pre_score", sa.Integer(), nullable=True),
        sa.Column("post_score", sa.Integer(), nullable=True),
        sa.Column("attended", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("certificate_code", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_enrolments_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("session_id", "participant", name=op.f("pk_enrolments")),
        sa.UniqueConstraint("certificate_code", name=op.f("uq_enrolments_certificate_code")),
    )


def downgrade() -> None:
    op.drop_table("enrolments")
    op.drop_index("ix_sessions_region_code", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("programmes")
    op.drop_table("idempotency_keys")
    op.drop_table("client_facts")
    op.drop_table("certificates")
