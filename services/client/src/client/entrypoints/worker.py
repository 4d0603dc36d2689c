"""The client worker process (the timeline projection): `python -m client.entrypoints.worker`.

Consumer group `client-timeline` (the settings' `consumer_group`); what it reads and does is
`service_layer/reactions.py`'s, the process is `shared.messaging.worker.run_worker`.
"""

from __future__ import annotations

from client import bootstrap
from client.adapters import orm
from client.service_layer.reactions import consumed
from client.settings import ClientSettings
from shared.messaging.worker import run_worker


def main() -> None:
    run_worker(ClientSettings(), bootstrap.build, orm.inbox, lambda c: consumed())


if __name__ == "__main__":
    main()
