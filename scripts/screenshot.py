"""Take headless Chromium screenshots of dashboard pages: python scripts/screenshot.py URL OUT.png [W H]."""

from __future__ import annotations

import os
import sys

from harness import CHROMIUM_ARGS, chromium
from playwright.sync_api import sync_playwright


def main() -> int:
    """Open the page, wait for Streamlit to settle, save a screenshot."""
    url, out = sys.argv[1], sys.argv[2]
    width, height = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (1600, 1000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url)
        page.wait_for_timeout(int(os.environ.get("SHOT_WAIT_MS", "12000")))
        page.screenshot(path=out, full_page="--full" in sys.argv)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
