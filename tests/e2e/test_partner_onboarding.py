"""Onboarding a partner is one administrative action, against the real Keycloak and Kafka:
its client, its topic, its ACLs and its catalogue entry; the new partner reads its offers over
OAUTHBEARER with the credentials it uses for the API; offboarding revokes all of it; an
onboarding interrupted half-way is completed by the same request again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from kafka import KafkaAdminClient
from kafka.admin import (
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ConfigResource,
    ConfigResourceType,
    ResourcePatternFilter,
    ResourceType,
)
from sqlalchemy import create_engine, text

from support import partner_kafka, stack
from support.referrals import client_with_consent, partner_body, refer

pytestmark = pytest.mark.integration


def _auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


@pytest.fixture
def code(gateway: httpx.Client, tokens: dict[str, str]) -> Iterator[str]:
    """A partner code of this test's own; offboarded at the end, whatever happened."""
    code = f"bank-uji-{uuid.uuid4().hex[:6]}"
    yield code
    gateway.delete(f"/api/partners/{code}", headers=_auth(tokens, "admin"))


def _topics() -> set[str]:
    admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN)
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def _retention_ms(topic: str) -> str:
    admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN)
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, {"retention.ms": None})],
            config_filter="all",
        )["topic"]
        return str(described[topic]["retention.ms"]["value"])
    finally:
        admin.close()


def _acls(code: str) -> set[tuple[str, str, str, str]]:
    """The broker's ACLs of the partner's principal: (resource type, name, pattern, operation)."""
    admin = KafkaAdminClient(bootstrap_servers=stack.KAFKA, **stack.AS_ADMIN)
    try:
        everything = ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)
        found, error = admin.describe_acls(
            ACLFilter(
                f"User:partner-{code}", None, ACLOperation.ANY, ACLPermissionType.ANY, everything
            )
        )
        assert error.errno == 0, error
        return {
            (
                acl.resource_pattern.resource_type.name,
                acl.resource_pattern.resource_name,
                acl.resource_pattern.pattern_type.name,
                acl.operation.name,
            )
            for acl in found
        }
    finally:
        admin.close()


def _expected_acls(code: str) -> set[tuple[str, str, str, str]]:
    topic, group = f"partner.{code}.referrals", f"partner-{code}"
    return {
        ("TOPIC", topic, "LITERAL", "READ"),
        ("TOPIC", topic, "LITERAL", "DESCRIBE"),
        ("GROUP", group, "LITERAL", "READ"),
        ("GROUP", f"{group}.", "PREFIXED", "READ"),
    }


async def _offers_read_by_the_partner(
    code: str, secret: str, referral_id: str
) -> list[bytes | None]:
    """The partner's own consumer, in its own group, until the offer arrives."""
    consumer = partner_kafka.consumer(
        partner_kafka.ClientCredentials(f"partner-{code}", secret),
        f"partner.{code}.referrals",
        group_id=f"partner-{code}.e2e",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    keys: list[bytes | None] = []
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while referral_id.encode() not in keys and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            keys += [record.key for records in batches.values() for record in records]
        await consumer.commit()
    finally:
        await consumer.stop()
    return keys


def _keycloak_clients(code: str) -> list[dict[str, Any]]:
    return [c for c in stack.keycloak_admin().get_clients() if c["clientId"] == f"partner-{code}"]


def _token(client_id: str, secret: str) -> httpx.Response:
    return httpx.post(
        f"{stack.KEYCLOAK}/realms/{stack.REALM}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


def _onboard(gateway: httpx.Client, tokens: dict[str, str], code: str) -> httpx.Response:
    body = partner_body(gateway, tokens, "bank-nusantara") | {"name": f"Bank Uji {code}"}
    return gateway.put(f"/api/partners/{code}", json=body, headers=_auth(tokens, "admin"))


def test_an_onboarded_partner_logs_in_receives_its_offers_and_loses_all_when_offboarded(
    gateway: httpx.Client, tokens: dict[str, str], code: str
) -> None:
    admin = _auth(tokens, "admin")
    topic = f"partner.{code}.referrals"
    onboarded = _onboard(gateway, tokens, code)
    assert onboarded.status_code == 200, onboarded.text
    assert onboarded.json()["status"] == "active"
    assert topic in _topics()
    assert _retention_ms(topic) == str(70 * 3600 * 1000)
    assert len(_keycloak_clients(code)) == 1
    assert _acls(code) == _expected_acls(code)
    assert _onboard(gateway, tokens, code).json()["status"] == "active"  # again: no change
    assert len(_keycloak_clients(code)) == 1 and _acls(code) == _expected_acls(code)

    issued = gateway.post(f"/api/partners/{code}/secret", headers=admin)
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    credentials = issued.json()
    assert credentials["client_id"] == f"partner-{code}"
    login = _token(credentials["client_id"], credentials["client_secret"])
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["partner_code"] == code and "partner" in claims["realm_access"]["roles"]
    partner = {"Authorization": f"Bearer {token}"}

    client = client_with_consent(gateway, tokens, ["contact"], partner=code)
    sent = refer(gateway, tokens, client["id"], partner=code)
    assert sent.status_code == 201, sent.text
    referral_id = sent.json()["id"]
    # the same client credentials, as a token over OAUTHBEARER, read the partner's own topic
    keys = asyncio.run(_offers_read_by_the_partner(code, credentials["client_secret"], referral_id))
    assert keys.count(referral_id.encode()) == 1
    acknowledged = gateway.post(
        f"/api/partner/referrals/{referral_id}/status",
        json={"status": "acknowledged", "external_ref": "UJI-1"},
        headers=partner,
    )
    assert acknowledged.status_code == 200, acknowledged.text

    # an offer still waiting in the outbox when the partner goes goes with it
    stack.stop("referral-relay")
    try:
        waiting = client_with_consent(gateway, tokens, ["contact"], partner=code)
        assert refer(gateway, tokens, waiting["id"], partner=code).status_code == 201
        assert _waiting_for(topic) == 1
        offboarded = gateway.delete(f"/api/partners/{code}", headers=admin)
        assert offboarded.status_code == 200 and offboarded.json()["status"] == "offboarded"
        assert _waiting_for(topic) == 0
    finally:
        stack.run_infra("services.sh", "revive")
    assert _keycloak_clients(code) == [] and _acls(code) == set()
    assert _token(credentials["client_id"], credentials["client_secret"]).status_code == 401
    stack.eventually(lambda: topic not in _topics() or None)
    other = client_with_consent(gateway, tokens, ["contact"], partner=code)
    refused = refer(gateway, tokens, other["id"], partner=code, wait=False)
    assert refused.status_code == 409 and refused.json()["type"].endswith("/partner-not-ready")
    assert gateway.delete(f"/api/partners/{code}", headers=admin).status_code == 200  # again
    # its referral still ends, and nothing is left waiting for the topic that is gone
    siti = _auth(tokens, "siti")
    assert gateway.post(f"/api/referrals/{referral_id}/withdraw", headers=siti).status_code == 200
    assert _waiting_for(topic) == 0


def _waiting_for(topic: str) -> int:
    engine = create_engine(stack.database_url("referral"))
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM outbox WHERE published_at IS NULL AND topic = :t"),
                    {"t": topic},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_an_onboarding_stopped_half_way_is_completed_by_the_same_request(
    gateway: httpx.Client, tokens: dict[str, str], code: str
) -> None:
    topic = f"partner.{code}.referrals"
    stop_after_client = {"REFERRAL_FAULT_ONBOARDING_STOP_AFTER": "client"}
    with stack.restarted_with(("referral-api",), stop_after_client):
        assert _onboard(gateway, tokens, code).status_code == 500  # "crashed" after Keycloak
        listed = gateway.get("/api/partners", headers=_auth(tokens, "admin"))
        assert listed.status_code == 200, listed.text
        partners = listed.json()["items"]
        assert next(p for p in partners if p["code"] == code)["status"] == "provisioning"
        assert len(_keycloak_clients(code)) == 1 and topic not in _topics()
        client = client_with_consent(gateway, tokens, ["contact"], partner=code)
        refused = refer(gateway, tokens, client["id"], partner=code, wait=False)
        assert refused.status_code == 409 and refused.json()["type"].endswith("/partner-not-ready")
    stop_after_topic = {"REFERRAL_FAULT_ONBOARDING_STOP_AFTER": "topic"}
    with stack.restarted_with(("referral-api",), stop_after_topic):
        assert _onboard(gateway, tokens, code).status_code == 500  # "crashed" after the topic
        assert len(_keycloak_clients(code)) == 1 and topic in _topics() and _acls(code) == set()
    completed = _onboard(gateway, tokens, code)
    assert completed.status_code == 200 and completed.json()["status"] == "active"
    assert len(_keycloak_clients(code)) == 1 and topic in _topics()
    assert _acls(code) == _expected_acls(code)
    assert refer(gateway, tokens, client["id"], partner=code).status_code == 201

    # the operator's command does the same as the API, and says so in JSON
    listed = {p["code"]: p["status"] for p in stack.jembatan("partners", "list")}
    assert listed[code] == "active" and listed["bank-nusantara"] == "active"
    assert stack.jembatan("partners", "offboard", code)["status"] == "offboarded"
    assert _keycloak_clients(code) == [] and _acls(code) == set()
    assert stack.jembatan("partners", "onboard", code) == {
        "code": code,
        "name": f"Bank Uji {code}",
        "status": "active",
    }
    assert len(_keycloak_clients(code)) == 1 and _acls(code) == _expected_acls(code)
