"""The /data exports: file names with the period, a described XLSX of the demo store, and the audit entry."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from streamlit.delta_generator import DeltaGenerator

from geo.filters import IncidentFilter
from geo.store import audit
from geo.store.store import Store, close_all


@pytest.fixture
def store(demo_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A copy of the demo store of this test (a download writes to its audit trail)."""
    path = tmp_path / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("ANTT_DATABASE_URL", url)
    monkeypatch.delenv("ANTT_REQUIRE_LOGIN", raising=False)
    yield Store.open(url)
    close_all()


def test_the_exports_carry_the_period_in_their_names_and_describe_the_demo_data(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import data_admin, filters

    flt = IncidentFilter(start=date(2025, 1, 1), end=date(2025, 12, 31), groups=("ma_tuy",))
    monkeypatch.setattr(filters, "current", lambda: flt)
    captured: dict[str, dict[str, Any]] = {}
    monkeypatch.setattr(
        DeltaGenerator, "download_button", lambda self, *a, **k: captured.update({k["key"]: k})
    )
    data_admin.export_section()
    incidents, communes = captured["data.exp.incidents"], captured["data.exp.communes"]
    assert incidents["file_name"] == "vu_viec_2025-01-01_2025-12-31_minh_hoa.xlsx"
    assert communes["file_name"] == "theo_xa_2025-01-01_2025-12-31_minh_hoa.xlsx"
    assert audit.entries(store, action="export") == []
    book = openpyxl.load_workbook(io.BytesIO(incidents["data"]()))
    assert book.sheetnames == ["Vụ việc"]
    sheet = book["Vụ việc"]
    top = [row[0] for row in sheet.iter_rows(max_row=10, max_col=1, values_only=True)]
    assert top[0] == "Danh sách vụ việc — Huyện Vĩnh Lộc, tỉnh Thanh Hóa"
    assert top[1] == "Dữ liệu minh họa — không phải số liệu thực"
    assert "Kỳ báo cáo: 01/01/2025 – 31/12/2025" in top
    assert "Nhóm vụ việc: Tội phạm về ma túy" in top
    header = int(sheet.freeze_panes[1:]) - 1
    assert sheet.cell(row=header, column=1).value == "Mã vụ"
    assert sheet.auto_filter.ref.startswith(f"A{header}:")
    assert openpyxl.load_workbook(io.BytesIO(communes["data"]())).sheetnames == ["Theo xã"]
    entries = audit.entries(store, action="export")
    assert sorted(e.detail["what"] for e in entries) == ["communes", "incidents"]
