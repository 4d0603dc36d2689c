"""Kafka as rendered: the topics are docs/asyncapi.yaml's and keep records as long as it says
(finite everywhere, partner offers under 72 hours), every KafkaUser may do exactly what its
service or partner does, and KEDA never scales a consumer past its topics' partitions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
HOUR_MS = 3600 * 1000
# The consumer group each service's worker uses (its entrypoints/worker.py).
SERVICE_OF_GROUP = {
    "client-timeline": "client",
    "referral": "referral",
    "referral-webhooks": "referral",
    "training": "training",
    "notify": "notify",
    "indicators": "indicators",
}


def channels(asyncapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Topic address -> {"producer": service, "groups": consumer groups}."""
    by_ref = {f"#/channels/{key}": c["address"] for key, c in asyncapi["channels"].items()}
    topics: dict[str, dict[str, Any]] = {a: {"groups": set()} for a in by_ref.values()}
    for key, operation in asyncapi["operations"].items():
        topic = topics[by_ref[operation["channel"]["$ref"]]]
        if operation["action"] == "send":
            topic["producer"] = key.split("_publishes_")[0]
        else:
            topic["groups"].add(re.match(r"consumer group (\S+)", operation["summary"])[1])
    return topics


def topic_names(manifests) -> dict[str, dict[str, Any]]:
    return {
        t["spec"].get("topicName", t["metadata"]["name"]): t
        for t in manifests.of_kind("KafkaTopic")
    }


def partners(asyncapi: dict[str, Any]) -> list[str]:
    return sorted(
        m[1] for a in channels(asyncapi) if (m := re.fullmatch(r"partner\.(.+)\.referrals", a))
    )


def matches(resource: dict[str, Any], name: str) -> bool:
    """Whether an ACL's resource covers `name`, as Kafka's simple authorizer decides it."""
    if resource.get("patternType", "literal") == "prefix":
        return name.startswith(resource["name"])
    return resource["name"] in (name, "*")


def allowed(user: dict[str, Any], kind: str, name: str, operation: str) -> bool:
    return any(
        acl.get("type", "allow") == "allow"
        and acl["resource"]["type"] == kind
        and matches(acl["resource"], name)
        and (operation in acl["operations"] or "All" in acl["operations"])
        for acl in user["spec"]["authorization"]["acls"]
    )


def test_the_topics_are_the_asyncapi_channels_and_their_dead_letters(manifests, asyncapi) -> None:
    documented = channels(asyncapi)
    rendered = set(topic_names(manifests))
    workers = SERVICE_OF_GROUP.keys() - {"referral-webhooks"}
    ours = {a for a, c in documented.items() if c["groups"] & workers}
    assert {t for t in rendered if not t.endswith(".dlq")} == set(documented)
    # Our workers park what they cannot handle on <topic>.dlq (shared/messaging/worker.py);
    # a partner's consumer is the partner's own business, and the webhook dispatcher parks
    # in its database (decision 0021).
    assert {t for t in rendered if t.endswith(".dlq")} == {f"{a}.dlq" for a in ours}


def test_the_cluster_has_the_topics_of_the_local_stack(manifests) -> None:
    local = {
        line.split()[0]
        for line in (ROOT / "infra" / "kafka" / "topics.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert set(topic_names(manifests)) == local


def test_topic_resources_have_valid_kubernetes_names(manifests) -> None:
    for name, topic in topic_names(manifests).items():
        assert DNS_SUBDOMAIN.match(topic["metadata"]["name"])
        assert len(topic["metadata"]["name"]) <= 253
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "jembatan", name


def documented_retention(asyncapi: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Topic -> its `retention.ms` and `segment.ms` as docs/asyncapi.yaml states them."""
    stated = {}
    for channel in asyncapi["channels"].values():
        kafka = channel["bindings"]["kafka"]
        stated[channel["address"]] = kafka["topicConfiguration"]
        if "x-dead-letters" in kafka:
            stated[kafka["x-dead-letters"]["topic"]] = kafka["x-dead-letters"]["topicConfiguration"]
    return {
        topic: {key: config[key] for key in ("retention.ms", "segment.ms")}
        for topic, config in stated.items()
    }


def local_retention() -> dict[str, dict[str, int]]:
    """Topic -> its `retention.ms` and `segment.ms` as infra/kafka/topics.txt sets them."""
    unit_ms = {"d": 24 * HOUR_MS, "h": HOUR_MS}
    listed = {}
    for line in (ROOT / "infra" / "kafka" / "topics.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, *settings = line.split()
            values = dict(setting.split("=") for setting in settings)
            listed[name] = {
                f"{key}.ms": int(values[key][:-1]) * unit_ms[values[key][-1]]
                for key in ("retention", "segment")
            }
    return listed


def test_partitions_follow_the_component_readme(production) -> None:
    for name, topic in topic_names(production).items():
        spec = topic["spec"]
        if name.endswith(".dlq"):
            assert spec["partitions"] == 1, name
        elif name.startswith("partner."):
            assert spec["partitions"] == 6, name
        else:
            assert spec["partitions"] == 12, name
        assert spec["replicas"] == 3
        assert spec["config"]["min.insync.replicas"] == 2
        assert spec["config"]["cleanup.policy"] == "delete"


def test_every_topic_keeps_what_asyncapi_and_the_local_stack_state(manifests, asyncapi) -> None:
    rendered = {
        name: {key: topic["spec"]["config"][key] for key in ("retention.ms", "segment.ms")}
        for name, topic in topic_names(manifests).items()
    }
    assert rendered == documented_retention(asyncapi)
    assert rendered == local_retention()


def test_every_retention_is_finite_and_partner_offers_are_gone_within_72_hours(
    manifests, asyncapi
) -> None:
    for source in (documented_retention(asyncapi), local_retention()):
        assert source.keys() == set(topic_names(manifests))
        for name, config in source.items():
            assert 0 < config["segment.ms"] < config["retention.ms"], name
            if name.startswith("partner."):
                # Kafka deletes closed segments only: a record lives up to retention + segment.
                assert config["retention.ms"] + config["segment.ms"] < 72 * HOUR_MS, name
            else:
                assert config["retention.ms"] == 30 * 24 * HOUR_MS, name
    # Whatever is not a KafkaTopic here falls back to the broker's default: the strictest one.
    (kafka,) = manifests.of_kind("Kafka")
    defaults = kafka["spec"]["kafka"]["config"]
    assert defaults["log.retention.hours"] + defaults["log.roll.hours"] < 72


def test_the_partners_are_those_of_the_design(asyncapi) -> None:
    assert partners(asyncapi) == ["bank-nusantara", "dompet-rakyat"]


def test_each_partner_reads_only_its_own_topic(manifests, asyncapi) -> None:
    topics = set(topic_names(manifests))
    codes = partners(asyncapi)
    for code in codes:
        user = manifests.named("KafkaUser", f"partner-{code}")
        own = f"partner.{code}.referrals"
        # no password: the partner comes with its Keycloak client's token (OAUTHBEARER)
        assert "authentication" not in user["spec"]
        for topic in topics:
            assert allowed(user, "topic", topic, "Read") == (topic == own), (code, topic)
            assert not allowed(user, "topic", topic, "Write"), (code, topic)
        kinds = {acl["resource"]["type"] for acl in user["spec"]["authorization"]["acls"]}
        assert kinds == {"topic", "group"}, f"{code} may touch {kinds}"


def test_each_partner_uses_only_its_own_consumer_groups(manifests, asyncapi) -> None:
    codes = partners(asyncapi)
    for code in codes:
        user = manifests.named("KafkaUser", f"partner-{code}")
        assert allowed(user, "group", f"partner-{code}", "Read")
        assert allowed(user, "group", f"partner-{code}.reconciliation", "Read")
        for other in codes:
            if other != code:
                for group in (f"partner-{other}", f"partner-{other}.x"):
                    assert not allowed(user, "group", group, "Read"), (code, group)
        for group in SERVICE_OF_GROUP:
            assert not allowed(user, "group", group, "Read"), (code, group)
        assert not allowed(user, "group", f"partner-{code}-syariah", "Read")


@pytest.mark.parametrize("service", sorted(set(SERVICE_OF_GROUP.values())))
def test_each_service_may_touch_only_the_topics_it_produces_and_consumes(
    manifests, asyncapi, service: str
) -> None:
    documented = channels(asyncapi)
    produced = {a for a, c in documented.items() if c.get("producer") == service}
    groups = {g for g, s in SERVICE_OF_GROUP.items() if s == service}
    consumed = {a for a, c in documented.items() if c["groups"] & groups}
    # A consumer parks failures on <topic>.dlq; a producer may too (notify's failed sends).
    may_write = produced | {f"{t}.dlq" for t in consumed | produced}
    user = manifests.named("KafkaUser", service)
    for topic in topic_names(manifests):
        assert allowed(user, "topic", topic, "Read") == (topic in consumed), (service, topic)
        assert not allowed(user, "topic", topic, "Write") or topic in may_write, (service, topic)
    for topic in produced | {f"{t}.dlq" for t in consumed}:
        assert allowed(user, "topic", topic, "Write"), (service, topic)
    for group in SERVICE_OF_GROUP:
        assert allowed(user, "group", group, "Read") == (group in groups), (service, group)
    acls = user["spec"]["authorization"]["acls"]
    assert {acl["resource"]["type"] for acl in acls} <= {"topic", "group", "cluster"}
    # Only onboarding's service may give ACLs (Alter on the cluster), and nothing more there.
    on_cluster = [acl["operations"] for acl in acls if acl["resource"]["type"] == "cluster"]
    assert on_cluster == ([["Alter"]] if service == "referral" else [])


def test_services_use_scram_and_partners_keycloak_tokens_over_tls(manifests) -> None:
    users = {u["metadata"]["name"]: u for u in manifests.of_kind("KafkaUser")}
    assert set(SERVICE_OF_GROUP.values()) | {"keda"} <= users.keys()
    for name, user in users.items():
        if name.startswith("partner-"):
            assert "authentication" not in user["spec"], name
        else:
            assert user["spec"]["authentication"]["type"] == "scram-sha-512", name
    (kafka,) = manifests.of_kind("Kafka")
    listeners = {listener["name"]: listener for listener in kafka["spec"]["kafka"]["listeners"]}
    assert all(listener["tls"] is True for listener in listeners.values())
    assert listeners["tls"]["authentication"]["type"] == "scram-sha-512"
    partners = listeners["external"]["authentication"]
    assert (partners["type"], partners["sasl"]) == ("custom", True)
    config = partners["listenerConfig"]
    assert config["sasl.enabled.mechanisms"] == "OAUTHBEARER"
    # the broker's validator, which checks signature, issuer and audience; the default does not
    assert config["sasl.oauthbearer.jwt.validator.class"].endswith(".BrokerJwtValidator")
    assert config["sasl.oauthbearer.expected.audience"] == "kafka"
    assert config["sasl.oauthbearer.sub.claim.name"] == "azp"
    jwks = config["sasl.oauthbearer.jwks.endpoint.url"]
    allowed = {
        p["name"]: p["value"] for p in kafka["spec"]["kafka"]["jvmOptions"]["javaSystemProperties"]
    }
    assert jwks in allowed["org.apache.kafka.sasl.oauthbearer.allowed.urls"].split(",")
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"


def test_the_partner_listener_expects_the_issuer_the_services_expect(manifests) -> None:
    (kafka,) = manifests.of_kind("Kafka")
    external = next(li for li in kafka["spec"]["kafka"]["listeners"] if li["name"] == "external")
    issuer = external["authentication"]["listenerConfig"]["sasl.oauthbearer.expected.issuer"]
    assert issuer == manifests.config("platform")["OIDC_ISSUER"]


def test_keda_never_scales_a_worker_past_its_topics_partitions(production, asyncapi) -> None:
    partitions = {n: t["spec"]["partitions"] for n, t in topic_names(production).items()}
    documented = channels(asyncapi)
    scaled_objects = production.of_kind("ScaledObject")
    assert {s["spec"]["scaleTargetRef"]["name"] for s in scaled_objects} == {
        w["metadata"]["name"] for w in production.by_component("worker")
    }
    for scaled in scaled_objects:
        triggers = scaled["spec"]["triggers"]
        (group,) = {t["metadata"]["consumerGroup"] for t in triggers}
        assert scaled["spec"]["scaleTargetRef"]["name"] == f"{SERVICE_OF_GROUP[group]}-worker"
        # One trigger per topic the group reads: lag on any of them adds replicas.
        assert {t["metadata"]["topic"] for t in triggers} == {
            a for a, c in documented.items() if group in c["groups"]
        }
        for trigger in triggers:
            topic = trigger["metadata"]["topic"]
            assert scaled["spec"]["maxReplicaCount"] <= partitions[topic], (group, topic)
            assert trigger["metadata"]["offsetResetPolicy"] == "earliest"
