"""/targets, /overview and /present with push-down (ANTT_PUSHDOWN=1): no incident read in bulk, the same verdicts."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.evaluation.effects import VERDICTS
from tests.app._pages import refuse_every_row
from ui import evidence

ROOT = Path(__file__).resolve().parents[2]


def _fresh_caches() -> None:
    """Forget every cached table and evaluation of an earlier run (the second path must compute its own)."""
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(page: str, opened: tuple[str, ...] = ()) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
    for key in opened:  # sections built only while open
        at.session_state[key] = True
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _seen(at: AppTest) -> dict[str, Any]:
    """What the page shows: texts, verdicts, tables and charts (their specs and data)."""
    charts = [
        (json.loads(chart.proto.spec), sorted((d.name, bytes(d.data.data)) for d in chart.proto.datasets))
        for chart in at.get("vega_lite_chart")
    ]
    markdown = [m.value for m in at.markdown]
    return {
        "verdicts": [v for m in markdown for v in re.findall(r'data-verdict="(\w+)"', m)]
        + [
            key
            for m in markdown
            for key, (words, _) in VERDICTS.items()
            if m.startswith("###") and words in m
        ],
        "captions": [c.value for c in at.caption],
        "markdown": markdown,
        "info": [i.value for i in at.info],
        "warnings": [w.value for w in at.warning],
        "metrics": [(m.label, m.value, m.delta) for m in at.metric],
        "tables": [d.value.to_dict("list") for d in at.dataframe],
        "charts": charts,
        "downloads": [d.label for d in at.get("download_button")],
    }


@pytest.mark.parametrize(
    ("page", "opened"),
    [
        ("pages/overview.py", ()),
        ("pages/targets.py", ()),
        ("pages/targets.py", (evidence.EVENTS_OPEN, evidence.MAPS_OPEN)),
        ("pages/present.py", ()),
    ],
    ids=["overview", "targets", "targets-sections-open", "present"],
)
def test_the_verdict_pages_show_the_same_with_pushdown(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch, page: str, opened: tuple[str, ...]
) -> None:
    monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
    _fresh_caches()
    arrays = _seen(_run(page, opened))
    assert arrays["verdicts"], "the demo plan has verdicts"
    if opened:  # the monthly rates and the event study's chart
        assert len(arrays["charts"]) >= 2
    refuse_every_row(monkeypatch)
    _fresh_caches()
    pushed = _seen(_run(page, opened))
    assert pushed == arrays


def _brief_script() -> None:
    """Build the brief of a filter (the test swaps the Word renderer for the brief's words) and show them."""
    from datetime import date

    import streamlit as st

    from geo.filters import IncidentFilter
    from ui import brief

    flt = IncidentFilter(start=date(2025, 11, 1), end=date(2026, 10, 31), groups=("ttxh",))
    st.text(brief.build(flt, "docx").decode())


def test_the_brief_is_the_same_with_pushdown(fresh_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.brief import compose
    from ui import brief

    monkeypatch.setattr(compose, "now_local", lambda: datetime(2026, 12, 1, 9, 30))  # undone after the test
    monkeypatch.setitem(brief.RENDERERS, "docx", lambda made: made.text().encode())
    monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
    _fresh_caches()
    at = AppTest.from_function(_brief_script, default_timeout=240).run()
    assert not at.exception, at.exception
    arrays = at.text[0].value
    assert "Vĩnh Hùng" in arrays
    refuse_every_row(monkeypatch)
    _fresh_caches()
    at = AppTest.from_function(_brief_script, default_timeout=240).run()
    assert not at.exception, at.exception
    assert at.text[0].value == arrays
