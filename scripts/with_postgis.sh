#!/usr/bin/env bash
# Run the PostgreSQL + PostGIS store tests (pytest -m postgres) against a real server.
#
# Installs postgresql-15 and postgresql-15-postgis-3 with apt-get when they are missing (as root, or
# with password-less sudo), starts a throwaway cluster on a free local port with pg_virtualenv, runs
# the tests with ANTT_TEST_POSTGRES_URL pointing at it, and drops the cluster afterwards.
# Where installing or starting PostgreSQL is impossible the same tests still run and report
# themselves as skipped, never as passed.
#
# Usage: scripts/with_postgis.sh [pytest arguments…]     (PY=… picks the Python, PGVER=… the version)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
PY=${PY:-.venv/bin/python}
PGVER=${PGVER:-15}
POSTGIS_CONTROL=/usr/share/postgresql/$PGVER/extension/postgis.control

missing=()
command -v pg_virtualenv >/dev/null || missing+=(postgresql-common)
[ -x "/usr/lib/postgresql/$PGVER/bin/postgres" ] || missing+=("postgresql-$PGVER")
[ -f "$POSTGIS_CONTROL" ] || missing+=("postgresql-$PGVER-postgis-3")
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  echo "with_postgis: installing ${missing[*]}" >&2
  if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2; then
    echo "with_postgis: could not install ${missing[*]}" >&2
  fi
fi

skipped() {
  echo "with_postgis: $1: the PostgreSQL tests are reported as skipped" >&2
  shift
  ANTT_TEST_POSTGRES_URL="" exec "$PY" -m pytest -m postgres "$@"
}

command -v pg_virtualenv >/dev/null && [ -f "$POSTGIS_CONTROL" ] || skipped "PostgreSQL/PostGIS not available" "$@"

marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
# shellcheck disable=SC2016  # expanded inside the throwaway cluster's environment
pg_virtualenv -v "$PGVER" bash -c '
  echo started > "$1"; shift
  py=$1; shift
  export ANTT_TEST_POSTGRES_URL="postgresql+psycopg://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/postgres"
  "$py" -m pytest -m postgres "$@"
' bash "$marker" "$PY" "$@"
status=$?
if [ "$status" -ne 0 ] && [ ! -s "$marker" ]; then
  skipped "pg_virtualenv could not start a cluster" "$@"
fi
exit "$status"
