# Jembatan: `make up` runs the platform, `make test` runs every test. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .cache/tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
export UV_LINK_MODE := copy

.PHONY: help install up down test test-unit lint logs status bench fuzz chaos images

help:
	@echo "make up      start the whole platform with demo data (installs what is missing)"
	@echo "make test    run every test against the real stack (starts and stops what it needs)"
	@echo "make down    stop everything make up started"
	@echo "make lint    ruff, mypy, import-linter, gateway config validation"
	@echo "make logs    follow every process's log"
	@echo "make bench   bounded benchmarks on this machine (see benchmarks/README.md)"
	@echo "make fuzz    schemathesis on every API with the larger budget (100 examples, random seed)"
	@echo "make chaos   traffic under a seeded schedule of faults, effects compared with inputs"
	@echo "make images  build every container image (deploy/Dockerfile, deploy/images.txt)"

.cache/tools/bin/uv:
	python3 -m venv .cache/tools
	.cache/tools/bin/pip install -q uv==$(UV_VERSION)

# Python packages from uv.lock; Java artifacts through Maven (cached in ~/.m2 and .cache).
install: $(if $(shell command -v uv 2>/dev/null),,.cache/tools/bin/uv)
	$(UV) sync --all-packages --frozen --quiet
	infra/postgres/run.sh install
	infra/kafka/run.sh install
	infra/keycloak/run.sh install
	infra/gateway/run.sh install
	infra/smsprovider/run.sh install
	@[ -d tools/asyncapi/node_modules ] || npm ci --prefix tools/asyncapi --no-audit --no-fund --silent
	@tools/kubectl/install.sh >/dev/null
	infra/browser/run.sh install
	@$(MAKE) --no-print-directory web/src/portal/static/vendor/htmx.min.js

# The portal's front-end assets come from the npm registry (web/package-lock.json).
web/src/portal/static/vendor/htmx.min.js: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --silent
	mkdir -p $(@D) && cp web/node_modules/htmx.org/dist/htmx.min.js $@

up: install
	infra/up.sh

down:
	infra/down.sh

# The lint (with the import contracts) runs first: a layering break fails the build like a test.
test: install lint
	infra/test.sh

test-unit: install
	$(UV) run --frozen pytest -m "not integration" -q

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy shared/src services/client/src services/referral/src services/training/src services/notify/src services/indicators/src web/src ops/src
	$(UV) run --frozen lint-imports
	infra/gateway/run.sh validate >/dev/null

# The container images of deploy/k8s, tagged :dev (needs docker; deploy/k8s/README.md).
images:
	deploy/build-images.sh dev

logs:
	tail -F .cache/logs/*.log

status:
	infra/up.sh status

# wrk (the closed-loop load generator) and pgbench (the intake reference) come from Debian.
bench: up
	@command -v wrk >/dev/null || { echo "installing wrk from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	.venv/bin/python benchmarks/run.py

# The API fuzzing of `make test` with ten times its budget and a new seed each run; the stack
# must be up (`make up`). About 25 minutes on the 2-core development machine.
fuzz: up
	JEMBATAN_FUZZ_EXAMPLES=100 JEMBATAN_FUZZ_SEED=random .venv/bin/python -m pytest \
	  tests/security/test_api_fuzzing.py -q

# Traffic under faults (tests/chaos/run.py): CI size by default; nightly with
# CHAOS_ARGS="--requests 100000 --scale 15". Prints the figures, exits non-zero on a loss, a
# duplicate, no redelivery or a convergence over 60 s.
CHAOS_ARGS ?= --requests 20000 --scale 3
chaos: up
	PYTHONPATH=tests .venv/bin/python -m chaos.run $(CHAOS_ARGS)
