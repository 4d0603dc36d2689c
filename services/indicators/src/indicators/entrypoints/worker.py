"""The indicators worker: `python -m indicators.entrypoints.worker`.

The projections are `service_layer/projections.py`'s reactions on the message bus, given the
holiday calendar and the data keys; the process is `shared.messaging.worker.run_worker`.
"""

from __future__ import annotations

from indicators import bootstrap
from indicators.adapters import orm
from indicators.service_layer.projections import consumed
from indicators.settings import IndicatorsSettings
from shared.messaging.worker import run_worker


def main() -> None:
    run_worker(
        IndicatorsSettings(), bootstrap.build, orm.inbox, lambda c: consumed(c.holidays, c.keys)
    )


if __name__ == "__main__":
    main()
