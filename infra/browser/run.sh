#!/usr/bin/env bash
# Debian's Chromium for the portal's browser tests (Playwright drives it; it never downloads
# a browser of its own). `install` is a no-op when it is already there.
COMPONENT=browser
source "$(dirname "$0")/../lib.sh"

install() {
  [ -x /usr/bin/chromium ] && return
  log "installing Debian's chromium (apt)"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || die "could not install chromium"
  log "installed $(/usr/bin/chromium --version 2>/dev/null)"
}

"${1:?usage: run.sh install}"
