"""Alembic migrations of the referral database (date-prefixed revisions)."""
