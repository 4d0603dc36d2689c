#!/usr/bin/env bash
# PostgreSQL 15 from Debian, run as a private cluster under .cache/postgres on 127.0.0.1:5432.
COMPONENT=postgres
source "$(dirname "$0")/../lib.sh"

PG_BIN=/usr/lib/postgresql/15/bin
DATA="$CACHE/postgres/data"
SOCKET_DIR="$CACHE/postgres/run"
PORT=5432

# The server refuses to run as root; as root we run it as the Debian `postgres` user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if [ ! -x "$PG_BIN/postgres" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL 15 is missing; run: sudo apt-get install -y postgresql-15"
    log "installing PostgreSQL 15 from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
}

ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; }

psql_admin() { as_owner "$PG_BIN/psql" -v ON_ERROR_STOP=1 -q -h "$SOCKET_DIR" -p "$PORT" -U postgres "$@"; }

provision() {
  local db role password
  while read -r db role password; do
    [[ -z "$db" || "$db" == \#* ]] && continue
    psql_admin -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$role', '$password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '$role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db') \gexec
SQL
  done < "$ROOT/infra/postgres/databases.txt"
}

start() {
  install
  if live_pid postgres >/dev/null && ready; then log "already running"; provision; return; fi
  port_busy "$PORT" && die "port $PORT is busy (another PostgreSQL?); stop it first"
  mkdir -p "$SOCKET_DIR" "$(dirname "$DATA")"
  if [ "$(id -u)" = 0 ]; then chown postgres "$CACHE/postgres" "$SOCKET_DIR"; fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initialising a new cluster"
    as_owner "$PG_BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # Log to a file the owner can write; the shared log folder is linked to it.
  touch "$LOGS/postgres.log" && { [ "$(id -u)" = 0 ] && chown postgres "$LOGS/postgres.log" || true; }
  as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOGS/postgres.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$SOCKET_DIR \
     -c max_connections=200 -c shared_buffers=256MB -c fsync=on -c synchronous_commit=on" >/dev/null
  head -1 "$DATA/postmaster.pid" > "$RUN/postgres.pid"
  wait_until 30 "PostgreSQL" ready
  provision
  log "ready on 127.0.0.1:$PORT"
}

stop() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null || true
  fi
  rm -f "$RUN/postgres.pid"
  log "stopped"
}

status() { ready; }

"${1:?usage: run.sh install|start|stop|status}"
