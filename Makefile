# Two commands for a fresh machine: `make run` and `make test`. Both install what is missing and
# are idempotent (stamp files make the second run fast).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck pytest postgis deps assets browser demo bench clean

run: deps
	$(PY) -m ui.serve --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

test: deps browser lint typecheck pytest postgis

deps: $(VENV)/.stamp static/vendor/.stamp

$(VENV)/.stamp: requirements.txt requirements-dev.txt
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

static/vendor/.stamp: package.json package-lock.json scripts/install_assets.py geo/maps/district.py $(VENV)/.stamp
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/install_assets.py
	@touch $@

# Debian's chromium for the real-browser tests (playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: $(VENV)/.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.stamp
	$(VENV)/bin/mypy geo

pytest: deps
	$(PY) -m pytest -m "not postgres"

# The same store tests against a real PostgreSQL + PostGIS: apt-installs postgresql-15-postgis-3 when
# missing, runs them in a throwaway cluster on a free port, and reports them skipped where impossible.
postgis: deps
	PY=$(PY) scripts/with_postgis.sh

demo: $(VENV)/.stamp
	$(PY) -m geo demo

bench: deps
	$(PY) scripts/bench_map.py
	$(PY) scripts/bench_hotspots.py

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache
