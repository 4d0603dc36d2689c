"""The notify worker process: `python -m notify.entrypoints.worker`.

A faust-streaming app: each consumed topic feeds an idempotent consumer that plans messages
(`service_layer/reactions.py`). Sending them is the sender's work (`notify.entrypoints.sender`).
"""

from __future__ import annotations

from notify import bootstrap
from notify.adapters import orm
from notify.service_layer.reactions import consumed
from notify.settings import NotifySettings
from shared.messaging.worker import run_worker


def main() -> None:
    run_worker(NotifySettings(), bootstrap.build, orm.inbox, lambda c: consumed(c.rules, c.keys))


if __name__ == "__main__":
    main()
