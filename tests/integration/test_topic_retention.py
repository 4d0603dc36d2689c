"""The local broker keeps every topic of infra/kafka/topics.txt for a finite time, read back
from the broker itself: what topics.txt sets, and partner offers gone within 72 hours.

The broker's topics are made by infra/kafka/create_topics.py when the stack starts (and
brought to these values on an existing stack); tests/deploy checks that the cluster's
KafkaTopics and docs/asyncapi.yaml say the same.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from support import stack

pytestmark = pytest.mark.integration

TOPICS_TXT = stack.ROOT / "infra" / "kafka" / "topics.txt"
HOUR_MS = 3600 * 1000


def _create_topics_module() -> ModuleType:
    """infra/ is no package: load the topic script's module from its file."""
    path = stack.ROOT / "infra" / "kafka" / "create_topics.py"
    spec = importlib.util.spec_from_file_location("infra_kafka_create_topics", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def listed() -> dict[str, Any]:
    return dict(_create_topics_module().read_topics(TOPICS_TXT))


@pytest.fixture(scope="module")
def admin() -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(
        bootstrap_servers=[stack.KAFKA], **stack.AS_ADMIN, client_id="retention-check"
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def on_broker(admin: KafkaAdminClient, listed: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Each listed topic's `retention.ms` and `segment.ms` as the broker applies them."""
    keys = {"retention.ms": None, "segment.ms": None}
    described = admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name, dict(keys)) for name in listed],
        config_filter="all",
    )["topic"]
    return {
        name: {key: int(configs[key]["value"]) for key in keys}
        for name, configs in described.items()
    }


def test_every_listed_topic_exists_on_the_broker(
    admin: KafkaAdminClient, listed: dict[str, Any]
) -> None:
    assert set(listed) <= set(admin.list_topics())


def test_the_broker_keeps_each_topic_as_long_as_topics_txt_says(
    listed: dict[str, Any], on_broker: dict[str, dict[str, int]]
) -> None:
    assert on_broker == {
        name: {key: int(value) for key, value in topic.configs.items()}
        for name, topic in listed.items()
    }


def test_no_topic_keeps_records_for_ever_and_partner_offers_go_within_72_hours(
    on_broker: dict[str, dict[str, int]],
) -> None:
    assert any(name.startswith("partner.") for name in on_broker)
    for name, config in on_broker.items():
        assert 0 < config["segment.ms"] < config["retention.ms"], name
        if name.startswith("partner."):
            # Kafka deletes closed segments only: a record lives up to retention + segment.
            assert config["retention.ms"] + config["segment.ms"] < 72 * HOUR_MS, name
