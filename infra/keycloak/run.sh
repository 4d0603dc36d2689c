#!/usr/bin/env bash
# Keycloak for the local stack: realm `jembatan` on http://localhost:8180, management
# (health) on 127.0.0.1:9180. Usage: run.sh install|start|stop|status
#
# Fast restarts:
# - the server image is built once (`kc.sh build`, redone only when BUILD_OPTS change) and
#   started with `start --optimized`;
# - the realm lives in a persistent H2 (dev-file) database and is imported on the first start
#   only. Keycloak never re-imports an existing realm, so the database is wiped whenever
#   realm-jembatan.json or a client secret changes;
# - on Java 25+ the JVM keeps an AOT cache of loaded and linked classes (JEP 483/514): the
#   first start records it, its graceful stop writes it, later starts load it.
# shellcheck disable=SC2034 # read by lib.sh's log()
COMPONENT=keycloak
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
KC_VERSION=26.7.3
KC_DIST_DIR="$CACHE/downloads"
KC_ZIP="$KC_DIST_DIR/keycloak-quarkus-dist-$KC_VERSION.zip"
KC_HOME="$CACHE/keycloak-$KC_VERSION"
KC_DB_DIR="$KC_HOME/data/h2" # the dev-file database's default location
REALM=jembatan
REALM_FILE="$HERE/realm-$REALM.json"
HTTP_PORT=8180
MGMT_PORT=9180
READY_URL="http://127.0.0.1:$MGMT_PORT/health/ready"
START_TIMEOUT=180
STOP_GRACE=60 # the stop after a recording start also writes the AOT cache (~20 s)

# Build-time options: changing them needs `kc.sh build` again (tracked by BUILD_STAMP).
BUILD_OPTS=(--db=dev-file --health-enabled=true --metrics-enabled=false)
BUILD_STAMP="$KC_HOME/.jembatan-build"

# Dev defaults for the `${...}` placeholders in the realm file; Keycloak resolves them from
# the environment at import time.
SECRET_VARS=(OFFICER_PORTAL_CLIENT_SECRET MINISTRY_INTEGRATION_CLIENT_SECRET
  PARTNER_BANK_NUSANTARA_CLIENT_SECRET PARTNER_DOMPET_RAKYAT_CLIENT_SECRET
  SERVICE_REFERRAL_CLIENT_SECRET SERVICE_NOTIFY_CLIENT_SECRET SERVICE_TRAINING_CLIENT_SECRET
  SERVICE_INDICATORS_CLIENT_SECRET SERVICE_CLIENT_CLIENT_SECRET SERVICE_ONBOARDING_CLIENT_SECRET)
export OFFICER_PORTAL_CLIENT_SECRET="${OFFICER_PORTAL_CLIENT_SECRET:-officer-portal-dev-secret}"
export MINISTRY_INTEGRATION_CLIENT_SECRET="${MINISTRY_INTEGRATION_CLIENT_SECRET:-ministry-dev-secret}"
export PARTNER_BANK_NUSANTARA_CLIENT_SECRET="${PARTNER_BANK_NUSANTARA_CLIENT_SECRET:-bank-nusantara-dev-secret}"
export PARTNER_DOMPET_RAKYAT_CLIENT_SECRET="${PARTNER_DOMPET_RAKYAT_CLIENT_SECRET:-dompet-rakyat-dev-secret}"
# Our own services' accounts (role `service`): the dev secrets are the services' defaults.
for svc in referral notify training indicators client onboarding; do
  var="SERVICE_${svc^^}_CLIENT_SECRET"
  export "$var=${!var:-dev-only-service-$svc-secret}"
done
# Used only when the master realm is created, i.e. on the first start after a database wipe.
export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"
export JAVA_OPTS_KC_HEAP="${JAVA_OPTS_KC_HEAP:--Xms256m -Xmx768m}"
# C1 only: on 2 cores the C2 compiler threads compete with start-up work. Measured: warm
# start 4.5 s instead of 6.6-8.8 s, logins ~0.2 s instead of ~0.1 s. Set KC_JIT_OPTS= (empty)
# for full tiered compilation.
KC_JIT_OPTS="${KC_JIT_OPTS--XX:TieredStopAtLevel=1}"

is_ready() { curl -fs -o /dev/null --max-time 2 "$READY_URL"; }

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

install() {
  if [ ! -f "$KC_ZIP" ]; then
    log "downloading keycloak-quarkus-dist $KC_VERSION from Maven Central"
    # Maven 3.8.7 prints stray colour codes even with -q -B: show its output only on failure.
    local out
    out="$(mvn_q "$MVN_DEP_PLUGIN:copy" -DoutputDirectory="$KC_DIST_DIR" \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" 2>&1)" \
      || { printf '%s\n' "$out" >&2; die "download failed"; }
  fi
  if [ ! -x "$KC_HOME/bin/kc.sh" ]; then
    # Unpack beside the target and move it in, so an interrupted unzip never looks installed.
    local tmp="$CACHE/.keycloak-unzip.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    unzip -q "$KC_ZIP" -d "$tmp"
    rm -rf "$KC_HOME" && mv "$tmp/keycloak-$KC_VERSION" "$KC_HOME" && rm -rf "$tmp"
    log "unpacked to $KC_HOME"
  fi
  # Keycloak 26 is compiled for Java 17 and runs on 21 and 25; lib.sh picks the newest LTS.
  local jh major
  jh="$(java_home)"; major="$(java_major "$jh")"
  [ "${major:-0}" -ge 17 ] || die "Keycloak $KC_VERSION needs Java 17 or newer; $jh is Java $major"
  log "installed (Java $major at $jh)"
}

# Re-augment the Quarkus image only when the build options differ from the last build.
build_if_needed() {
  local want="${BUILD_OPTS[*]}"
  if [ -f "$BUILD_STAMP" ] && [ "$(cat "$BUILD_STAMP")" = "$want" ]; then return 0; fi
  log "building the optimized server image: $want"
  rm -f "$KC_HOME"/jvm-*.aot
  JAVA_HOME="$(java_home)" "$KC_HOME/bin/kc.sh" build "${BUILD_OPTS[@]}" >>"$LOGS/keycloak.log" 2>&1 \
    || die "kc.sh build failed; see $LOGS/keycloak.log"
  echo "$want" >"$BUILD_STAMP"
}

# The realm file together with the secrets substituted into it at import time.
realm_hash() {
  local v
  { cat "$REALM_FILE"; for v in "${SECRET_VARS[@]}"; do echo "$v=${!v}"; done; } | sha256sum | cut -d' ' -f1
}

# Existing realms are skipped on import, so a changed realm file means starting from an
# empty database (the master admin is then re-created from KC_BOOTSTRAP_ADMIN_*).
reset_db_if_realm_changed() {
  local want have=""
  want="$(realm_hash)"
  [ -f "$KC_DB_DIR/realm.sha256" ] && have="$(cat "$KC_DB_DIR/realm.sha256")"
  if [ "$want" != "$have" ]; then
    [ -d "$KC_DB_DIR" ] && log "realm file or client secrets changed: wiping $KC_DB_DIR for a fresh import"
    rm -rf "$KC_DB_DIR"
  fi
  mkdir -p "$KC_DB_DIR"
  # Only this realm is imported; data/import must not hold stale files.
  rm -rf "$KC_HOME/data/import" && mkdir -p "$KC_HOME/data/import"
  cp "$REALM_FILE" "$KC_HOME/data/import/"
}

# JVM options for the AOT cache (Java 25+). The cache is only valid for the same JDK and JVM
# flags, so its name carries a hash of them; a missing cache makes this start a recording run.
aot_opts() {
  local jh="$1" key cache
  [ "$(java_major "$jh")" -ge 25 ] || return 0
  key="$({ "$jh/bin/java" -version 2>&1; echo "$JAVA_OPTS_KC_HEAP $KC_JIT_OPTS ${BUILD_OPTS[*]}"; } \
    | sha256sum | cut -c1-12)"
  cache="$KC_HOME/jvm-$key.aot"
  if [ -f "$cache" ]; then
    echo "-XX:AOTCache=$cache"
  else
    rm -f "$KC_HOME"/jvm-*.aot
    log "no AOT cache yet: this run records one, written when Keycloak is stopped"
    echo "-XX:AOTCacheOutput=$cache"
  fi
}

# kc.sh (26.7) does not exec java: it forks it, waits and forwards SIGTERM. Record the JVM
# itself, so that stop_pid's SIGKILL fallback cannot leave an orphaned JVM behind.
jvm_pid_of() {
  local launcher="$1" i child
  for ((i = 0; i < 50; i++)); do
    child="$(ps -o pid=,comm= --ppid "$launcher" 2>/dev/null | awk '$2 == "java" { print $1; exit }')"
    [ -n "$child" ] && { echo "$child"; return 0; }
    kill -0 "$launcher" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

start() {
  local pid
  if pid="$(live_pid keycloak)"; then
    if is_ready || wait_until "$START_TIMEOUT" "keycloak readiness" is_ready; then
      log "already running (pid $pid)"; return 0
    fi
    die "pid $pid is alive but not ready; see $LOGS/keycloak.log"
  fi
  port_busy "$HTTP_PORT" && die "port $HTTP_PORT is taken by another process"
  port_busy "$MGMT_PORT" && die "port $MGMT_PORT is taken by another process"

  install
  build_if_needed
  reset_db_if_realm_changed

  local jh jvm_opts t0=$EPOCHREALTIME launcher
  jh="$(java_home)"
  jvm_opts="${JAVA_OPTS_APPEND:+$JAVA_OPTS_APPEND }$KC_JIT_OPTS $(aot_opts "$jh")"
  printf '\n=== run.sh start %s\n' "$(date -Is)" >>"$LOGS/keycloak.log"
  # setsid: keep Keycloak out of the caller's process group, so a Ctrl-C in the terminal
  # that ran `make up` does not take it down.
  # UuidProcessId: Narayana's default process id holds a listening socket on a random port;
  # the stack binds nothing but 8180 and 9180.
  JAVA_HOME="$jh" JAVA_OPTS_APPEND="$jvm_opts" setsid "$KC_HOME/bin/kc.sh" start --optimized \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$HTTP_PORT" \
    --http-management-port="$MGMT_PORT" \
    --hostname="http://localhost:$HTTP_PORT" \
    --cache=local \
    --import-realm \
    -DCoreEnvironmentBean.processImplementationClassName=com.arjuna.ats.internal.arjuna.utils.UuidProcessId \
    </dev/null >>"$LOGS/keycloak.log" 2>&1 &
  launcher=$!
  pid="$(jvm_pid_of "$launcher")" || die "Keycloak exited at once; see $LOGS/keycloak.log"
  echo "$pid" >"$RUN/keycloak.pid"

  # Poll readiness, but give up as soon as the JVM dies instead of waiting out the timeout.
  local deadline=$((${t0%.*} + START_TIMEOUT))
  while ! is_ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOGS/keycloak.log" >&2; rm -f "$RUN/keycloak.pid"
      die "Keycloak died during start; see $LOGS/keycloak.log"
    fi
    if ((${EPOCHREALTIME%.*} >= deadline)); then
      stop_pid keycloak "$STOP_GRACE"
      die "not ready after ${START_TIMEOUT}s; see $LOGS/keycloak.log"
    fi
    sleep 0.5
  done
  realm_hash >"$KC_DB_DIR/realm.sha256"
  local took
  took="$(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')"
  log "ready in ${took}s (pid $pid): http://localhost:$HTTP_PORT/realms/$REALM"
}

stop() { stop_pid keycloak "$STOP_GRACE"; }

status() {
  local pid
  pid="$(live_pid keycloak)" || { log "not running"; return 1; }
  is_ready || { log "running (pid $pid) but not ready"; return 1; }
  log "running and ready (pid $pid)"
}

case "${1:-}" in
  install | start | stop | status) "$1" ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
