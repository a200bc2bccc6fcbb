"""The Host allowlist of ui.serve (DNS rebinding): which names the app answers, and the 403 itself."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import pytest

from ui.serve import HostGuard, allowed_hosts, host_allowed, upload_limit


def test_by_default_the_machine_and_its_bind_address() -> None:
    names = allowed_hosts("antt.local", env={})
    assert names[:3] == ("localhost", "127.0.0.1", "::1")
    assert socket.gethostname().lower() in names
    assert "antt.local" in names


def test_the_setting_replaces_the_defaults_but_keeps_loopback() -> None:
    names = allowed_hosts("0.0.0.0", env={"ANTT_ALLOWED_HOSTS": " ANTT.CongAn.vn. , *.cax.vn ,"})
    assert names == ("localhost", "127.0.0.1", "::1", "antt.congan.vn", "*.cax.vn")


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("antt.congan.vn", True),
        ("ANTT.congan.vn:8501", True),
        ("antt.congan.vn.", True),
        ("pc06.cax.vn", True),
        ("cax.vn", False),  # *.cax.vn is its subdomains only
        ("evilcax.vn", False),
        ("localhost:8501", True),
        ("10.0.0.5:8501", True),  # an address: typed by the user, not a rebinding name
        ("[::1]:8501", True),
        ("evil.example", False),
        ("antt.congan.vn.evil.example", False),
        ("localhost.evil.example", False),
        ("user@antt.congan.vn", False),
        ("antt.congan.vn:port", False),
        ("antt.congan.vn/x", False),
        ("", False),
        (None, False),
    ],
)
def test_host_header(host: str | None, ok: bool) -> None:
    allowed = allowed_hosts(None, env={"ANTT_ALLOWED_HOSTS": "antt.congan.vn,*.cax.vn"})
    assert host_allowed(host, allowed) is ok


def _call(kind: str, host: bytes | None) -> tuple[list[dict[str, Any]], bool]:
    reached: list[bool] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    async def receive() -> dict[str, Any]:
        return {}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    headers = [] if host is None else [(b"host", host)]
    guard = HostGuard(app, ("localhost",))
    # A thread of its own: under the browser tests this thread already runs playwright's event loop.
    worker = threading.Thread(
        target=asyncio.run, args=(guard({"type": kind, "headers": headers}, receive, send),)
    )
    worker.start()
    worker.join(timeout=30)
    return sent, bool(reached)


def test_the_guard_refuses_pages_and_websockets_before_streamlit() -> None:
    sent, reached = _call("http", b"evil.example")
    assert not reached
    assert sent[0]["status"] == 403
    assert "evil.example" in sent[1]["body"].decode()
    sent, reached = _call("websocket", b"evil.example")
    assert not reached
    assert sent == [{"type": "websocket.close", "code": 1008}]
    assert _call("http", None)[1] is False
    assert _call("http", b"localhost:8501") == ([], True)
    assert _call("lifespan", None) == ([], True)


def test_the_server_will_not_start_on_a_broken_store(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Served beyond localhost on a truncated store: the store's message, not a new store or a traceback."""
    from ui.serve import refusal

    path = tmp_path / "antt.sqlite"
    path.write_bytes(b"")
    monkeypatch.setenv("ANTT_DATABASE_URL", f"sqlite:///{path}")
    problem = refusal("0.0.0.0")
    assert problem is not None
    assert "rỗng (0 byte)" in problem
    assert path.stat().st_size == 0


def test_uploads_are_limited_to_the_app_s_own_import_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import settings

    monkeypatch.setattr(settings, "IMPORT_MAX_BYTES", 120 * 1024 * 1024)
    monkeypatch.setattr(settings, "BASEMAP_MAX_BYTES", 80 * 1024 * 1024)
    assert upload_limit(["--server.port", "8501"]) == ["--server.maxUploadSize=120"]
    assert upload_limit(["--server.maxUploadSize=5"]) == []
    monkeypatch.setattr(settings, "BASEMAP_MAX_BYTES", 300 * 1024 * 1024)  # a basemap file is larger
    assert upload_limit([]) == ["--server.maxUploadSize=300"]
