"""Give the local broker the users and ACLs a cluster has: those of deploy/k8s.

Usage: access.py [--bootstrap 127.0.0.1:9095] [users.yaml]   (as the broker's admin)

In Kubernetes, Strimzi's user operator turns each `KafkaUser` of
deploy/k8s/components/strimzi-kafka/users.yaml into a SCRAM credential and simple ACLs. This
does the same on the local broker, so a service that would be refused in a cluster is refused
here too. A user with `authentication: scram-sha-512` gets the local password
`dev-only-kafka-<name>` (each service's development default, shared.settings); a user without
one (a partner, who comes with a Keycloak token over OAUTHBEARER) gets only its ACLs, and loses
a SCRAM password an older stack gave it. Creating what exists is a no-op, so this runs on every
start. Partners onboarded through the API get
their ACLs from the referral service (referral.adapters.partner_access), not from here.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
from collections.abc import Iterator
from typing import Any

import yaml
from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourceType,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)
from kafka.errors import KafkaError

from shared.kafka_security import local_admin

ROOT = pathlib.Path(__file__).resolve().parents[2]
USERS = ROOT / "deploy" / "k8s" / "components" / "strimzi-kafka" / "users.yaml"
_PATTERNS = {"literal": ACLResourcePatternType.LITERAL, "prefix": ACLResourcePatternType.PREFIXED}


def dev_password(user: str) -> str:
    return f"dev-only-kafka-{user}"


def _operation(name: str) -> ACLOperation:
    """Strimzi's `IdempotentWrite` is Kafka's IDEMPOTENT_WRITE."""
    return ACLOperation[re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()]


def kafka_users(path: pathlib.Path) -> list[dict[str, Any]]:
    documents = yaml.safe_load_all(path.read_text(encoding="utf-8"))
    return [doc for doc in documents if doc and doc.get("kind") == "KafkaUser"]


def acls_of(user: dict[str, Any]) -> Iterator[ACL]:
    principal = f"User:{user['metadata']['name']}"
    for rule in user["spec"].get("authorization", {}).get("acls", []):
        resource = rule["resource"]
        pattern = ResourcePattern(
            ResourceType[resource["type"].upper()],
            resource.get("name", "kafka-cluster"),
            _PATTERNS[resource.get("patternType", "literal")],
        )
        for operation in rule["operations"]:
            yield ACL(principal, "*", _operation(operation), ACLPermissionType.ALLOW, pattern)


def scram_users(users: list[dict[str, Any]]) -> list[str]:
    return [
        user["metadata"]["name"]
        for user in users
        if user["spec"].get("authentication", {}).get("type") == "scram-sha-512"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=pathlib.Path, default=USERS)
    parser.add_argument("--bootstrap", default="127.0.0.1:9095")
    args = parser.parse_args()

    users = kafka_users(args.file)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=args.bootstrap,
            client_id="jembatan-access",
            request_timeout_ms=15000,
            **local_admin().kafka_python(),
        )
    except KafkaError as exc:
        sys.exit(f"access: cannot reach Kafka at {args.bootstrap}: {exc}")
    with admin:
        names = scram_users(users)
        others = {user["metadata"]["name"] for user in users} - set(names)
        stale = set(admin.describe_user_scram_credentials()) & others
        failed = admin.alter_user_scram_credentials(
            [
                UserScramCredentialUpsertion(name, ScramMechanism.SCRAM_SHA_512, dev_password(name))
                for name in names
            ]
            + [UserScramCredentialDeletion(name, ScramMechanism.SCRAM_SHA_512) for name in stale]
        )
        refused = {name: error for name, error in failed.items() if error is not None}
        acls = [acl for user in users for acl in acls_of(user)]
        outcome = admin.create_acls(acls)
        refused |= {f"ACL {n}": error for n, error in enumerate(outcome["failed"], start=1)}
    for what, error in refused.items():
        print(f"access: FAILED {what}: {error}", file=sys.stderr)
    if not refused:
        print(f"access: {len(names)} SCRAM users, {len(acls)} ACLs of {len(users)} Kafka users")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
