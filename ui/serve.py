"""Start Streamlit for ``dashboard.py`` with the v1 ``pages/`` fallback switched off.

Streamlit 1.67 treats a ``pages/`` folder beside the entry script as an old-style multipage app
until ``st.navigation`` has run once in the process: if the first session opens a page URL such
as ``/map``, it runs ``pages/map.py`` alone, without the router (no sidebar, no filters). Our
router always calls ``st.navigation``, so the fallback is never wanted; this launcher turns it
off before the first session. Usage: ``python -m ui.serve [streamlit run options]``.

It answers only requests whose ``Host`` header names the app (`allowed_hosts`, setting
``ANTT_ALLOWED_HOSTS``): 403 to any other, page, file or WebSocket alike, so a web page that
rebinds its own name to this machine (DNS rebinding) can neither read the incidents nor act.

It answers the imported basemap's tiles itself at ``BASEMAP_TILE_PATH/{z}/{x}/{y}`` (`BasemapTiles`,
read from the MBTiles or PMTiles file by `geo.maps.basemap.read_tile`), so every map draws its base
with no internet: Streamlit's static folder holds code, not data, and caps a file at 200 MB.

It also refuses to listen beyond localhost (``--server.address``, ``STREAMLIT_SERVER_ADDRESS`` or
``.streamlit/config.toml``) while the store has no active admin: the dashboard would then ask every
visitor for a login nobody can give, or — started some other way — be open to the whole network.

It lets the browser keep a component's content-hashed files (``main.521860b0.js`` of st_folium's
iframe, `ComponentCache`) for a year: Streamlit sends them with a bare ``Cache-Control: public``
and no validator, so every new map iframe fetched (and the server read and compressed) them again.

It runs NumPy's BLAS on one thread unless the environment says otherwise (``OPENBLAS_NUM_THREADS``,
``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``, set before NumPy is loaded): the server's matrices are
small and its sessions share the cores, where BLAS threads cost more CPU than they save.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # before anything imports NumPy (see the module's doc)

import ipaddress  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

from sqlalchemy.engine import make_url  # noqa: E402
from streamlit import config  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.web import cli  # noqa: E402

from geo import AppError, settings  # noqa: E402
from geo.auth.sessions import login_required  # noqa: E402
from geo.auth.users import has_admin  # noqa: E402
from geo.maps import basemap  # noqa: E402
from geo.store.store import Store  # noqa: E402
from geo.words import word  # noqa: E402

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")

ALLOWED_HOSTS_ENV = "ANTT_ALLOWED_HOSTS"
"""Setting: the names the app is served under, comma-separated (``antt.conganvinhloc.vn,*.cax.vn``).

Unset: localhost, the bind address and this machine's host names. Either way the loopback names
and any IP address are accepted (rebinding needs a name), and ``*.domain`` matches its subdomains.
"""

_LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def allowed_hosts(address: str | None, env: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """Return the host names the app answers (lower case): `ALLOWED_HOSTS_ENV`, or the defaults."""
    configured = [name.strip().lower().rstrip(".") for name in env.get(ALLOWED_HOSTS_ENV, "").split(",")]
    names = [name for name in configured if name]
    if not names:
        names = [socket.gethostname().lower(), socket.getfqdn().lower()]
        if address and not address.startswith("unix://"):  # a name to bind; an IP passes anyway
            names.append(address.lower())
    return tuple(dict.fromkeys([*_LOCAL_NAMES, *names]))


def host_allowed(host: str | None, allowed: Sequence[str]) -> bool:
    """Return whether a request's ``Host`` header (port ignored) names the app.

    An IP address is always accepted: a browser sends one only when its user typed it, and a page
    from elsewhere cannot read or drive such an origin (DNS rebinding needs a name).
    """
    if not host:
        return False
    try:
        parsed = urlparse(f"//{host}")
        name = parsed.hostname
        _ = parsed.port  # a port that is not a number is refused
    except ValueError:
        return False
    if name is None or parsed.username or parsed.password or parsed.path or parsed.query or parsed.fragment:
        return False
    name = name.lower().rstrip(".")
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    for pattern in allowed:
        if pattern in ("*", name) or (pattern.startswith("*.") and name.endswith(pattern[1:])):
            return True
    return False


class HostGuard:
    """ASGI middleware: answer 403 to a request (HTTP or WebSocket) whose ``Host`` is not allowed."""

    def __init__(self, app: ASGIApp, allowed: Sequence[str]) -> None:
        self.app = app
        self.allowed = tuple(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass an allowed request on; refuse any other before Streamlit sees it."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"host")
        host = raw.decode("latin-1") if raw is not None else None
        if host_allowed(host, self.allowed):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: the server answers 403
            return
        body = word("serve.forbidden_host", "vi", host=host or "").encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


_TILE_PATH = re.compile(
    re.escape(settings.BASEMAP_TILE_PATH) + r"/(\d{1,2})/(\d{1,7})/(\d{1,7})(?:\.\w{1,5})?"
)


class BasemapTiles:
    """ASGI middleware: answer ``BASEMAP_TILE_PATH/{z}/{x}/{y}`` from the imported basemap file.

    A tile the file does not hold is a 404 (raster: Leaflet leaves the place empty) or an empty
    204 (vector: an empty tile). The ``?v=`` of the URL changes with every import, so a tile may be
    cached for a day.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a tile request; pass anything else on."""
        matched = _TILE_PATH.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        if matched is None or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        from anyio import to_thread

        z, x, y = (int(part) for part in matched.groups())
        found = basemap.current()
        data = None
        if found is not None:
            data = await to_thread.run_sync(basemap.read_tile, found, z, x, y)
        if data is None:
            status = 204 if found is not None and found.vector else 404
            headers = [(b"content-length", b"0"), (b"cache-control", b"no-cache")]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        assert found is not None
        kind = basemap.TILE_TYPES[found.tile_type].encode()
        headers = [
            (b"content-type", kind),
            (b"content-length", str(len(data)).encode()),
            (b"cache-control", b"private, max-age=86400"),
            (b"x-content-type-options", b"nosniff"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else data})


_HASHED_COMPONENT_FILE = re.compile(
    r"(?:^|/)component/[^/]+/(?:[^?#]*/)?[^/]+\.[0-9a-f]{8,}(?:\.chunk)?\.(?:js|css)"
)
"""A component file whose name carries its content's hash (a front-end build's ``main.521860b0.js``)."""

IMMUTABLE = b"public, max-age=31536000, immutable"


class ComponentCache:
    """ASGI middleware: a component's content-hashed file may be kept by the browser for a year.

    Streamlit answers component files with ``Cache-Control: public`` (no lifetime, no validator), so
    each new iframe of a map (st_folium replaces it whenever the map changes) fetched its script again.
    A file whose name carries its content's hash changes name when it changes: `IMMUTABLE` is safe. The
    component's page (``index.html``) keeps Streamlit's ``no-cache``; other files are left as they are.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; on a 200 for a hashed component file, send `IMMUTABLE` instead."""
        if scope["type"] != "http" or not _HASHED_COMPONENT_FILE.search(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = [(k, v) for k, v in message.get("headers") or [] if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", IMMUTABLE)]}
            await send(message)

        await self.app(scope, receive, send_cached)


def guard_hosts(allowed: Sequence[str]) -> None:
    """Put `HostGuard`, `BasemapTiles` and `ComponentCache` in front of Streamlit's own middleware (Streamlit 1.67's Starlette server)."""
    from starlette.middleware import Middleware
    from streamlit.web.server.starlette import starlette_app

    original = starlette_app.create_streamlit_middleware
    if getattr(original, "antt_guarded", False):
        return

    def with_guard() -> list[Middleware]:
        return [
            Middleware(HostGuard, allowed=tuple(allowed)),
            Middleware(BasemapTiles),
            Middleware(ComponentCache),
            *original(),
        ]

    with_guard.antt_guarded = True  # type: ignore[attr-defined]
    starlette_app.create_streamlit_middleware = with_guard


def listen_address(argv: Sequence[str]) -> str | None:
    """Return the address Streamlit will bind: the command line, then the environment, then config.toml."""
    for index, arg in enumerate(argv):
        if arg == "--server.address" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--server.address="):
            return arg.partition("=")[2]
    if "STREAMLIT_SERVER_ADDRESS" in os.environ:
        return os.environ["STREAMLIT_SERVER_ADDRESS"]
    value = config.get_option("server.address")
    return None if value is None else str(value)


def refusal(address: str | None, *, lang: str = "vi") -> str | None:
    """Return why the app must not listen on ``address`` (no admin in the store yet), or None."""
    if not login_required(address):
        return None
    try:
        store = Store.open()
        if has_admin(store):
            return None
    except AppError as error:
        return str(error)
    shown = make_url(store.url).render_as_string(hide_password=True)
    return word("auth.serve_no_admin", lang, address=address or "*", store=shown)


def upload_limit(argv: Sequence[str]) -> list[str]:
    """Return ``--server.maxUploadSize`` for the app's import limit unless the command line sets it.

    The app's largest limit (`geo.settings.IMPORT_MAX_BYTES`, ``ANTT_IMPORT_MAX_MB``, or the basemap
    file's `geo.settings.BASEMAP_MAX_BYTES`): Streamlit then refuses a larger upload before it is
    received; each uploader states its own limit and its importer checks it.

    >>> upload_limit(["--server.port", "8501"])[0].startswith("--server.maxUploadSize=")
    True
    >>> upload_limit(["--server.maxUploadSize", "10"])
    []
    """
    if any(arg.startswith("--server.maxUploadSize") for arg in argv):
        return []
    largest = max(settings.IMPORT_MAX_BYTES, settings.BASEMAP_MAX_BYTES)  # a basemap file is larger
    megabytes = max(1, -(-largest // (1024 * 1024)))
    return [f"--server.maxUploadSize={megabytes}"]


def main() -> int:
    """Run ``streamlit run dashboard.py`` with the remaining command-line options."""
    address = listen_address(sys.argv[1:])
    problem = refusal(address)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    guard_hosts(allowed_hosts(address))
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", ENTRY, *sys.argv[1:], *upload_limit(sys.argv[1:])]
    return int(cli.main() or 0)


if __name__ == "__main__":
    raise SystemExit(main())
