#!/usr/bin/env bash
# Start, stop or check the services listed in infra/services.txt (after migrations).
COMPONENT=services
source "$(dirname "$0")/lib.sh"

PY="$ROOT/.venv/bin/python"
SERVICES=(client referral training notify indicators portal)

each() { grep -vE '^\s*(#|$)' "$ROOT/infra/services.txt"; }

migrate() {
  local s
  for s in "${SERVICES[@]}"; do "$PY" -m "$s.entrypoints.migrate" || die "migrating $s failed"; done
  # The fictional demo partners of docs/contract.md §4: local stacks only, never a production overlay.
  "$PY" -m referral.entrypoints.seed_demo || die "seeding the demo partners failed"
  log "migrations applied, demo partners seeded"
}

api_port() { awk -v n="$1" '$1 == n {print $NF}' "$ROOT/infra/services.txt"; }

start_one() {
  local name="$1"; shift
  if live_pid "$name" >/dev/null; then return; fi
  local upper="${name%%-*}"; upper="${upper^^}"
  # Each process writes JSON lines to its own log; stray stderr (crashes) goes beside it. A
  # worker whose watchdog finds it stalled starts itself afresh (no restart policy here).
  env "${upper}_LOG_FILE=$LOGS/$name.log" JEMBATAN_WORKER_RESTART=in-place \
    "$PY" "$@" >> "$LOGS/$name.out" 2>&1 &
  echo $! > "$RUN/$name.pid"
}

start() {
  migrate
  local name args
  while read -r name args; do
    # shellcheck disable=SC2086  (args are words from services.txt)
    start_one "$name" $args
  done < <(each)
  while read -r name args; do
    if [[ "$name" == *-api ]]; then
      # 18 processes start at once on 2 cores; on a slow hour the last ready takes over a minute.
      wait_until 180 "$name" curl -fsS "http://127.0.0.1:$(api_port "$name")/readyz" \
        || { tail -20 "$LOGS/$name.out"; exit 1; }
    fi
  done < <(each)
  sleep 1
  while read -r name args; do
    live_pid "$name" >/dev/null || { tail -20 "$LOGS/$name.out"; die "$name exited"; }
  done < <(each)
  log "all services running"
}

# After a crash: start whichever listed processes are not running, without migrating or
# waiting (the chaos suite revives what it killed).
revive() {
  local name args
  while read -r name args; do
    # shellcheck disable=SC2086  (args are words from services.txt)
    start_one "$name" $args
  done < <(each)
}

stop() {
  local name args
  while read -r name args; do stop_pid "$name" 15; done < <(each)
}

status() {
  local name args ok=0
  while read -r name args; do
    if live_pid "$name" >/dev/null; then echo "$name running"; else echo "$name stopped"; ok=1; fi
  done < <(each)
  return $ok
}

"${1:?usage: services.sh start|stop|status|migrate|revive}"
