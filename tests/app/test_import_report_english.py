"""The English /data page shows the import report, the read options and file errors in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def _english_data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["ui.lang"] = "en"
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("fresh_store")
def test_the_import_report_is_english() -> None:
    at = _english_data_page()
    at.file_uploader[0].set_value(("vu_viec.csv", (DATA / "vu_viec_lon_xon.csv").read_bytes(), "")).run()
    assert not at.exception, at.exception
    report = at.table[0].value
    assert list(report.columns) == ["Row", "Column", "Value", "Problem", "Severity"]
    assert "There is no day 31/02/2024 in the calendar." in report["Problem"].tolist()
    assert [m for m in report["Problem"] if VIETNAMESE.search(m)] == []
    assert any(c.value.startswith("Dates read as day/month/year") for c in at.caption)
    options = {s.label: s.options for s in at.selectbox}
    assert "day/month/year (Vietnam)" in options["Date format"]
    assert options["Coordinate system"][0] == "EPSG:4326 — WGS 84 longitude/latitude (GPS, Google Maps)"
    assert {"Incident id", "Date *", "Offence *", "Longitude *", "Latitude *", "Commune"} <= set(options)


@pytest.mark.usefixtures("fresh_store")
def test_a_file_error_is_english_with_where_it_is() -> None:
    at = _english_data_page()
    at.file_uploader[0].set_value(("x.xlsx", b"PK\x03\x04 broken", "")).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("File «x.xlsx»: The Excel (.xlsx) file cannot be opened: damaged" in e for e in errors), errors
