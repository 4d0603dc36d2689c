"""Row-level security: each transaction sees only its caller's rows

Clients, their cases, consents and timelines, duplicate flags and the read audit are visible
only to a transaction whose `jembatan.region` (set from the verified token, decision 0011)
covers their region; workers set 'all'. A second line under the service's own region checks.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

from shared import migrations

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migrations.create_region_visibility()
    migrations.scope_rows("clients")
    migrations.scope_rows("cases")
    migrations.scope_rows("duplicate_flags")
    migrations.scope_rows("record_reads")
    migrations.scope_rows("consents", migrations.through_client("consents"))
    migrations.scope_rows("timeline_entries", migrations.through_client("timeline_entries"))


def downgrade() -> None:
    migrations.unscope_rows("timeline_entries")
    migrations.unscope_rows("consents")
    migrations.unscope_rows("record_reads")
    migrations.unscope_rows("duplicate_flags")
    migrations.unscope_rows("cases")
    migrations.unscope_rows("clients")
    migrations.drop_region_visibility()
