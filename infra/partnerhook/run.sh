#!/usr/bin/env bash
# The stand-in partner that takes webhooks (server.py) on 127.0.0.1:8110; deliveries under .cache/partnerhook.
COMPONENT=partnerhook
source "$(dirname "$0")/../lib.sh"

PY="$ROOT/.venv/bin/python"
: "${PARTNERHOOK_PORT:=8110}"

ready() { curl -fsS "http://127.0.0.1:$PARTNERHOOK_PORT/healthz" >/dev/null; }

install() { "$PY" -c 'import cryptography, httpx, starlette, uvicorn' || die "cryptography, starlette, uvicorn or httpx missing: run 'make install'"; }

start() {
  install
  if live_pid partnerhook >/dev/null && ready; then log "already running"; return; fi
  port_busy "$PARTNERHOOK_PORT" && die "port $PARTNERHOOK_PORT is busy"
  "$PY" "$ROOT/infra/partnerhook/server.py" >> "$LOGS/partnerhook.log" 2>&1 &
  echo $! > "$RUN/partnerhook.pid"
  wait_until 20 "the partner webhook stand-in" ready || { tail -20 "$LOGS/partnerhook.log"; exit 1; }
  log "ready on http://127.0.0.1:$PARTNERHOOK_PORT (deliveries: GET /_control/deliveries)"
}

stop() { stop_pid partnerhook 5; }

status() { ready; }

"${1:?usage: run.sh install|start|stop|status}"
