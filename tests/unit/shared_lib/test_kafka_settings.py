"""A service's Kafka identity from its settings: its own SCRAM user, a development password
only in development, and never SASL without TLS anywhere else."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from shared.settings import ServiceSettings

DATABASE = "postgresql+psycopg://unused@127.0.0.1/unused"


def test_in_development_a_service_is_its_own_user_on_the_local_scram_listener() -> None:
    settings = ServiceSettings(service_name="referral", database_url=DATABASE)
    security = settings.kafka_security
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9095"
    assert (security.protocol, security.mechanism, security.username, security.password) == (
        "SASL_PLAINTEXT",
        "SCRAM-SHA-512",
        "referral",
        "dev-only-kafka-referral",
    )


def test_elsewhere_kafka_without_tls_is_refused() -> None:
    with pytest.raises(ValidationError, match="TLS outside development"):
        ServiceSettings(service_name="referral", database_url=DATABASE, environment="production")


def test_elsewhere_the_development_password_is_never_assumed() -> None:
    settings = ServiceSettings(
        service_name="referral",
        database_url=DATABASE,
        environment="production",
        kafka_security_protocol="SASL_SSL",
    )
    with pytest.raises(ValueError, match="a username and a password"):
        _ = settings.kafka_security
    given = settings.model_copy(update={"kafka_sasl_password": SecretStr("from-the-secret")})
    assert given.kafka_security.password == "from-the-secret"
