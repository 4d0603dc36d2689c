#!/usr/bin/env bash
# `make down`: stop in reverse dependency order.
COMPONENT=down
source "$(dirname "$0")/lib.sh"

"$ROOT/infra/gateway/run.sh" stop || true
"$ROOT/infra/services.sh" stop || true
"$ROOT/infra/partnerhook/run.sh" stop || true
"$ROOT/infra/smsprovider/run.sh" stop || true
"$ROOT/infra/smtp/run.sh" stop || true
"$ROOT/infra/keycloak/run.sh" stop || true
"$ROOT/infra/kafka/run.sh" stop || true
"$ROOT/infra/postgres/run.sh" stop || true
