#!/usr/bin/env bash
# `make up`: every component, in dependency order, then demo data. Idempotent.
COMPONENT=up
source "$(dirname "$0")/lib.sh"

INFRA=(postgres kafka keycloak smtp smsprovider partnerhook)

if [ "${1:-}" = status ]; then
  for c in "${INFRA[@]}"; do "$ROOT/infra/$c/run.sh" status >/dev/null 2>&1 && echo "$c ready" || echo "$c down"; done
  "$ROOT/infra/services.sh" status || true
  "$ROOT/infra/gateway/run.sh" status >/dev/null 2>&1 && echo "gateway ready" || echo "gateway down"
  exit 0
fi

started=$SECONDS
# Kafka and Keycloak are JVMs that take a while: start them side by side. Kafka's run.sh waits
# for Keycloak's keys before its broker starts (its partner listener validates tokens).
"$ROOT/infra/postgres/run.sh" start
"$ROOT/infra/kafka/run.sh" start & kafka=$!
"$ROOT/infra/keycloak/run.sh" start & keycloak=$!
"$ROOT/infra/smtp/run.sh" start
"$ROOT/infra/smsprovider/run.sh" start
"$ROOT/infra/partnerhook/run.sh" start
wait "$kafka" || die "Kafka did not start (see $LOGS/kafka.log)"
wait "$keycloak" || die "Keycloak did not start (see $LOGS/keycloak.log)"
"$ROOT/infra/services.sh" start
"$ROOT/infra/gateway/run.sh" start
[ "${JEMBATAN_SKIP_DEMO:-}" = 1 ] || "$ROOT/.venv/bin/python" "$ROOT/infra/demo_data.py"

cat <<MSG

Jembatan is up ($((SECONDS - started)) s).
  Portal          http://localhost:8100            (officers; log in as siti)
  API gateway     http://localhost:8080/api/...   (OpenAPI: /api/client/openapi.json)
  Keycloak        http://localhost:8180/admin      (master admin: admin / admin)
  Kafka           127.0.0.1:9095 services (SCRAM) and admin (PLAIN jembatan-admin / dev-only-kafka-admin)
                  127.0.0.1:9096 partners (OAUTHBEARER, their Keycloak client's token)
  PostgreSQL      127.0.0.1:5432   (one database per service: client, referral, training, notify)
  SMTP (mail)     127.0.0.1:1025   (mail lands in .cache/mail)
  SMS provider    http://127.0.0.1:8109   (stand-in; what it received: GET /_control/messages)
  Partner webhook http://127.0.0.1:8110   (stand-in bank; what it accepted: GET /_control/deliveries)
  Logs            make logs        (.cache/logs/<process>.log)

Demo logins (realm jembatan, password jembatan-dev): siti (officer, 3273 Kota Bandung),
budi (officer, 3578 Kota Surabaya), dewi (officer, 3204 Kabupaten Bandung), rina (supervisor,
32 Jawa Barat), admin (admin), nur (partner staff, Bank Nusantara: the inbox).
MSG
