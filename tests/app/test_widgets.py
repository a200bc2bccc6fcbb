"""The per-commune table stays usable with hundreds of units: a name search without diacritics and pages."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest


def _long_table() -> None:
    import os

    import pandas as pd

    from ui.widgets import commune_table

    names = ["Đồng Xuân", "Hàng Bạc", "Cửa Nam", "Phúc Tân"]
    n = int(os.environ.get("ANTT_TEST_ROWS", "60"))
    table = pd.DataFrame(
        {
            "code": [f"C{i:03d}" for i in range(n)],
            "name": [f"{names[i % 4]} {i}" for i in range(n)],
            "population": 1000,
            "count": list(range(n, 0, -1)),
            "rate": 1.0,
        }
    )
    commune_table(table, targets=("C000",))


def _run(monkeypatch: pytest.MonkeyPatch, rows: int) -> AppTest:
    monkeypatch.setenv("ANTT_TEST_ROWS", str(rows))
    at = AppTest.from_function(_long_table, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_short_table_shows_whole_without_search(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(monkeypatch, 13)
    assert len(at.text_input) == 0
    assert len(at.number_input) == 0
    assert len(at.dataframe[0].value) == 13


def test_a_long_table_is_paged_and_searchable_without_diacritics(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(monkeypatch, 60)
    first = at.dataframe[0].value
    assert len(first) == 25
    assert first["Xã, thị trấn"].iloc[0] == "★ Đồng Xuân 0"
    assert "Dòng 1–25 trên 60" in [c.value for c in at.caption]
    at.number_input[0].set_value(3).run()
    last = at.dataframe[0].value
    assert len(last) == 10
    assert last["Mã"].iloc[0] == "C050"
    # Typed without diacritics, the search finds "Đồng Xuân …" and goes back to the first page.
    at.text_input[0].input("dong XUAN").run()
    found = at.dataframe[0].value
    assert len(found) == 15
    assert all(name.removeprefix("★ ").startswith("Đồng Xuân") for name in found["Xã, thị trấn"])
    assert at.number_input[0].value == 1
    at.text_input[0].input("không có").run()
    assert len(at.dataframe) == 0
    assert "Không có tên nào khớp «không có»." in [i.value for i in at.info]


@pytest.mark.usefixtures("demo_env")
def test_rate_breaks_come_from_the_whole_span() -> None:
    def app() -> None:
        import json
        from datetime import date

        import streamlit as st

        from geo.filters import IncidentFilter
        from ui.widgets import rate_breaks

        month = rate_breaks(IncidentFilter(start=date(2026, 1, 1), end=date(2026, 1, 31)))
        week = rate_breaks(IncidentFilter(start=date(2023, 5, 1), end=date(2023, 5, 7), communes=("15349",)))
        drugs = rate_breaks(IncidentFilter(start=date(2023, 5, 1), end=date(2023, 5, 7), groups=("ma_tuy",)))
        st.text(json.dumps([month, week, drugs]))

    at = AppTest.from_function(app, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    month, week, drugs = json.loads(at.text[0].value)
    assert month == week  # the same breaks for every period and every commune selection
    assert 1 <= len(month) <= 4
    assert drugs != month  # one offence group: its own distribution
    assert max(drugs) < max(month)
