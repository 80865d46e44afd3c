# Conduit Twins: one Makefile for both apps. Needs only python3, pip, node and npm.
#
#   make run          migrate, seed and serve Flask on :5000 and FastAPI on :8000 (Ctrl-C stops)
#   make test         lint, then the contract suite (TEST_POSTGRES_URL adds PostgreSQL)
#   make conformance  the public RealWorld Postman suite against both apps, live
#   make fuzz         Flask vs FastAPI parity fuzzing for FUZZ_MINUTES (default 10)
#   make bench-links  link previews under load, Flask (gunicorn) vs FastAPI (uvicorn), ~2 min
#   make load-smoke   the load runner at toy scale (every scenario, both apps, ceilings), ~2 min
#   make load         Flask vs FastAPI load comparison report (LOAD_ARGS="--sweep 1,10,50,100 ..."), ~8 min
#   make lint | migrate | seed | clean

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

# Where `pip install --user uv` puts uv.
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: help setup migrate seed run test lint conformance clean fuzz bench-links

help:
	@echo "targets: run, test, lint, conformance, migrate, seed, clean"
	@echo "help: done"

setup:
	@echo "setup: checking for uv"
	@if ! command -v uv >/dev/null 2>&1; then \
		echo "setup: uv not found, installing it with pip"; \
		python3 -m pip install --user --quiet --break-system-packages uv 2>/dev/null \
			|| python3 -m pip install --user --quiet uv \
			|| python3 -m pip install --quiet uv; \
	fi
	@echo "setup: $$(uv --version); uv sync --frozen (locked dependencies, dev group included)"
	@cd "$(ROOT)" && uv sync --frozen
	@echo "setup: done, environment in $(ROOT)/.venv"

migrate: setup
	@echo "migrate: alembic upgrade head on $${DATABASE_URL:-the default SQLite database conduit.db}"
	@cd "$(ROOT)" && uv run alembic upgrade head
	@echo "migrate: done, database schema at head"

seed: migrate
	@echo "seed: loading demo content"
	@cd "$(ROOT)" && uv run python -m shared.seed

run: seed
	@echo "run: starting Flask (gunicorn) on :5000 and FastAPI (uvicorn) on :8000"
	@cd "$(ROOT)" && scripts/run_apps.sh

lint: setup
	@echo "lint: ruff check, ruff format --check, mypy"
	@cd "$(ROOT)" && uv run ruff check .
	@cd "$(ROOT)" && uv run ruff format --check .
	@cd "$(ROOT)" && uv run mypy shared flask_app fastapi_app
	@echo "lint: passed"

test: setup lint
	@echo "test: contract suite (pytest contract_tests)$${TEST_POSTGRES_URL:+, on SQLite and PostgreSQL}"
	@cd "$(ROOT)" && uv run pytest contract_tests -n 2 --durations=5
	@echo "test: passed"

conformance: setup
	@echo "conformance: RealWorld Postman suite against both apps"
	@cd "$(ROOT)" && scripts/conformance.sh

fuzz: setup
	@echo "fuzz: generated parity tests, Flask vs FastAPI, for $${FUZZ_MINUTES:-10} minutes"
	@cd "$(ROOT)" && uv run python scripts/fuzz.py

bench-links: setup
	@echo "bench-links: link previews, Flask (gunicorn) vs FastAPI (uvicorn), upstream stand-in on 127.0.0.1"
	@cd "$(ROOT)" && uv run python -m loadtests.bench_links
	@echo "bench-links: done"

.PHONY: load-smoke
load-smoke: setup
	@echo "load-smoke: make load at toy scale (every scenario, Flask then FastAPI, wrk ceilings), then a check of its report"
	@cd "$(ROOT)" && uv run python -m loadtests.smoke $(LOAD_SMOKE_ARGS)
	@echo "load-smoke: done"

.PHONY: load-ceilings
load-ceilings: setup
	@echo "load-ceilings: req/s of raw WSGI/ASGI, bare Flask/FastAPI and both apps (wrk, 127.0.0.1)$${LOAD_DATABASE_URL:+, SQLite and PostgreSQL}"
	@cd "$(ROOT)" && uv run python -m loadtests.ceilings
	@echo "load-ceilings: done"

.PHONY: profile
profile: setup
	@echo "profile: pyinstrument, both apps in-process, text profiles in loadtests/reports/profiles/"
	@cd "$(ROOT)" && uv run python -m loadtests.profile
	@echo "profile: done"

clean:
	@echo "clean: removing .venv, SQLite databases, caches and newman"
	@cd "$(ROOT)" && rm -rf .venv .run scripts/newman/node_modules \
		.pytest_cache .mypy_cache .ruff_cache .hypothesis \
		*.db *.db-shm *.db-wal
	@cd "$(ROOT)" && find . -name __pycache__ -type d -prune -exec rm -rf {} +
	@echo "clean: done"

.PHONY: load
load: setup
	@echo "load: Flask vs FastAPI side by side: wrk ceilings (gunicorn, uvicorn, granian), then Locust mixed, reader, author, links, 30 s each, ~8 min"
	@cd "$(ROOT)" && uv run python -m loadtests compare $(LOAD_ARGS)
	@echo "load: done, report in loadtests/reports/<timestamp>/report.md and report.html"
