"""ui.serve: a component's content-hashed files are kept by the browser (`ComponentCache`); BLAS on one thread."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ui.serve import IMMUTABLE, ComponentCache

ROOT = Path(__file__).resolve().parents[2]
JS = "/component/streamlit_folium.st_folium/static/js/main.521860b0.js"


def _get(path: str, status: int = 200, cache: bytes = b"public") -> tuple[dict[bytes, bytes], bytes, int]:
    """Send one request through the middleware to an app answering ``status``; return headers, body, header count."""
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"text/javascript"), (b"cache-control", cache)]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"js"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": []}
    asyncio.run(ComponentCache(app)(scope, receive, send))
    headers = sent[0]["headers"]
    return dict(headers), sent[1]["body"], len([k for k, _ in headers if k == b"cache-control"])


def test_a_hashed_component_script_is_immutable_and_its_body_unchanged() -> None:
    headers, body, count = _get(JS)
    assert (headers[b"cache-control"], headers[b"content-type"], body, count) == (
        IMMUTABLE,
        b"text/javascript",
        b"js",
        1,
    )
    assert _get("/base/component/x.y/static/css/main.0123abcd.chunk.css")[0][b"cache-control"] == IMMUTABLE


def test_the_component_page_other_files_and_errors_keep_streamlits_headers() -> None:
    for path in (
        "/component/streamlit_folium.st_folium/index.html",
        "/component/streamlit_folium.st_folium/",
        "/component/streamlit_folium.st_folium/bootstrap.min.css",  # no hash in its name: it may change
        "/app/static/vendor/leaflet/main.521860b0.js",  # not a component's file
        "/static/js/main.521860b0.js",
    ):
        assert _get(path, cache=b"no-cache")[0][b"cache-control"] == b"no-cache", path
    assert _get(JS, status=404, cache=b"no-cache")[0][b"cache-control"] == b"no-cache"


def test_the_launcher_puts_it_in_front_of_streamlit() -> None:
    from streamlit.web.server.starlette import starlette_app

    from ui.serve import guard_hosts

    original = starlette_app.create_streamlit_middleware
    try:
        guard_hosts(("localhost",))
        classes = [m.cls for m in starlette_app.create_streamlit_middleware()]
    finally:
        starlette_app.create_streamlit_middleware = original
    assert ComponentCache in classes[:3]


def test_the_server_runs_blas_on_one_thread_unless_told_otherwise() -> None:
    probe = (
        "import json, ui.serve, numpy, threadpoolctl; "
        "print(json.dumps([i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas']))"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    threads = json.loads(found.stdout.strip().splitlines()[-1])
    assert threads
    assert set(threads) == {1}
    env["OPENBLAS_NUM_THREADS"] = "2"
    told = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(told.stdout.strip().splitlines()[-1]) == [2]
