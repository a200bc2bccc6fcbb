#!/usr/bin/env bash
# Prove the offline install on this machine: unpack a bundle into a fresh folder, `make install-offline`
# there with a fresh venv and no network for pip or npm, then `make run` must serve the dashboard.
#
# Usage: scripts/check_offline_install.sh [BUNDLE.tar.gz]
#   Without an argument it runs `make bundle DIST=<tmp>` first (needs the network and the committed HEAD).
# Network: pip gets PIP_NO_INDEX=1 and no configuration file or find-links, npm an unreachable registry
# (npm_config_registry=http://127.0.0.1:9); where `unshare` may create a network namespace, the install
# and the server also run in one with only a loopback interface, so nothing can reach the network at all.
# Checks: `make -q deps` says nothing is left to install; /_stcore/health answers "ok"; / is Streamlit's
# page; a vendored Leaflet file is served; with Debian's chromium, a real session draws the overview and
# its map; the installed pytest, ruff and mypy run. Exit 0 when all pass.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/antt-offline-check.XXXXXX)
keep=${KEEP:-0}
cleanup() { [ "$keep" = 1 ] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

if [ $# -ge 1 ]; then
    bundle=$(realpath -- "$1")
else
    make -C "$repo" bundle DIST="$work/dist"
    bundle=$(ls -t "$work"/dist/antt-bundle-*.tar.gz | head -1)
fi
echo "== bundle: $bundle ($(du -h "$bundle" | cut -f1))"
tar -xzf "$bundle" -C "$work"
app=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'antt-bundle-*' | head -1)
[ -n "$app" ] || { echo "FAIL: the archive has no antt-bundle-*/ folder" >&2; exit 1; }
[ ! -e "$app/.venv" ] || { echo "FAIL: the bundle carries a .venv" >&2; exit 1; }

# No network for pip and npm, whatever this machine's configuration says.
export PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null npm_config_registry=http://127.0.0.1:9
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

inner=$(cat <<'EOF'
set -euo pipefail
cd "$APP"
if [ "${NETNS:-0}" = 1 ]; then ip link set lo up; fi
echo "== make install-offline (network: ${NETWORK})"
make install-offline BUNDLE="$BUNDLE"
make -q deps || { echo "FAIL: make deps still has work to do after install-offline" >&2; exit 1; }
echo "== make run PORT=$PORT"
setsid make run PORT="$PORT" >"$APP/run.log" 2>&1 &
server=$!
stop() { kill -TERM -- "-$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 1 180); do
    if [ "$(curl -fsS "http://127.0.0.1:$PORT/_stcore/health" 2>/dev/null)" = ok ]; then break; fi
    kill -0 "$server" 2>/dev/null || { cat "$APP/run.log"; echo "FAIL: make run exited" >&2; exit 1; }
    sleep 0.5
done
health=$(curl -fsS "http://127.0.0.1:$PORT/_stcore/health")
echo "GET /_stcore/health -> $health"
[ "$health" = ok ]
curl -fsS "http://127.0.0.1:$PORT/" -o "$APP/index.html"
grep -q '<div id="root">' "$APP/index.html" || { echo "FAIL: / is not the Streamlit page" >&2; exit 1; }
echo "GET / -> $(wc -c <"$APP/index.html") bytes, Streamlit's page"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/app/static/vendor/leaflet/leaflet.js")
echo "GET /app/static/vendor/leaflet/leaflet.js -> $code"
[ "$code" = 200 ]
if command -v chromium >/dev/null; then
    # A real session: the overview's title and its district map drawn from the bundled Leaflet.
    .venv/bin/python - "$PORT" <<'PY'
import shutil
import sys

from playwright.sync_api import sync_playwright

with sync_playwright() as pw:
    chrome = pw.chromium.launch(executable_path=shutil.which("chromium"), args=["--headless", "--no-sandbox", "--disable-gpu"])
    page = chrome.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"http://127.0.0.1:{sys.argv[1]}/", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Tổng quan").first.wait_for(timeout=180_000)
    for _ in range(360):
        try:
            if any(f.locator("path.antt-commune").count() for f in page.frames if f is not page.main_frame):
                break
        except Exception:  # frames detach while Streamlit reruns
            pass
        page.wait_for_timeout(500)
    else:
        raise SystemExit("FAIL: the overview's map was not drawn")
    print("browser: / drew its title and the district map from the bundled Leaflet")
PY
else
    echo "(no chromium here: the page was checked with curl only)"
fi
if grep -Eq 'npm ci|pip install' "$APP/run.log"; then echo "FAIL: make run installed something" >&2; exit 1; fi
stop
trap - EXIT
echo "== the test tools of the bundle"
.venv/bin/python -m pytest -q -p no:cacheprovider tests/scripts/test_bundle.py
.venv/bin/ruff --version
.venv/bin/mypy --version
EOF
)

export APP=$app BUNDLE=$bundle PORT=$port
if unshare -n true 2>/dev/null; then
    NETNS=1 NETWORK="none: network namespace with loopback only" unshare -n bash -c "$inner"
elif unshare -rn true 2>/dev/null; then
    NETNS=1 NETWORK="none: user and network namespace with loopback only" unshare -rn bash -c "$inner"
else
    NETNS=0 NETWORK="pip and npm blocked by environment only" bash -c "$inner"
fi
echo "PASS: offline install from $(basename "$bundle") serves the dashboard with no network"
