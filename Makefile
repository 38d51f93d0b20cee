# Everything a person runs. `make run` serves the demo; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
BIND ?= 127.0.0.1:8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: help .venv run test test-pg test-browser lint format reset-demo migrate messages bench

help:
	@echo "make run           migrate, load the demo, serve it on http://$(BIND)/"
	@echo "make test          the whole suite on SQLite (browser tests skip without Chromium)"
	@echo "make test-pg       the whole suite on PostgreSQL (PG_URL, default $(PG_URL))"
	@echo "make test-browser  the browser tests only"
	@echo "make lint          ruff, ruff format --check, makemigrations --check"
	@echo "make format        ruff format and ruff check --fix"
	@echo "make reset-demo    delete the demo's data and load it again (demo mode only)"
	@echo "make migrate       apply migrations"
	@echo "make messages      compile translations (needs gettext's msgfmt)"
	@echo "make bench         statistics at scale, import/export and a 50-user load test, on SQLite and PostgreSQL (BENCH_SCALE=province for a smaller statistics run)"

# The virtualenv, rebuilt only when pyproject.toml changes.
.venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@python=$$(command -v python3.11 || command -v python3 || true); \
	if [ -z "$$python" ]; then echo "Python 3.11 is required" >&2; exit 1; fi; \
	if ! $$python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
		echo "Python 3.11 is required; found $$($$python -V)" >&2; exit 1; fi; \
	if [ ! -x $(PY) ]; then $$python -m venv $(VENV); fi
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@touch $@

migrate: .venv
	$(MANAGE) migrate --noinput

run: migrate
	$(MANAGE) load_demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo
	@echo "bangfu is at http://$(BIND)/  (Ctrl-C stops it)"
	$(VENV)/bin/gunicorn bangfu.wsgi -b $(BIND) -w 2 --worker-class sync

test: .venv
	$(VENV)/bin/pytest -q -n 2

test-pg: .venv
	DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -q -n 2

test-browser: .venv
	$(VENV)/bin/pytest -q bangfu/e2e

lint: .venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: .venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

reset-demo: migrate
	$(MANAGE) reset_demo --noinput

# Catalogues live in bangfu/locale; until one exists there is nothing to compile.
messages: .venv
	@if compgen -G "bangfu/locale/*/LC_MESSAGES/*.po" >/dev/null; then \
		$(MANAGE) compilemessages --ignore "$(VENV)/*"; \
	else echo "no translation catalogues in bangfu/locale yet"; fi

# Generates (or reuses) the data set in var/bench/ and the bangfu_bench_<scale> database.
bench: .venv
	$(PY) -m bangfu.scale.bench $(if $(BENCH_SCALE),--scale $(BENCH_SCALE))
	$(PY) -m bangfu.scale.bench_io
	$(PY) -m bangfu.scale.load
