#!/usr/bin/env bash
# Builds the images of deploy/images.txt from deploy/Dockerfile, the repository root as the
# build context. Usage: deploy/build-images.sh [TAG [SERVICE...]]   (TAG defaults to dev;
# without services, all of them), e.g. `deploy/build-images.sh dev client portal`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TAG="${1:-dev}"
shift || true
wanted=" $* "

while read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  read -ra args <<<"$line"
  service=""
  build_args=()
  for arg in "${args[@]}"; do
    [[ "$arg" == SERVICE=* ]] && service="${arg#SERVICE=}"
    build_args+=(--build-arg "$arg")
  done
  if [[ "$wanted" != "  " && "$wanted" != *" $service "* ]]; then
    continue
  fi
  echo "building jembatan/$service:$TAG" >&2
  docker build -f "$ROOT/deploy/Dockerfile" "${build_args[@]}" -t "jembatan/$service:$TAG" "$ROOT"
done <"$ROOT/deploy/images.txt"
