"""/map's unit table in a real browser: closed until opened (no data grid sent), a row opens its unit's list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser._helpers import map_frame, open_offline

pytestmark = pytest.mark.browser

SECTION = "Số vụ việc theo xã (theo bộ lọc)"
ROW_PX = 35
"""Height of a row (and of the header) of Streamlit's data grid, in CSS pixels."""


def test_the_unit_table_opens_on_demand_and_a_row_opens_the_unit_list(
    browser: Any, app_url: str, artifacts_dir: Path
) -> None:
    page, blocked = open_offline(browser, app_url + "/map", width=1600, height=1000)
    chunks: list[str] = []
    page.on("request", lambda r: chunks.append(r.url) if "/static/js/DataFrame." in r.url else None)
    map_frame(page, selector=".marker-cluster, path.antt-point")
    section = page.get_by_text(SECTION, exact=True)
    section.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # closed: no table on the page…
    assert chunks == []  # …and the browser did not load the data grid for it
    section.click()
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=60_000)
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    assert chunks  # the grid's code came with the table
    box = table.bounding_box()
    assert box is not None
    assert box["height"] >= ROW_PX * 14  # the header and the 13 communes
    first = page.evaluate(  # the first row's unit name, as the grid's accessible table holds it
        """() => { const cells = [...document.querySelectorAll('[data-testid="stDataFrame"] table td')];
                   return cells.map(c => c.innerText.trim()).filter(t => t && !/^[0-9.,%+−-]*$/.test(t))[0] || ''; }"""
    )
    page.mouse.click(box["x"] + 12, box["y"] + ROW_PX * 1.5)  # the first row's selection box
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Vụ việc tại ").first.wait_for(timeout=60_000)
    text = dialog.inner_text()
    page.screenshot(path=str(artifacts_dir / "map_unit_table_drilldown.png"), full_page=False)
    assert first  # the grid lists its rows in an accessible table
    assert first.removeprefix("★ ") in text
    assert "mới nhất trước" in text
    assert blocked == []
    page.close()
