"""The ledger template downloads as XLSX with drop-downs and imports back cleanly, with no column mapping."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import openpyxl

from geo import settings
from geo.io.incident_import import validate_incidents
from geo.io.layers import load_communes
from geo.io.tables import read_table
from geo.io.template import TEMPLATE_FIELDS, ledger_template
from geo.taxonomy import load_offences


def test_the_template_has_vietnamese_headers_lists_and_an_example_that_imports() -> None:
    communes = load_communes(settings.DEMO_COMMUNES_PATH)
    data = ledger_template(communes)
    book = openpyxl.load_workbook(BytesIO(data))
    assert book.sheetnames == ["Vụ việc", "Danh mục", "Hướng dẫn"]
    sheet = book["Vụ việc"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Mã vụ", "Ngày xảy ra", "Tội danh / Loại vụ việc"]
    assert len(headers) == len(TEMPLATE_FIELDS)
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert f"='Danh mục'!$A$2:$A${len(load_offences()) + 1}" in lists  # every offence of the taxonomy
    assert "='Danh mục'!$C$2:$C$14" in lists  # the 13 units
    checked = validate_incidents(read_table(data, name="mau.xlsx"), communes, now=datetime(2025, 1, 1))
    assert checked.errors == ()
    assert [w.message for w in checked.warnings] == []  # no ambiguous date, no unit disagreeing
    assert len(checked.incidents) == 1
    row = checked.incidents.iloc[0]
    assert (row["incident_id"], row["offence_code"], row["commune_code"]) == (
        "VD-0001",
        "trom_cap_tai_san",
        "15349",
    )
