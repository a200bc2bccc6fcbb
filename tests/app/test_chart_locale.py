"""Every Altair chart the pages send carries the language's number locale (decimal comma in Vietnamese)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.formatting import chart_locale

ROOT = Path(__file__).resolve().parents[2]


def _specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


@pytest.mark.usefixtures("demo_env")
def test_trend_and_evidence_charts_carry_the_vietnamese_locale_and_the_english_one_on_switch() -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/trends.py").run()  # straight to the page (no overview run first)
    assert not at.exception, at.exception
    specs = _specs(at)
    assert len(specs) >= 4
    for spec in specs:
        assert spec["config"]["locale"]["number"] == {
            "decimal": ",",
            "thousands": ".",
            "grouping": [3],
            "currency": ["", " ₫"],
        }
        assert spec["config"]["locale"]["time"]["shortDays"][0] == "CN"
    english = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    english.session_state["ui.lang"] = "en"
    english.session_state["targets.open.events"] = True  # the event study's section, built when open
    english.switch_page("pages/targets.py").run()
    at = english
    assert not at.exception, at.exception
    specs = _specs(at)
    assert len(specs) >= 2  # the monthly rates and the event study (and the synthetic control)
    assert all(spec["config"]["locale"] == json.loads(json.dumps(chart_locale("en"))) for spec in specs)
