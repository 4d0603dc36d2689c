"""Row-level security: each transaction sees only its caller's rows

Referrals (the caller's region, or the calling partner's own) and the clients' facts are visible
only to a transaction whose `jembatan.region` (set from the verified token, decision 0011)
covers their region; workers set 'all'. A second line under the service's own region checks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

from shared import migrations

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migrations.create_region_visibility()
    migrations.scope_rows("referrals", migrations.partner_visible())
    migrations.scope_rows("client_facts")


def downgrade() -> None:
    migrations.unscope_rows("client_facts")
    migrations.unscope_rows("referrals")
    migrations.drop_region_visibility()
