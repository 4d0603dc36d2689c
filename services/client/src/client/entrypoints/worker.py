"""The client worker process (the timeline projection): `python -m client.entrypoints.worker`.

Consumer group `client-timeline`; what it reads and does is `service_layer/timeline.py`'s, the
process is `shared.messaging.worker.run_worker`.
"""

from __future__ import annotations

from client import bootstrap
from client.adapters import orm
from client.service_layer.reactions import consumed
from client.settings import ClientSettings
from shared.messaging.worker import Reactions, run_worker


def reactions(container: bootstrap.Container) -> Reactions:
    return consumed()


def main() -> None:
    run_worker(
        ClientSettings(), bootstrap.build, reactions, group="client-timeline", inbox=orm.inbox
    )


if __name__ == "__main__":
    main()
