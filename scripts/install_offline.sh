#!/usr/bin/env bash
# Install the app's Python packages and front-end assets from an offline bundle, with no network
# (`make install-offline BUNDLE=…`; the bundle is written by `make bundle` on a connected machine).
#
# Usage: scripts/install_offline.sh BUNDLE     (run in the app folder, i.e. the unpacked bundle)
#   BUNDLE: the archive antt-bundle-YYYYMMDD.tar.gz, the folder it unpacks to, or that folder's offline/.
# Environment: PYTHON (default python3.11, else python3) creates .venv when it is missing.
#
# Steps: check the bundle (Python and platform, the lock it was made for, every file's sha256), then
# `pip install --no-index --find-links offline/wheels --require-hashes`, `pip check`, copy the assets
# into static/vendor, and set the stamps of `make deps` so that `make run` installs nothing more.
set -euo pipefail

fail() { echo "install-offline: $*" >&2; exit 1; }

bundle=${1:?"usage: $0 BUNDLE (antt-bundle-YYYYMMDD.tar.gz or its unpacked folder)"}
[ -e "$bundle" ] || fail "không thấy gói cài đặt / no bundle at '$bundle'"
bundle=$(realpath -- "$bundle")
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
VENV=.venv

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
if [ -f "$bundle" ]; then
    # An archive: unpack only its offline/ folder (the app files are those of this folder).
    tmp=$(mktemp -d)
    tar -xzf "$bundle" -C "$tmp" --wildcards '*/offline/*'
    dir=$(echo "$tmp"/*/offline)
elif [ -f "$bundle/MANIFEST.json" ]; then
    dir=$bundle
elif [ -f "$bundle/offline/MANIFEST.json" ]; then
    dir=$bundle/offline
else
    fail "'$bundle' không phải gói cài đặt ngoại tuyến (thiếu MANIFEST.json) / not an offline bundle"
fi
[ -f "$dir/MANIFEST.json" ] || fail "'$bundle' has no offline/MANIFEST.json"

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" scripts/bundle.py check "$dir" --lock requirements-dev.lock

"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
    --find-links "$dir/wheels" --require-hashes -r "$dir/requirements-offline.lock"
"$VENV/bin/python" -m pip check

rm -rf static/vendor
mkdir -p static
cp -R "$dir/vendor" static/vendor
# The order matters: static/vendor/.stamp depends on .venv/.stamp (see the Makefile).
touch "$VENV/.stamp"
touch static/vendor/.stamp
echo "install-offline: $(grep -c '"file"' "$dir/MANIFEST.json") Python packages and $(find static/vendor -type f ! -name .stamp | wc -l) asset files installed from $bundle; \`make run\` now needs no network."
