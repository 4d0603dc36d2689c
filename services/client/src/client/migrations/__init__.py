"""Alembic migrations of the client database (date-prefixed revisions)."""
