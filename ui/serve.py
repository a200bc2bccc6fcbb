"""Start Streamlit for ``dashboard.py`` with the v1 ``pages/`` fallback switched off.

Streamlit 1.67 treats a ``pages/`` folder beside the entry script as an old-style multipage app
until ``st.navigation`` has run once in the process: if the first session opens a page URL such
as ``/map``, it runs ``pages/map.py`` alone, without the router (no sidebar, no filters). Our
router always calls ``st.navigation``, so the fallback is never wanted; this launcher turns it
off before the first session. Usage: ``python -m ui.serve [streamlit run options]``.

It also refuses to listen beyond localhost (``--server.address``, ``STREAMLIT_SERVER_ADDRESS`` or
``.streamlit/config.toml``) while the store has no active admin: the dashboard would then ask every
visitor for a login nobody can give, or — started some other way — be open to the whole network.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from geo import AppError
from geo.auth.sessions import login_required
from geo.auth.users import has_admin
from geo.store.store import Store
from geo.words import word

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")


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


def main() -> int:
    """Run ``streamlit run dashboard.py`` with the remaining command-line options."""
    problem = refusal(listen_address(sys.argv[1:]))
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", ENTRY, *sys.argv[1:]]
    return int(cli.main() or 0)


if __name__ == "__main__":
    raise SystemExit(main())
