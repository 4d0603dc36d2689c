"""Alembic migrations of the training database (date-prefixed revisions)."""
