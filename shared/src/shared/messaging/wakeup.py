"""The relay's wake-up call: when the outbox is empty the relay waits for PostgreSQL's word
that rows were committed (`LISTEN outbox`; a trigger of each service's outbox notifies, see
shared.migrations.create_outbox_wakeup), so an event leaves within a few milliseconds of its
commit and an idle relay costs nothing. The word is only a hint: the relay still looks every
so often, and polls while it cannot listen."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHANNEL = "outbox"  # shared.migrations.create_outbox_wakeup


class Wakeup:
    """The relay's ear on the channel `outbox`: one connection of the engine's pool, kept out
    of it in autocommit, that LISTENs. Any failure (the database restarting) drops it; the
    next `listen` makes a new one."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._raw: Any = None

    def listen(self) -> bool:
        if self._raw is not None:
            return True
        try:
            raw = self._engine.raw_connection()
            connection: Any = raw.driver_connection
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
        except Exception as exc:
            log.warning(
                "cannot listen for outbox rows; polling", extra={"error": type(exc).__name__}
            )
            return False
        self._raw = raw
        return True

    def wait(self, timeout_s: float) -> bool | None:
        """Until a notification arrives (True: at once if one came since the last wait) or
        `timeout_s` passed (False); None when it cannot listen (the caller polls)."""
        if not self.listen():
            return None
        try:
            for _ in self._raw.driver_connection.notifies(timeout=timeout_s, stop_after=1):
                return True
        except Exception as exc:
            log.warning("lost the outbox listener; polling", extra={"error": type(exc).__name__})
            self.close()
            return None
        return False

    def close(self) -> None:
        if self._raw is not None:
            raw, self._raw = self._raw, None
            with contextlib.suppress(Exception):  # already broken: nothing to give back
                raw.invalidate()  # never back into the pool in LISTEN and autocommit
