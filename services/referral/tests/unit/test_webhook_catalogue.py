"""A partner's callback URL in the catalogue, and the public key partners verify webhooks
with (decision 0021): the referral API in-process, its database never reached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from referral.domain.demo_catalogue import BANK_NUSANTARA
from referral.entrypoints.app import create
from referral.entrypoints.schemas import PartnerIn, PartnerOut
from referral.settings import ReferralSettings
from shared import snap


def _entry(**extra: Any) -> dict[str, Any]:
    entry = PartnerOut.of(BANK_NUSANTARA).model_dump(mode="json")
    entry.pop("code")
    entry.pop("callback_url")
    return entry | extra


def test_an_old_body_keeps_the_partners_callback_url() -> None:
    current = PartnerIn.model_validate(_entry(callback_url="https://a.example.id/h")).to_partner(
        "bank-nusantara"
    )
    kept = PartnerIn.model_validate(_entry()).to_partner("bank-nusantara", current)
    assert kept.callback_url == "https://a.example.id/h"
    removed = PartnerIn.model_validate(_entry(callback_url=None)).to_partner(
        "bank-nusantara", current
    )
    assert removed.callback_url is None
    assert PartnerIn.model_validate(_entry()).to_partner("new-one").callback_url is None


def test_the_catalogue_answers_the_callback_url() -> None:
    out = PartnerOut.of(
        PartnerIn.model_validate(_entry(callback_url="https://a.example.id/h")).to_partner(
            "bank-nusantara"
        )
    )
    assert out.callback_url == "https://a.example.id/h"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[rsa.RSAPrivateKey]]:
    """Two keys in one file, as during a rotation."""
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)]
    path = tmp_path_factory.mktemp("keys") / "webhook-public.pem"
    path.write_text("".join(snap.public_pem(k) for k in keys))
    return path, keys


def test_the_public_keys_are_published_without_a_token(
    published: tuple[Path, list[rsa.RSAPrivateKey]],
) -> None:
    path, keys = published
    settings = ReferralSettings(webhook_public_key_file=str(path))
    with TestClient(create(settings, configure_process=False)) as client:
        answer = client.get("/api/partner/webhook-key")
        schema = client.get("/api/referral/openapi.json").json()
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=300"
    body = answer.json()
    assert [k["key_id"] for k in body["keys"]] == [snap.key_id(k) for k in keys]
    assert body["keys"][0]["algorithm"] == "SHA256withRSA"
    assert snap.key_id(snap.public_key_of(body["keys"][1]["public_key_pem"].encode())) == (
        snap.key_id(keys[1])
    )
    operation = schema["paths"]["/api/partner/webhook-key"]["get"]
    assert "security" not in operation or operation["security"] == []
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WebhookKeys"
    }


def test_no_key_here_is_a_503() -> None:
    settings = ReferralSettings(
        environment="production",
        service_client_secret="real",
        onboarding_client_secret="real",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_password="real",
    )
    with TestClient(create(settings, configure_process=False)) as client:
        answer = client.get("/api/partner/webhook-key")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
