#!/usr/bin/env bash
# The SMS/WhatsApp provider stand-in (server.py) on 127.0.0.1:8109; messages under .cache/smsprovider.
COMPONENT=smsprovider
source "$(dirname "$0")/../lib.sh"

PY="$ROOT/.venv/bin/python"
: "${SMSPROVIDER_PORT:=8109}"

ready() { curl -fsS "http://127.0.0.1:$SMSPROVIDER_PORT/healthz" >/dev/null; }

install() { "$PY" -c 'import httpx, starlette, uvicorn' || die "starlette, uvicorn or httpx missing: run 'make install'"; }

start() {
  install
  if live_pid smsprovider >/dev/null && ready; then log "already running"; return; fi
  port_busy "$SMSPROVIDER_PORT" && die "port $SMSPROVIDER_PORT is busy"
  "$PY" "$ROOT/infra/smsprovider/server.py" >> "$LOGS/smsprovider.log" 2>&1 &
  echo $! > "$RUN/smsprovider.pid"
  wait_until 20 "the SMS provider stand-in" ready || { tail -20 "$LOGS/smsprovider.log"; exit 1; }
  log "ready on http://127.0.0.1:$SMSPROVIDER_PORT (messages: GET /_control/messages)"
}

stop() { stop_pid smsprovider 5; }

status() { ready; }

"${1:?usage: run.sh install|start|stop|status}"
