#!/usr/bin/env bash
# `make test`: start the stack if it is not running, run every test, stop what we started.
COMPONENT=test
source "$(dirname "$0")/lib.sh"

already_up=0
"$ROOT/infra/gateway/run.sh" status >/dev/null 2>&1 && "$ROOT/infra/services.sh" status >/dev/null 2>&1 \
  && already_up=1

cleanup() { [ "$already_up" = 1 ] || "$ROOT/infra/down.sh"; }
trap cleanup EXIT

JEMBATAN_SKIP_DEMO=1 "$ROOT/infra/up.sh"
started=$SECONDS
"$ROOT/.venv/bin/python" -m pytest "$@"
log "pytest finished in $((SECONDS - started)) s"
