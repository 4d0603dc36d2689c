"""Alembic migrations of the indicators database (date-prefixed revisions)."""
