#!/usr/bin/env bash
# Local Kafka: one KRaft node (broker + controller in one JVM), run from the Maven Central
# jars of pom.xml. Listeners (server.properties.in): 9092 anonymous (may do nothing), 9093
# controller, 9094 chaos, 9095 SCRAM (services) and PLAIN (admin), 9096 OAUTHBEARER (partners).
# Usage: run.sh install|start|stop|status|topics|access
COMPONENT=kafka
source "$(dirname "$0")/../lib.sh"

HERE="$ROOT/infra/kafka"
K="$CACHE/kafka"
LIBS="$K/libs"
STAMP="$K/libs.stamp"
DATA="$K/data"
CONF="$K/server.properties"
# This script, the tests and the operator's tools speak to the broker as its admin.
BOOTSTRAP=127.0.0.1:9095
ADMIN_USER=jembatan-admin
# Local-only secrets, like every other dev-only-* value of the stack.
ADMIN_PASSWORD="${KAFKA_ADMIN_PASSWORD:-dev-only-kafka-admin}"
BROKER_PASSWORD="${KAFKA_BROKER_PASSWORD:-dev-only-kafka-broker}"
ISSUER="${KAFKA_OAUTH_ISSUER:-http://localhost:8180/realms/jembatan}"
JWKS_URL="${KAFKA_OAUTH_JWKS_URL:-http://127.0.0.1:8180/realms/jembatan/protocol/openid-connect/certs}"
export KAFKA_ADMIN_USER="$ADMIN_USER" KAFKA_ADMIN_PASSWORD="$ADMIN_PASSWORD"
PY="${JEMBATAN_PYTHON:-$ROOT/.venv/bin/python}"
START_TIMEOUT=90
JWKS_TIMEOUT=240
STOP_GRACE=30

# The recorded pid, if it is still our broker: the pid file survives a reboot, when the
# same pid may belong to an unrelated process that must be neither waited for nor killed.
kafka_pid() {
  local p
  p="$(live_pid kafka)" || return 1
  if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q ' kafka\.Kafka '; then
    echo "$p"
    return 0
  fi
  rm -f "$RUN/kafka.pid"
  return 1
}

need_python() {
  [ -x "$PY" ] || die "no Python at $PY (create the venv with uv, or set JEMBATAN_PYTHON)"
}

# Copies the runtime jars only when they are missing or pom.xml changed, so a second run
# needs neither Maven nor the network.
cmd_install() {
  local want
  want="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  log "copying Kafka jars to $LIBS"
  # A fresh directory: jars of an older pom must not stay on the classpath.
  rm -rf "$LIBS" "$STAMP"
  mkdir -p "$K"
  # Maven's output is kept for failures only (even -q prints colour codes).
  if ! mvn_q -f "$HERE/pom.xml" "$MVN_DEP_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$K/install.log" 2>&1; then
    cat "$K/install.log" >&2
    die "copying the Kafka jars failed"
  fi
  echo "$want" >"$STAMP"
}

# One Python process polls, rather than one interpreter start per second: this is on the
# critical path of every start. Ready = a real metadata round trip. The client is only built
# once the port accepts connections: its bootstrap retries a refused connection until its
# timeout with growing backoff, which would add whole seconds. Gives up early if the broker
# process has died.
wait_ready() {
  local seconds="$1" pid="${2:-0}"
  "$PY" - "$BOOTSTRAP" "$seconds" "$pid" <<'EOF'
import logging, os, socket, sys, time
from kafka import KafkaAdminClient

logging.disable(logging.CRITICAL)  # connection errors while the broker boots are expected
bootstrap, seconds, pid = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
admin_login = dict(security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
                   sasl_plain_username=os.environ["KAFKA_ADMIN_USER"],
                   sasl_plain_password=os.environ["KAFKA_ADMIN_PASSWORD"])
host, port = bootstrap.rsplit(":", 1)
deadline = time.monotonic() + seconds


def round_trip():
    socket.create_connection((host, int(port)), timeout=1).close()
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="jembatan-ready",
                             bootstrap_timeout_ms=3000, request_timeout_ms=3000,
                             reconnect_backoff_max_ms=100, **admin_login)
    try:
        admin.describe_cluster()
    finally:
        admin.close()


while True:
    try:
        round_trip()
        sys.exit(0)
    except Exception:
        pass
    if pid:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit(2)
    if time.monotonic() >= deadline:
        sys.exit(1)
    time.sleep(0.1)
EOF
}

# The broker's token validator reads the realm's keys when it starts, and the broker does not
# start without them: wait for Keycloak (started beside Kafka by `make up`), every 0.2 s.
wait_for_jwks() {
  local deadline=$((SECONDS + JWKS_TIMEOUT)) said=""
  until curl -fsS -o /dev/null --max-time 2 "$JWKS_URL"; do
    [ -n "$said" ] || { log "waiting for Keycloak's keys at $JWKS_URL"; said=1; }
    [ "$SECONDS" -lt "$deadline" ] || die "no keys at $JWKS_URL after ${JWKS_TIMEOUT}s: start Keycloak (infra/keycloak/run.sh start)"
    sleep 0.2
  done
}

cmd_status() {
  local pid
  pid="$(kafka_pid)" || { log "not running"; return 1; }
  need_python
  if wait_ready 0; then
    log "running (pid $pid) on $BOOTSTRAP"
  else
    log "process $pid is up but the broker does not answer on $BOOTSTRAP"
    return 1
  fi
}

cmd_topics() {
  need_python
  "$PY" "$HERE/create_topics.py" --bootstrap "$BOOTSTRAP" "$HERE/topics.txt"
}

# The services' SCRAM users and everyone's ACLs, from deploy/k8s (access.py).
cmd_access() {
  need_python
  "$PY" "$HERE/access.py" --bootstrap "$BOOTSTRAP"
}

cmd_start() {
  local pid java_home java version major started rc cid
  need_python
  if pid="$(kafka_pid)"; then
    wait_ready "$START_TIMEOUT" "$pid" || die "process $pid is up but the broker never answered; see $LOGS/kafka.log"
    log "already running (pid $pid)"
    cmd_topics
    cmd_access
    return 0
  fi
  if port_busy 9092 || port_busy 9093; then
    die "port 9092 or 9093 is in use by another process (not started by this script)"
  fi
  cmd_install

  java_home="$(java_home)"
  java="$java_home/bin/java"
  [ -x "$java" ] || die "no java at $java"
  started=$EPOCHREALTIME
  mkdir -p "$DATA"
  # The passwords land in .cache only, readable by this user alone.
  (umask 077; sed -e "s#@DATA@#$DATA#" -e "s#@ADMIN_PASSWORD@#$ADMIN_PASSWORD#g" \
    -e "s#@BROKER_PASSWORD@#$BROKER_PASSWORD#g" -e "s#@ISSUER@#$ISSUER#" \
    -e "s#@JWKS_URL@#$JWKS_URL#" "$HERE/server.properties.in" >"$CONF")

  wait_for_jwks
  local cp="$LIBS/*"
  local log4j="-Dlog4j2.configurationFile=$HERE/log4j2.properties"
  # Format once: meta.properties marks formatted storage. A dynamic quorum
  # (controller.quorum.bootstrap.servers) needs --standalone for its first voter.
  if [ ! -f "$DATA/meta.properties" ]; then
    cid="$("$PY" -c 'import base64, uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')"
    log "formatting storage in $DATA (cluster id $cid)"
    JAVA_HOME="$java_home" "$java" "$log4j" -cp "$cp" kafka.tools.StorageTool \
      format -t "$cid" -c "$CONF" --standalone --ignore-formatted >>"$LOGS/kafka.log" 2>&1 \
      || die "storage format failed; see $LOGS/kafka.log"
  fi

  version="$("$java" -version 2>&1 | head -n 1)"
  major="$(sed -E 's/.*version "([0-9]+).*/\1/' <<<"$version")"
  # Options that depend on the JDK. 19+: keep a class-data archive of the broker's classes,
  # written at the first clean exit and rebuilt by the JVM itself when the JDK or the jars
  # change; on 2 cores a warm start drops from 3-6 s to about 2 s. Its dump warnings about
  # skipped proxy classes are noise, hence cds logging at error level. 23+: Kafka's own
  # jars still call sun.misc.Unsafe, which JDK 24+ warns about on every start.
  local jdk_opts=()
  if [ "$major" -ge 19 ] 2>/dev/null; then
    jdk_opts+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$K/kafka.jsa" "-Xlog:cds*=error")
  fi
  if [ "$major" -ge 23 ] 2>/dev/null; then
    jdk_opts+=(--sun-misc-unsafe-memory-access=allow)
  fi

  log "starting with $version"
  rm -f "$RUN/kafka.pid"
  printf '\n=== %s run.sh start ===\n' "$(date -Is)" >>"$LOGS/kafka.log"
  # setsid: the broker must outlive the calling shell and not get its terminal's signals.
  # The wrapper writes its own pid, then execs java, so the pid file holds the JVM's pid.
  # Heap 512 MiB (upstream default 1 GiB) is plenty for local use and tests.
  JAVA_HOME="$java_home" setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$RUN/kafka.pid" \
    "$java" -Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "${jdk_opts[@]}" \
    -Dkafka.logs.dir="$LOGS" "$log4j" \
    "-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=$JWKS_URL" \
    -cp "$cp" kafka.Kafka "$CONF" </dev/null >>"$LOGS/kafka.log" 2>&1 &
  # Polled every 50 ms (wait_until polls once a second): this is on the critical path.
  for _ in {1..100}; do [ -s "$RUN/kafka.pid" ] && break; sleep 0.05; done
  [ -s "$RUN/kafka.pid" ] || die "the broker did not start"
  pid="$(cat "$RUN/kafka.pid")"

  rc=0
  wait_ready "$START_TIMEOUT" "$pid" || rc=$?
  case $rc in
    0) log "ready on $BOOTSTRAP in $(awk -v s="$started" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1f", e - s }')s (pid $pid)" ;;
    2) tail -n 30 "$LOGS/kafka.log" >&2; rm -f "$RUN/kafka.pid"; die "the broker exited during start; see $LOGS/kafka.log" ;;
    *) tail -n 30 "$LOGS/kafka.log" >&2; stop_pid kafka "$STOP_GRACE"; die "not ready after ${START_TIMEOUT}s" ;;
  esac
  cmd_topics
  cmd_access
}

# SIGTERM makes the broker do a controlled shutdown (flush, close logs cleanly), so the
# next start does not need log recovery; SIGKILL only after the grace period.
cmd_stop() {
  kafka_pid >/dev/null || true
  stop_pid kafka "$STOP_GRACE"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  topics) cmd_topics ;;
  access) cmd_access ;;
  *) echo "usage: $0 install|start|stop|status|topics|access" >&2; exit 2 ;;
esac
