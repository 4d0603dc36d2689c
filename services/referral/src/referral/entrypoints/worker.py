"""The referral worker: projections from client and training events, consent withdrawal.

`python -m referral.entrypoints.worker`, consumer group `referral`; the reactions are
`service_layer/reactions.py`'s, the process is `shared.messaging.worker.run_worker`.
"""

from __future__ import annotations

from referral import bootstrap
from referral.adapters import orm
from referral.service_layer.reactions import consumed
from referral.settings import ReferralSettings
from shared.messaging.worker import run_worker


def main() -> None:
    run_worker(ReferralSettings(), bootstrap.build, orm.inbox, lambda c: consumed(c.keys))


if __name__ == "__main__":
    main()
