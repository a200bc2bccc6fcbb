"""Charts in a real browser write numbers the Vietnamese way: a decimal comma, a thousands dot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from geo.words import word
from tests.browser._helpers import open_offline

pytestmark = pytest.mark.browser


def _chart_labels(page: Any, *, charts: int, timeout_s: float = 60) -> list[str]:
    """Return the texts of every drawn Vega chart's SVG once ``charts`` of them have drawn."""
    for _ in range(int(timeout_s * 2)):
        if page.locator(".vega-embed svg").count() >= charts:
            page.wait_for_timeout(1000)
            texts: list[str] = page.eval_on_selector_all(
                ".vega-embed svg text", "els => els.map(e => e.textContent)"
            )
            return texts
        page.wait_for_timeout(500)
    pytest.fail(f"fewer than {charts} Vega charts drew")


def test_trends_charts_write_vietnamese_numbers(browser: Any, app_url: str, artifacts_dir: Path) -> None:
    page, blocked = open_offline(browser, app_url + "/trends")
    labels = _chart_labels(page, charts=4)
    numbers = [text for text in labels if re.fullmatch(r"[−+\-]?\d[\d.,]*", text or "")]
    decimals = [text for text in numbers if re.search(r"\d,\d", text)]
    assert decimals, f"no decimal comma among the axis labels {numbers}"
    assert not [text for text in numbers if re.search(r"\d\.\d(?!\d\d)", text)], numbers
    # The changes in share (percentage points): their tooltips carry one decimal.
    bars = page.locator(".vega-embed").filter(has_text=word("trends.col.share_change")).first
    bars.scroll_into_view_if_needed()
    bar = bars.locator("path[aria-roledescription='bar']").first
    bar.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=10000)
    assert re.search(r"\d,\d", tooltip.inner_text()), tooltip.inner_text()
    page.screenshot(path=str(artifacts_dir / "trends_locale_vi.png"))
    assert blocked == []
    page.close()


def test_table_toolbars_speak_vietnamese(browser: Any, app_url: str) -> None:
    """Streamlit's own table toolbar words (it has no locale) are the UI's: button labels and tooltips."""
    page, blocked = open_offline(browser, app_url + "/trends")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=90000)
    table.scroll_into_view_if_needed()
    table.hover()
    buttons = page.locator('[data-testid="stElementToolbar"] button')
    buttons.first.wait_for(timeout=10000)
    labels = buttons.evaluate_all("bs => bs.map(b => b.getAttribute('aria-label'))")
    assert "Tìm kiếm" in labels, labels
    assert not {"Search", "Fullscreen", "Show/hide columns"} & set(labels), labels
    buttons.first.hover()
    tip = page.locator('[data-baseweb="tooltip"], [role="tooltip"]').first
    tip.wait_for(timeout=10000)
    assert tip.inner_text().strip() in {word(f"toolbar.{i}") for i in range(8)}, tip.inner_text()
    # The charts' toolbars too ("Show data" is Streamlit's).
    chart = page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    chart.hover()
    chart_buttons = page.locator('[data-testid="stElementToolbar"] button')
    assert word("toolbar.6") in chart_buttons.evaluate_all("bs => bs.map(b => b.getAttribute('aria-label'))")
    assert blocked == []
    page.close()
