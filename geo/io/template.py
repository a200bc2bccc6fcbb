"""The incident ledger template: an XLSX with Vietnamese headers, drop-down lists and an example row.

Its headers are the importer's own field labels (`geo.io.tables.FIELDS`), so a filled-in template
imports without any column mapping; offences and units are picked from lists of the store's taxonomy
and units, so every row is recognised.
"""

from __future__ import annotations

import io
from datetime import datetime

import geopandas as gpd
import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from geo.io.headers import FIELDS
from geo.taxonomy import Offence, load_offences

TEMPLATE_FIELDS = (
    "incident_id",
    "occurred_at",
    "offence",
    "commune",
    "address",
    "lon",
    "lat",
    "description",
    "status",
)
"""Columns of the template, in order (labels from `geo.io.tables.FIELDS`)."""

_ROWS = 2000
"""Rows the drop-down lists cover."""

_NOTES = {
    "incident_id": "Mã riêng của vụ việc (số hồ sơ). Không dùng số thứ tự dòng (STT).",
    "occurred_at": "dd/mm/yyyy hh:mm; chỉ biết ngày: dd/mm/yyyy; chỉ biết tháng: tháng 5/2024.",
    "offence": "Chọn trong danh sách (tên theo danh mục tội danh).",
    "commune": "Chọn trong danh sách; khi không có tọa độ, vụ việc được tính theo đơn vị này.",
    "address": "Thôn, xóm, tổ dân phố, số nhà…",
    "lon": "Kinh độ WGS 84 (vd 105.61630); để trống nếu không có.",
    "lat": "Vĩ độ WGS 84 (vd 20.06000); để trống nếu không có.",
    "description": "Tóm tắt nội dung (hiển thị như văn bản, không bao giờ là công thức).",
    "status": "Kết quả xử lý, vd «Đã giải quyết», «Đang điều tra».",
}


def ledger_template(
    communes: gpd.GeoDataFrame,
    *,
    offences: tuple[Offence, ...] | None = None,
    example_time: datetime | None = None,
) -> bytes:
    """Return the XLSX template of an incident ledger for the stored units and taxonomy.

    Parameters
    ----------
    communes
        The stored units (their names fill the unit drop-down and the example row).
    offences
        The taxonomy (default: the shipped one).
    example_time
        The example row's time (default: 25/01/2024 14:30, a day above 12 so day and month cannot be confused).
    """
    offences = offences or load_offences()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Vụ việc"
    lists = book.create_sheet("Danh mục")
    names = [str(n) for n in communes["name"]] if len(communes) else []
    offence_names = [o.name_vi for o in offences]
    lists.append(["Tội danh / Loại vụ việc", "Mã", "Đơn vị", "Mã đơn vị"])
    codes = [str(c) for c in communes["code"]] if len(communes) else []
    for index in range(max(len(offence_names), len(names))):
        lists.append(
            [
                offence_names[index] if index < len(offence_names) else None,
                offences[index].code if index < len(offences) else None,
                names[index] if index < len(names) else None,
                codes[index] if index < len(codes) else None,
            ]
        )
    sheet.append([FIELDS[f] for f in TEMPLATE_FIELDS])
    when = example_time or datetime(2024, 1, 25, 14, 30)
    example = {
        "incident_id": "VD-0001",
        "occurred_at": when.strftime("%d/%m/%Y %H:%M"),
        "offence": next(
            (o.name_vi for o in offences if o.code == "trom_cap_tai_san"),
            offence_names[0] if offence_names else "",
        ),
        "commune": names[0] if names else "",
        "address": "Thôn 1",
        "lon": None,
        "lat": None,
        "description": "Dòng ví dụ: xóa hoặc ghi đè trước khi nhập.",
        "status": "Đang điều tra",
    }
    if len(communes):
        point = communes.geometry.iloc[0].representative_point()
        example["lon"], example["lat"] = round(point.x, 5), round(point.y, 5)
    sheet.append([example[f] for f in TEMPLATE_FIELDS])
    header = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    for index, field in enumerate(TEMPLATE_FIELDS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = header, fill
        sheet.column_dimensions[get_column_letter(index)].width = (
            24 if field in ("description", "address") else 18
        )
    for column, count, field in ((1, len(offence_names), "offence"), (3, len(names), "commune")):
        if not count:
            continue
        letter = get_column_letter(column)
        validation = DataValidation(
            type="list",
            formula1=f"='Danh mục'!${letter}$2:${letter}${count + 1}",
            allow_blank=True,
            showErrorMessage=False,
        )
        target = get_column_letter(TEMPLATE_FIELDS.index(field) + 1)
        validation.add(f"{target}2:{target}{_ROWS}")
        sheet.add_data_validation(validation)
    notes = book.create_sheet("Hướng dẫn")
    notes.append(["Cột", "Cách ghi"])
    for field in TEMPLATE_FIELDS:
        notes.append([FIELDS[field], _NOTES[field]])
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 90
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
