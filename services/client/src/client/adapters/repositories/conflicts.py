"""What a repository raises when the row it writes changed under it."""

from __future__ import annotations


class ConcurrentUpdate(Exception):
    """Someone else changed the record since it was read."""
