# Byline: `make run` for a local site, `make test` for the suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The first interpreter that runs and is Python 3.12+. On machines where pyenv's shims exist but
# fail (see README), pyenv's own installs are tried directly.
ifndef PYTHON
PYTHON := $(shell for c in python3.13 python3.12 python3 \
	$$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	$$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$c; break; }; done)
endif

.PHONY: help run test lint format migrations bench bench-search bench-import loadtest backup restore clean

help:
	@echo "make run     set up .venv, migrate, load demo content, serve on http://$(HOST):$(PORT)/"
	@echo "make test    install test dependencies and run the whole test suite"
	@echo "make lint    the pre-commit checks without changing files: ruff, django-upgrade, djade"
	@echo "make format  apply them: ruff's fixes and formatting, django-upgrade, djade"
	@echo "make bench N=10000 BENCH_SECONDS=20   N posts, then every page type under wrk against"
	@echo "                gunicorn (needs DATABASE_URL: scratch PostgreSQL database; see README)"
	@echo "make bench-search N=100000  search timed one at a time on N posts (DATABASE_URL: scratch"
	@echo "                PostgreSQL database), with the plans of its query"
	@echo "make bench-import N=10000   import throughput on generated files (scratch database!);"
	@echo "                WORDPRESS=1: on a generated WordPress export of N posts"
	@echo "make loadtest   60 s, 32 connections against gunicorn (needs DATABASE_URL: scratch"
	@echo "                PostgreSQL database, and REDIS_URL; see scripts/loadtest.py)"
	@echo "make backup  users, content and media into var/backups/byline-<time>.tar.gz"
	@echo "make restore FILE=...   restore a backup into a freshly migrated database"
	@echo "make clean   remove .venv and var/ (the SQLite database and uploads)"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Byline needs Python 3.12 or newer, and none was found." >&2; \
		echo "Install it (e.g. 'apt-get install python3.12 python3.12-venv', 'brew install python@3.13'" >&2; \
		echo "or 'pyenv install 3.13'), or name one: make PYTHON=/path/to/python3.12 ..." >&2; \
		exit 1; \
	fi
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml package.json | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@if command -v npm >/dev/null; then npm install --no-audit --no-fund --silent; \
	else echo "npm not found: the HTML validity test will be skipped (it needs npm and Java)"; fi
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	@# With DEBUG off, pages use the hashed names collectstatic writes (WhiteNoise's manifest).
	@if DEBUG=$${DEBUG:-1} $(BIN)/python -c 'import sys; from config.settings import DEBUG; sys.exit(DEBUG)'; then \
		echo "DEBUG is off: collecting static files"; \
		DEBUG=$${DEBUG:-1} $(BIN)/python manage.py collectstatic --no-input -v0; \
	fi
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py ensure_admin
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo
	@echo ""
	@echo "  Site:  http://$(HOST):$(PORT)/"
	@echo "  Admin: http://$(HOST):$(PORT)/admin/  (log in with the admin account above)"
	@echo "  A worker runs beside the server: imports, go-live deliveries (email to the console)."
	@echo ""
	@# The worker stops with the server (Ctrl-C).
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The hooks of .pre-commit-config.yaml, same tools and arguments, over the files pre-commit would
# give them (tracked or new, not ignored); `lint` only checks, `format` rewrites.
PY_FILES = $(wildcard $(shell git ls-files --cached --others --exclude-standard '*.py' '*.pyi'))
TEMPLATE_FILES = $(wildcard $(shell git ls-files --cached --others --exclude-standard 'templates/*.html'))

lint: $(VENV)/.installed-test
	@echo "django-upgrade --check, ruff check, ruff format --check (Python files); djade --check (templates)"
	@$(BIN)/django-upgrade --target-version 6.1 --check $(PY_FILES)
	@$(BIN)/ruff check --force-exclude $(PY_FILES)
	@$(BIN)/ruff format --force-exclude --check $(PY_FILES)
	@$(BIN)/djade --target-version 6.1 --check $(TEMPLATE_FILES)

format: $(VENV)/.installed-test
	@echo "django-upgrade, ruff check --fix, ruff format (Python files); djade (templates)"
	@$(BIN)/django-upgrade --target-version 6.1 --exit-zero-even-if-changed $(PY_FILES)
	@$(BIN)/ruff check --force-exclude --fix $(PY_FILES)
	@$(BIN)/ruff format --force-exclude $(PY_FILES)
	@$(BIN)/djade --target-version 6.1 $(TEMPLATE_FILES)

migrations: $(VENV)/.installed
	DEBUG=1 $(BIN)/python manage.py makemigrations

N ?= 10000
BENCH_SECONDS ?= 20
bench: $(VENV)/.installed
	@if [[ "$$DATABASE_URL" != postgres* ]]; then \
		echo "make bench loads N posts into the database it is given: set DATABASE_URL to a scratch" >&2; \
		echo "PostgreSQL database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/byline_bench" >&2; \
		exit 1; \
	fi
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk (or brew install wrk)" >&2; exit 1; }
	$(BIN)/python -m bench --posts $(N) --seconds $(BENCH_SECONDS)

bench-search: $(VENV)/.installed
	@if [[ "$$DATABASE_URL" != postgres* ]]; then \
		echo "make bench-search loads N posts into the database it is given: set DATABASE_URL to a" >&2; \
		echo "scratch PostgreSQL database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/byline_search" >&2; \
		exit 1; \
	fi
	$(BIN)/python scripts/bench_search.py $(N)

bench-import: $(VENV)/.installed
	@if [ -z "$$DATABASE_URL" ]; then rm -rf var/bench; fi
	BYLINE_VAR_DIR=$${BYLINE_VAR_DIR:-var/bench} DEBUG=1 $(BIN)/python manage.py migrate --no-input -v0
	BYLINE_VAR_DIR=$${BYLINE_VAR_DIR:-var/bench} DEBUG=1 $(BIN)/python scripts/bench_import.py $(N) $(if $(WORDPRESS),--wordpress)

loadtest: $(VENV)/.installed
	$(BIN)/python scripts/loadtest.py $(LOADTEST_ARGS)

backup: $(VENV)/.installed
	$(BIN)/python manage.py backup $(FILE)

restore: $(VENV)/.installed
	@if [ -z "$(FILE)" ]; then echo "Name the archive: make restore FILE=var/backups/byline-....tar.gz" >&2; exit 1; fi
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py restore $(FILE) $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) var
