"""The training worker (client projection): `python -m training.entrypoints.worker`.

Consumer group `training`, one static member per host (`training-<hostname>`); the reactions
are `service_layer/reactions.py`'s, the process is `shared.messaging.worker.run_worker`.
"""

from __future__ import annotations

from shared.messaging.worker import run_worker
from training import bootstrap
from training.adapters import orm
from training.service_layer.reactions import consumed
from training.settings import TrainingSettings


def main() -> None:
    run_worker(TrainingSettings(), bootstrap.build, orm.inbox, lambda c: consumed(c.keys))


if __name__ == "__main__":
    main()
