"""/trends and /data with push-down (ANTT_PUSHDOWN=1): no incident read in bulk, the same numbers as without."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.store.store import Store
from tests.app._pages import refuse_every_row

ROOT = Path(__file__).resolve().parents[2]


def _fresh_caches() -> None:
    """Forget every cached table of an earlier run (the frames the first path read must not serve the second)."""
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(page: str, *, tab: str | None = None, weekday_hour: bool = True) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    if tab is not None:
        at.session_state["trends.tab"] = tab
    at.session_state["trends.open.weekday_hour"] = weekday_hour
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _seen(at: AppTest) -> dict[str, Any]:
    """What the page shows: texts, tables and charts (their specs and data)."""
    charts = [
        (json.loads(chart.proto.spec), sorted((d.name, bytes(d.data.data)) for d in chart.proto.datasets))
        for chart in at.get("vega_lite_chart")
    ]
    return {
        "captions": [c.value for c in at.caption],
        "markdown": [m.value for m in at.markdown],
        "info": [i.value for i in at.info],
        "tables": [d.value.to_dict("list") for d in at.dataframe],
        "charts": charts,
        "downloads": [d.label for d in at.get("download_button")],
    }


@pytest.mark.parametrize("tab", [None, "Theo xã, thị trấn"])
def test_trends_shows_the_same_numbers_with_pushdown(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch, tab: str | None
) -> None:
    monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
    _fresh_caches()
    arrays = _seen(_run("pages/trends.py", tab=tab))
    assert len(arrays["charts"]) >= 5  # monthly lines, mix, weekday × hour, the three top-unit panels
    refuse_every_row(monkeypatch)
    _fresh_caches()
    pushed = _seen(_run("pages/trends.py", tab=tab))
    assert pushed == arrays


def test_trends_counts_weekdays_and_hours_only_while_their_section_is_open(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import counts

    asked: list[object] = []
    original = counts.weekday_hour
    monkeypatch.setattr(counts, "weekday_hour", lambda flt: asked.append(flt) or original(flt))
    refuse_every_row(monkeypatch)
    _fresh_caches()
    closed = _run("pages/trends.py", weekday_hour=False)
    assert asked == []
    assert "Mở bảng theo thứ và giờ (đếm khi mở)" in [e.label for e in closed.expander]
    opened = _run("pages/trends.py")
    assert len(asked) == 1
    assert len(opened.get("vega_lite_chart")) == len(closed.get("vega_lite_chart")) + 1


def test_data_shows_the_same_count_and_exports_with_pushdown(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
    _fresh_caches()
    at = _run("pages/data.py")
    arrays = [m.value for m in at.markdown if "vụ việc từ" in m.value]
    assert len(arrays) == 1
    refuse_every_row(monkeypatch)
    _fresh_caches()
    at = _run("pages/data.py")
    assert [m.value for m in at.markdown if "vụ việc từ" in m.value] == arrays
    assert len(at.get("download_button")) == 4  # the template, the taxonomy and the two exports


def _exports(url: str, flt: Any) -> dict[tuple[str, str], Any]:
    import io
    from datetime import datetime

    import pandas as pd

    from ui import data_admin

    _fresh_caches()
    store = Store.open(url)
    out: dict[tuple[str, str], Any] = {}
    for what in ("incidents", "communes"):
        for fmt in ("csv", "xlsx"):
            made = data_admin._export(
                url,
                store.version(),
                flt,
                what=what,
                fmt=fmt,
                sheet="Vụ việc",
                language="vi",
                now=datetime(2026, 11, 2, 9, 30),
            )
            out[what, fmt] = (
                made if fmt == "csv" else pd.read_excel(io.BytesIO(made), header=None).to_dict("list")
            )
    return out


def test_exports_are_the_same_with_pushdown(fresh_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date, datetime

    from geo.filters import IncidentFilter
    from geo.store import rows

    store = Store.open(fresh_store)
    with store.engine.begin() as conn:  # one time with seconds: the CSV then writes every time with them
        t = store.tables.incidents
        first = conn.execute(
            t.select().where(t.c.occurred_at >= datetime(2026, 3, 1), t.c.commune_code == "15361").limit(1)
        ).first()
        assert first is not None
        conn.execute(
            t.update()
            .where(t.c.incident_id == first.incident_id)
            .values(occurred_at=first.occurred_at.replace(second=9))
        )
    monkeypatch.setattr(rows, "SLICE_ROWS", 700)  # several slices
    for flt in (
        IncidentFilter(date(2026, 1, 1), date(2026, 6, 30), groups=("ttxh",)),
        IncidentFilter(date(2025, 11, 1), date(2026, 10, 31), communes=("15361",)),
        IncidentFilter(date(2030, 1, 1), date(2030, 1, 31)),
    ):
        monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
        arrays = _exports(fresh_store, flt)
        with monkeypatch.context() as patched:
            refuse_every_row(patched)
            pushed = _exports(fresh_store, flt)
        assert pushed == arrays
        assert arrays["incidents", "csv"].startswith("\ufeff".encode())
        if flt.communes:
            assert first.occurred_at.strftime("%d/%m/%Y %H:%M:09").encode() in pushed["incidents", "csv"]


def _compstat() -> None:
    from ui import compstat, filters, loaders

    flt = filters.current()
    compstat.metrics(
        compstat.unit_table(flt, loaders.communes()), compstat.rates(flt), targets=loaders.plan().targets
    )


def test_the_compstat_numbers_are_the_same_with_pushdown(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTT_PUSHDOWN", raising=False)
    seen = []
    for pushed in (False, True):
        if pushed:
            refuse_every_row(monkeypatch)
        _fresh_caches()
        at = AppTest.from_function(_compstat, default_timeout=120).run()
        assert not at.exception, at.exception
        seen.append([(m.label, m.value, m.delta) for m in at.metric])
    assert len(seen[0]) == 4  # all, targets, others, the clearance rate
    assert "%" in seen[0][3][1]
    assert seen[1] == seen[0]


def test_an_export_too_large_to_build_here_asks_for_a_narrower_filter(
    fresh_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import data_admin

    refuse_every_row(monkeypatch)
    monkeypatch.setitem(data_admin.EXPORT_MAX_ROWS, "xlsx", 10)
    _fresh_caches()
    at = _run("pages/data.py")
    assert len(at.get("download_button")) == 3  # the template, the taxonomy and the per-unit table
    assert any("quá 10 vụ mà một tệp XLSX xuất được" in c.value for c in at.caption)
    at.radio(key="data.exp.format").set_value("csv").run()
    assert not at.exception, at.exception
    assert len(at.get("download_button")) == 4  # a CSV of them is built a slice at a time
