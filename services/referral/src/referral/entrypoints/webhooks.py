"""The webhook dispatcher: `python -m referral.entrypoints.webhooks` (decision 0021).

Reads `partner.<code>.referrals` of every partner with a callback URL (consumer group
`referral-webhooks`, its own Kafka principal: Read on the `partner.` topics and on that
group) and POSTs each event, signed, to the partner, at least once; what fails for good is
parked in `webhook_dead_letters` for `jembatan webhooks redrive`. One lane per partner, so a
partner that is down delays no other. Several jobs in one process (shared.periodic): the
catalogue reread, the Kafka round, the redrive of what an operator asked for, and the
emptying of old dead letters' bodies.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from aiokafka import ConsumerRebalanceListener, TopicPartition

from referral import bootstrap
from referral.adapters.webhooks import DeadLetterStore, HttpSender, KafkaFeed
from referral.bootstrap import signing_key
from referral.domain.webhooks import Delivery, RetryPolicy
from referral.service_layer.webhooks import Lanes, Outcome, deliver, redrive
from referral.settings import ReferralSettings
from shared.periodic import Job, run_jobs, run_process


def policy_of(settings: ReferralSettings) -> RetryPolicy:
    return RetryPolicy(
        attempts=settings.webhook_attempts,
        first_pause_s=settings.webhook_first_pause_seconds,
        max_pause_s=settings.webhook_max_pause_seconds,
    )


class _Revoked(ConsumerRebalanceListener):  # type: ignore[misc]
    """Partitions taken away go to another consumer, which starts at the committed offset:
    their deliveries still waiting here are dropped (one under way may end in a duplicate)."""

    def __init__(self, lanes: Lanes) -> None:
        self._lanes = lanes

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._lanes.drop_waiting(lambda d: TopicPartition(d.topic, d.partition) not in revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        pass


async def serve(container: bootstrap.Container, stop: asyncio.Event | None = None) -> None:
    settings = container.settings
    policy = policy_of(settings)
    dead_letters = DeadLetterStore(container.sessions)
    feed = KafkaFeed(settings.kafka_bootstrap_servers, settings.kafka_security)
    timeout = httpx.Timeout(settings.webhook_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as http:
        sender = HttpSender(http, signing_key(settings))

        async def deliver_one(delivery: Delivery) -> Outcome:
            return await deliver(delivery, sender, dead_letters, policy)

        async def commit(delivery: Delivery, outcome: Outcome) -> None:
            await feed.commit(delivery)

        lanes = Lanes(deliver_one, commit)
        listener = _Revoked(lanes)

        async def follow_catalogue() -> None:
            async with container.uow() as uow:
                partners = await uow.catalogue.partners()
            feed.follow(
                {p.code: p.callback_url for p in partners if p.callback_url and p.ready},
                listener,
            )

        async def consume() -> None:
            if not feed.following:
                await asyncio.sleep(1.0)
                return
            for delivery in await feed.fetch():
                lanes.put(delivery)
            feed.throttle(lanes.backlog)

        async def redrive_asked() -> None:
            await redrive(dead_letters, feed.urls, sender, policy)

        async def forget_old_bodies() -> None:
            keep = timedelta(hours=settings.webhook_body_retention_hours)
            await dead_letters.forget_bodies(datetime.now(UTC) - keep)

        await feed.consumer.start()
        try:
            await follow_catalogue()
            await run_jobs(
                [
                    Job(
                        "follow the partners' callback URLs",
                        settings.webhook_refresh_seconds,
                        follow_catalogue,
                    ),
                    Job("deliver partner events", 0.0, consume),
                    Job(
                        "redrive asked dead letters",
                        settings.webhook_redrive_scan_seconds,
                        redrive_asked,
                    ),
                    Job("empty old dead letters' bodies", 3600.0, forget_old_bodies),
                ],
                stop,
            )
        finally:
            await lanes.close()
            await feed.consumer.stop()


def main() -> None:
    run_process(ReferralSettings(), bootstrap.build, serve, process="webhooks")


if __name__ == "__main__":
    main()
