# Two commands for a fresh machine: `make run` and `make test`. Both install what is missing and
# are idempotent (stamp files make the second run fast).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck pytest postgis deps assets browser demo bench clean lock hooks

run: deps
	$(PY) -m ui.serve --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

test: deps browser lint typecheck pytest postgis

deps: $(VENV)/.stamp static/vendor/.stamp

# Installs exactly what requirements-dev.lock pins (hash-checked, so nothing is resolved or chosen at
# install time and anything missing from the lock is an error); `pip check` confirms it is consistent.
$(VENV)/.stamp: requirements-dev.lock
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip check
	@touch $@

# Regenerates requirements-dev.lock from requirements.txt + requirements-dev.txt after editing either.
# Pins already in the lock are kept where the ranges allow; `make lock LOCK_ARGS=--upgrade` moves
# everything to the newest allowed, `LOCK_ARGS="--upgrade-package NAME"` one package. The target
# platform is fixed (Linux x86_64, CPython 3.11), so the lock is the same whoever runs it.
LOCK_CMD := uv pip compile requirements-dev.txt --python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes --no-header --quiet
LOCK_ARGS ?=
lock:
	@[ -x $(VENV)/bin/uv ] || { [ -x $(PY) ] || $(PYTHON) -m venv $(VENV); $(PY) -m pip install --quiet 'uv<1'; }
	$(VENV)/bin/$(LOCK_CMD) $(LOCK_ARGS) -o requirements-dev.lock
	{ echo '# Exact versions and hashes of everything `make deps` installs into .venv (Linux x86_64, CPython 3.11),'; \
	  echo '# generated from requirements.txt + requirements-dev.txt: edit those, not this. Regenerate with `make lock`:'; \
	  echo '#   $(LOCK_CMD) -o requirements-dev.lock'; \
	  cat requirements-dev.lock; } > requirements-dev.lock.tmp
	mv requirements-dev.lock.tmp requirements-dev.lock

# The same checks as `make lint typecheck` before each commit (.pre-commit-config.yaml, local hooks only).
hooks: $(VENV)/.stamp
	$(VENV)/bin/pre-commit install

static/vendor/.stamp: package.json package-lock.json scripts/install_assets.py geo/maps/assets.py $(VENV)/.stamp
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/install_assets.py
	@touch $@

# Debian's chromium for the real-browser tests (playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: $(VENV)/.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.stamp
	$(VENV)/bin/mypy geo ui pages dashboard.py

# Coverage of geo/ and ui/ with branches ([tool.coverage.*] in pyproject.toml) and its floor.
COV_FAIL_UNDER ?= 90
pytest: deps
	$(PY) -m pytest -m "not postgres" --cov --cov-report=term --cov-fail-under=$(COV_FAIL_UNDER)

# The same store tests against a real PostgreSQL + PostGIS: apt-installs postgresql-15-postgis-3 when
# missing, runs them in a throwaway cluster on a free port, and reports them skipped where impossible.
postgis: deps
	PY=$(PY) scripts/with_postgis.sh

demo: $(VENV)/.stamp
	$(PY) -m geo demo

bench: deps
	$(PY) scripts/bench_map.py
	$(PY) scripts/bench_hotspots.py
	$(PY) scripts/bench_verdicts.py

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache test-artifacts/.coverage*
