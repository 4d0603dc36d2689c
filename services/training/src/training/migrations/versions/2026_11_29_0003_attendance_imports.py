"""Certificates know their session and region; attendance sheets are remembered

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:20:40.294660
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("file_sha256", sa.Text(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("recorded", sa.Integer(), nullable=False),
        sa.Column("rejected", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_attendance_imports_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_imports")),
        sa.UniqueConstraint(
            "session_id", "file_sha256", name=op.f("uq_attendance_imports_session_id_file_sha256")
        ),
    )
    op.add_column("certificates", sa.Column("session_id", sa.Uuid(), nullable=True))
    op.add_column("certificates", sa.Column("region_code", sa.Text(), nullable=True))
    op.create_index("ix_enrolments_participant", "enrolments", ["participant"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_enrolments_participant", table_name="enrolments")
    op.drop_column("certificates", "region_code")
    op.drop_column("certificates", "session_id")
    op.drop_table("attendance_imports")
