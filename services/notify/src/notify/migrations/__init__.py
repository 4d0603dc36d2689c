"""Alembic migrations of the notify database (date-prefixed revisions)."""
