# Two commands for a fresh machine: `make run` and `make test`. Both install what is missing and
# are idempotent (stamp files make the second run fast).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Listening address of `make run`: 127.0.0.1 (this machine only, no login) unless set, e.g.
# `make run ADDRESS=0.0.0.0` on the office network (login required; see docs/deploy.md).
ADDRESS ?= 127.0.0.1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-full slow lint typecheck pytest postgis deps assets browser demo bench bench-load clean lock hooks bundle install-offline bench-pushdown

run: deps
	$(PY) -m ui.serve --server.address $(ADDRESS) --server.port $(PORT) --server.headless true

test: deps browser lint typecheck pytest postgis

# `make test` and the slow checks it leaves out (tests marked `slow`, e.g. the whole hostile-file corpus,
# 4,500 files; `make test` runs a seeded sample of it). `make bench` runs them too.
test-full: test slow

slow: deps browser
	$(PY) -m pytest -m "slow and not postgres" -p no:cacheprovider

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

# Coverage of geo/ and ui/ with branches ([tool.coverage.*] in pyproject.toml) and its floor, combined over
# the workers: the tests run on every core (pytest-xdist; `make pytest PYTEST_WORKERS=0` runs them in one
# process). Each file goes whole to the next free worker (`--dist loadfile`), so a module-scoped store or
# Streamlit server is built once, not on both workers; `--no-loadscope-reorder` keeps the order of
# tests/conftest.py (the longest files first), so the workers do not end waiting on one long file.
COV_FAIL_UNDER ?= 90
PYTEST_WORKERS ?= auto
pytest: deps
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not postgres and not slow" --cov --cov-report=term --cov-fail-under=$(COV_FAIL_UNDER) --durations=25

# The same store tests against a real PostgreSQL + PostGIS: apt-installs postgresql-15-postgis-3 when
# missing, runs them in a throwaway cluster on a free port, and reports them skipped where impossible.
postgis: deps
	PY=$(PY) scripts/with_postgis.sh

demo: $(VENV)/.stamp
	$(PY) -m geo demo

bench: deps browser slow
	$(PY) scripts/bench_map.py
	$(PY) scripts/bench_rerun.py
	$(PY) scripts/bench_hotspots.py
	$(PY) scripts/bench_verdicts.py
	$(PY) scripts/bench_load.py $(LOAD_ARGS)
	$(PY) scripts/bench_scale.py $(SCALE_ARGS)

# Options of the scale benchmark (issue 14: stores of 10k/100k/1M incidents kept in /tmp/antt-bench-scale,
# /map in chromium against naive builds, 20 sessions; about 30 min), e.g.
# `make bench SCALE_ARGS="--quick --skip-concurrency"`; `--update-docs` writes its table into docs/performance.md.
SCALE_ARGS ?= --out test-artifacts/bench_scale.md

# Only the load benchmark: 20 logged-in browser sessions for 3 minutes unless LOAD_ARGS says otherwise,
# e.g. `make bench-load LOAD_ARGS="--sessions 5 --minutes 1"` (needs Debian's chromium: `make browser`).
LOAD_ARGS ?=
bench-load: deps browser
	$(PY) scripts/bench_load.py $(LOAD_ARGS)

# The pages with push-down on a store of your own (issue 14: the 10M PostGIS store of
# `scripts/bench_postgis.py --keep`), e.g. `make bench-pushdown PUSHDOWN_URL=postgresql+psycopg://u:p@host/antt_bench`.
PUSHDOWN_URL ?=
bench-pushdown: deps
	$(PY) scripts/bench_pushdown.py --url "$(PUSHDOWN_URL)"

# Offline install for an isolated network (docs/deploy.md). On a connected machine, `make bundle` writes
# $(DIST)/antt-bundle-YYYYMMDD.tar.gz: the app at HEAD (git archive), a wheel for every package of its
# requirements-dev.lock for this platform, and the npm assets of static/vendor. On the isolated machine,
# unpack it and run `make install-offline BUNDLE=…` in the unpacked folder: pip --no-index from the
# bundle's wheels, the assets copied, the stamps set; `make run` (and `make test`'s Python side) then
# need no network. scripts/check_offline_install.sh proves it here with pip and npm blocked.
DIST ?= dist
BUNDLE ?= offline
bundle: $(VENV)/.stamp
	$(PY) scripts/bundle.py build --out $(DIST)

install-offline:
	PYTHON=$(PYTHON) scripts/install_offline.sh "$(BUNDLE)"

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache test-artifacts/.coverage*
