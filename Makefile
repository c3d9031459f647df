# Clientele: every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= uv
PYTEST_ARGS ?=
# make run REPLICAS="loyalty=3 gateway=2": processes per service (default 1 each)
REPLICAS ?=

.PHONY: help uv deps lint test test-fast run infra-up infra-down infra-status schemas clean bench reliability vendor chromium helm

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

uv: ## install uv from PyPI when the machine lacks it
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --user --quiet uv

deps: uv ## install the pinned Python dependencies (uv.lock)
	$(UV) sync --frozen --quiet

lint: deps ## ruff (lint + format check) and mypy --strict
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

infra-up: ## start local Kafka + FerretDB (idempotent)
	bash infra/local.sh up

infra-down: ## stop the local Kafka + FerretDB this project started
	bash infra/local.sh down

infra-status: ## show the local infrastructure
	bash infra/local.sh status

test: lint infra-up chromium helm ## lint, then unit + integration + e2e + reliability (short) on real infra
	$(UV) run pytest -p no:cacheprovider $(PYTEST_ARGS)

test-fast: deps helm ## unit and contract tests only (no Kafka or store; helm for the chart)
	$(UV) run pytest tests/unit tests/contracts -q

run: deps infra-up ## run everything locally with demo data; prints the console URL (REPLICAS="loyalty=2 gateway=2")
	REPLICAS="$(REPLICAS)" $(UV) run python infra/run_all.py

bench: deps infra-up ## ratio benchmarks vs raw baselines; tables + plot in bench/results/ (BENCH=consumer|http|loyalty|tracing|flatness)
	$(UV) run python -m bench $(BENCH)

reliability: deps infra-up ## the full fault-injection suite (RELIABILITY_FULL=1), printing its figures
	RELIABILITY_FULL=1 $(UV) run pytest tests/reliability -p no:cacheprovider -s -q --timeout 3600 $(PYTEST_ARGS)

clean: ## remove caches in the clone (not the user-level infra cache)
	rm -rf .pytest_cache .mypy_cache .ruff_cache test-artifacts

vendor: ## refresh the console's vendored HTMX and Swagger UI from the npm registry
	bash services/gateway/static/vendor/refresh.sh

# helm for the chart's tests (tests/contracts/test_helm.py reads it from the same place),
# built once from its Go module with the Go toolchain, no prebuilt download.
HELM_VERSION := v3.22.0
HELM_DIR := $(or $(CLIENTELE_CACHE),$(HOME)/.cache/clientele)/helm-$(HELM_VERSION)

helm: ## build helm (v3.22.0) into ~/.cache/clientele once, for the chart's tests (minutes)
	@test -x $(HELM_DIR)/helm || (echo "building helm $(HELM_VERSION) (once)..." && \
		GOBIN=$(HELM_DIR) GOFLAGS=-buildvcs=false go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION))

chromium: ## Debian's Chromium for the console's browser tests (Playwright downloads no browser)
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
