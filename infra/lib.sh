# Helpers sourced by every infra/<component>/run.sh. Each component script answers
# `install` (download/cache only), `start` (idempotent: a running component is left alone),
# `stop` (graceful, then forceful) and `status` (exit 0 when running and ready).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
LOGS="$CACHE/logs"
RUN="$CACHE/run"
mkdir -p "$CACHE" "$LOGS" "$RUN"

log() { printf '\033[1m[%s]\033[0m %s\n' "${COMPONENT:-infra}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The pid recorded for a component, if that process is alive.
live_pid() {
  local f="$RUN/$1.pid" p
  [ -f "$f" ] || return 1
  p="$(cat "$f")"
  kill -0 "$p" 2>/dev/null && { echo "$p"; return 0; }
  rm -f "$f"; return 1
}

port_busy() { ss -ltnH "( sport = :$1 )" 2>/dev/null | grep -q .; }

# wait_until <seconds> <description> <command...>: polls once a second.
wait_until() {
  local limit="$1" what="$2"; shift 2
  local i
  for ((i = 0; i < limit; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "timed out after ${limit}s waiting for $what"
  return 1
}

# stop_pid <name> [grace seconds]: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local name="$1" grace="${2:-30}" p i
  p="$(live_pid "$name")" || { log "$name not running"; return 0; }
  kill -TERM "$p" 2>/dev/null || true
  for ((i = 0; i < grace; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
  if kill -0 "$p" 2>/dev/null; then log "$name ignored SIGTERM; killing"; kill -KILL "$p" 2>/dev/null || true; fi
  rm -f "$RUN/$name.pid"
  log "$name stopped"
}

# The JDK used for Kafka and Keycloak: the newest LTS under /usr/lib/jvm that is >= 21,
# else the default java (17). Override with JEMBATAN_JAVA_HOME.
java_home() {
  if [ -n "${JEMBATAN_JAVA_HOME:-}" ]; then echo "$JEMBATAN_JAVA_HOME"; return; fi
  local d
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
    [ -x "$d/bin/java" ] && { echo "$d"; return; }
  done
  dirname "$(dirname "$(readlink -f "$(command -v java)")")"
}

# Maven with a pinned dependency plugin (Maven 3.8.7 would otherwise pick 2.8).
MVN_DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
mvn_q() { mvn -q -B "$@"; }
