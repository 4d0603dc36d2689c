#!/usr/bin/env bash
# A real SMTP server (aiosmtpd) on 127.0.0.1:1025; mail lands in a Maildir under .cache/mail,
# one file per Message-ID (infra/smtp/maildir.py), so a resent email is stored once.
COMPONENT=smtp
source "$(dirname "$0")/../lib.sh"

PY="$ROOT/.venv/bin/python"
MAILDIR="$CACHE/mail"

ready() { "$PY" -c 'import smtplib; s = smtplib.SMTP("127.0.0.1", 1025, timeout=2); s.noop(); s.quit()'; }

install() { "$PY" -c 'import aiosmtpd' || die "aiosmtpd missing: run 'make install'"; }

start() {
  install
  if live_pid smtp >/dev/null && ready; then log "already running"; return; fi
  port_busy 1025 && die "port 1025 is busy"
  mkdir -p "$MAILDIR"/{tmp,new,cur}  # a Maildir (the handler makes it too; readers may look first)
  PYTHONPATH="$ROOT/infra/smtp" "$PY" -m aiosmtpd -n -l 127.0.0.1:1025 \
    -c maildir.MessageIdMaildir "$MAILDIR" >> "$LOGS/smtp.log" 2>&1 &
  echo $! > "$RUN/smtp.pid"
  wait_until 20 "SMTP" ready
  log "ready on 127.0.0.1:1025 (mail in $MAILDIR)"
}

stop() { stop_pid smtp 5; }

status() { ready; }

"${1:?usage: run.sh install|start|stop|status}"
