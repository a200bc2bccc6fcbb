"""Start Streamlit for ``dashboard.py`` with the v1 ``pages/`` fallback switched off.

Streamlit 1.67 treats a ``pages/`` folder beside the entry script as an old-style multipage app
until ``st.navigation`` has run once in the process: if the first session opens a page URL such
as ``/map``, it runs ``pages/map.py`` alone, without the router (no sidebar, no filters). Our
router always calls ``st.navigation``, so the fallback is never wanted; this launcher turns it
off before the first session. Usage: ``python -m ui.serve [streamlit run options]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

ENTRY = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def main() -> int:
    """Run ``streamlit run dashboard.py`` with the remaining command-line options."""
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", ENTRY, *sys.argv[1:]]
    return int(cli.main() or 0)


if __name__ == "__main__":
    raise SystemExit(main())
