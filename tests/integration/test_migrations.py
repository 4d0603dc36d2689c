"""Each service's migrations build exactly the tables its code declares (no drift)."""

from __future__ import annotations

import pytest
from alembic import command

from shared.db import alembic_config
from support import stack

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", ["client", "referral", "training", "notify"])
def test_migrations_match_the_declared_tables(service: str) -> None:
    # Read-only: the stack has applied every migration; autogenerate must find nothing to add.
    command.check(alembic_config(f"{service}.migrations", stack.database_url(service)))
