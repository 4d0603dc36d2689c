"""Who may read what on the local broker, as in a cluster.

A partner connects to the partner listener (9096) with SASL OAUTHBEARER and a token of its own
Keycloak client, the same credentials it uses for the API; the broker checks the token against
the realm's keys (Kafka's own validator), names the partner by the token's `azp` and lets the
StandardAuthorizer's ACLs decide: its own topic and its own consumer groups, nothing else. An
anonymous client (the plain listener, 9092) may read nothing, and a token that is expired, of
another realm or not meant for Kafka does not get past authentication.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from support import partner_kafka, stack

pytestmark = pytest.mark.integration

OWN = "partner.bank-nusantara.referrals"
OTHER = "partner.dompet-rakyat.referrals"
# Long enough for the fresh token to be let in on a slow minute (with 1 s it sometimes was
# not: the broker also compares the token's lifetime with its clock), short enough to wait out.
LIFESPAN_S = 8


async def _stopped(consumer: AIOKafkaConsumer) -> None:
    """aiokafka's stop after a failed start may cancel its own routine: that is no finding."""
    with contextlib.suppress(asyncio.CancelledError):
        await consumer.stop()


async def test_a_partner_reads_its_own_topic_in_its_own_group() -> None:
    group = f"partner-bank-nusantara.access-{uuid.uuid4().hex[:6]}"
    consumer = partner_kafka.consumer(
        partner_kafka.partner("bank-nusantara"), OWN, group_id=group, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        await asyncio.wait_for(consumer.getmany(timeout_ms=3000), 30)
        assigned = consumer.assignment()
        assert {tp.topic for tp in assigned} == {OWN} and len(assigned) == 3
        ends = await consumer.end_offsets(list(assigned))
        assert ends == stack.topic_end_offsets(OWN)  # the admin's view of the same topic
        await consumer.commit()  # as its own group
    finally:
        await _stopped(consumer)


@pytest.mark.parametrize("topic", [OTHER, "client.events", "referral.events"])
async def test_a_partner_cannot_read_another_partner_s_topic_nor_an_internal_one(
    topic: str,
) -> None:
    consumer = partner_kafka.consumer(partner_kafka.partner("bank-nusantara"), topic)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await consumer.start()
            await asyncio.wait_for(consumer.getmany(timeout_ms=3000), 30)
    finally:
        await _stopped(consumer)


async def test_a_partner_cannot_join_another_partner_s_group() -> None:
    consumer = partner_kafka.consumer(
        partner_kafka.partner("bank-nusantara"), OWN, group_id="partner-dompet-rakyat"
    )
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            await consumer.start()
            await asyncio.wait_for(consumer.getmany(timeout_ms=3000), 30)
    finally:
        await _stopped(consumer)


async def test_an_anonymous_client_reads_no_partner_topic() -> None:
    consumer = AIOKafkaConsumer(OWN, bootstrap_servers="127.0.0.1:9092", request_timeout_ms=10_000)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await consumer.start()
            await asyncio.wait_for(consumer.getmany(timeout_ms=3000), 30)
    finally:
        await _stopped(consumer)


@pytest.mark.parametrize("listener", [partner_kafka.LISTENER, stack.KAFKA])
async def test_a_plain_text_client_does_not_get_past_the_sasl_listeners(listener: str) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=listener, request_timeout_ms=5_000)
    try:
        with pytest.raises(KafkaConnectionError):
            await consumer.start()
    finally:
        await _stopped(consumer)


async def _refused(token: str, caplog: pytest.LogCaptureFixture) -> None:
    """The broker answers the SASL exchange with RFC 7628's error (`invalid_token`) and hangs
    up. aiokafka takes that answer for a success and only then finds the connection gone
    (when it raises, and what, depends on its retries), so the broker's own answer, in
    aiokafka's debug log, is what shows the refusal; and nothing is readable."""
    caplog.set_level(logging.DEBUG, logger="aiokafka.conn")
    consumer = partner_kafka.consumer(partner_kafka.Fixed(token), request_timeout_ms=3000)
    try:
        with contextlib.suppress(KafkaError):
            await consumer.start()
            assert OWN not in await consumer.topics()
    finally:
        await _stopped(consumer)
    assert '{"status":"invalid_token"}' in caplog.text


def _token_of(realm: str, **form: str) -> str:
    answer = httpx.post(
        f"{stack.KEYCLOAK}/realms/{realm}/protocol/openid-connect/token", data=form, timeout=15
    )
    return str(answer.raise_for_status().json()["access_token"])


async def test_a_token_of_another_realm_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    master = _token_of(
        "master", grant_type="password", client_id="admin-cli", username="admin", password="admin"
    )
    await _refused(master, caplog)


async def test_a_token_not_meant_for_kafka_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    """A service's token for the API is a valid token of the realm, without audience `kafka`."""
    await _refused(await asyncio.to_thread(stack.service_token, "service-referral"), caplog)


async def test_an_expired_token_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    with stack.throwaway_client(
        with_api_audience=False, with_kafka_audience=True, lifespan_s=LIFESPAN_S
    ) as (client_id, secret):
        token = await partner_kafka.ClientCredentials(client_id, secret).token()
        issued = time.monotonic()
        # Authenticated while fresh (it has no ACL, so it sees no topic, but it is let in).
        caplog.set_level(logging.DEBUG, logger="aiokafka.conn")
        fresh = partner_kafka.consumer(partner_kafka.Fixed(token))
        await fresh.start()
        try:
            assert OWN not in await fresh.topics()
        finally:
            await _stopped(fresh)
        assert "Authenticated via OAUTHBEARER" in caplog.text
        assert "invalid_token" not in caplog.text
        caplog.clear()
        # The broker allows 5 s of clock skew (infra/kafka/server.properties.in).
        await asyncio.sleep(max(0.0, issued + LIFESPAN_S + 5 + 1 - time.monotonic()))
        await _refused(token, caplog)


async def test_garbage_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    await _refused("not-a-token", caplog)


def test_the_broker_s_view_of_the_partner_topic_is_not_empty_for_the_admin() -> None:
    """The refusals above are the ACLs', not a missing topic's."""
    assert {tp.partition for tp in stack.topic_end_offsets(OWN)} == {0, 1, 2}
