"""Export incidents and per-commune tables to CSV and XLSX, with spreadsheet formula injection neutralised."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.taxonomy import group_name, offence_name
from geo.words import word

FORMULA_START = ("=", "+", "-", "@", "|", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""A text cell starting with one of these may run as a formula (or a DDE link) in a spreadsheet.

Besides ``= + - @``: ``|`` (DDE, ``|cmd'!A0``), tab, carriage return and line feed (a spreadsheet
may drop them and read what follows), and the full-width ＝ ＋ － ＠ some spreadsheets fold to ASCII.
"""

_BLANKS = " \t\r\n\u00a0\u3000"
"""Leading blanks a spreadsheet may trim before it reads a cell as a formula."""

FORMATS = ("csv", "xlsx")
"""Export formats."""

_INCIDENT_COLUMNS = (
    "incident_id",
    "occurred_at",
    "offence",
    "offence_code",
    "group",
    "lon",
    "lat",
    "commune_code",
    "commune",
    "address",
    "description",
    "status",
    "batch_id",
)
"""Columns of `incident_table`, in file order; headers are ``export.incident.<column>`` in `geo.words`."""
_COMMUNE_COLUMNS = ("code", "name", "population", "count", "rate", "previous", "change", "change_pct")
"""Columns of `commune_table`, in file order; headers are ``export.commune.<column>`` in `geo.words`."""
_DATE_FORMAT = "%d/%m/%Y %H:%M"


def neutralise(value: Any) -> Any:
    r"""Return ``value`` safe for a spreadsheet: text that would start a formula gets a leading apostrophe.

    The importer removes that apostrophe again, so an exported file imports back unchanged.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x")')
    '\'=HYPERLINK("http://x")'
    >>> neutralise("\n=1+1")
    "'\n=1+1"
    >>> neutralise("  =cmd|' /C calc'!A0")
    "'  =cmd|' /C calc'!A0"
    >>> neutralise(-3.5)
    -3.5
    """
    if isinstance(value, str) and (
        value.startswith(FORMULA_START) or value.lstrip(_BLANKS).startswith(FORMULA_START)
    ):
        return "'" + value
    return value


def incident_table(
    incidents: pd.DataFrame, communes: gpd.GeoDataFrame | None = None, *, lang: str = "vi"
) -> pd.DataFrame:
    """Return incidents as an export table: readable headers, offence and commune names, in file order.

    ``incidents`` has the store's columns (``address`` optional). The headers are ones the importer
    recognises, so the table imports back as the same incidents.
    """
    names = {} if communes is None else dict(zip(communes["code"], communes["name"], strict=True))
    column = {
        "incident_id": incidents["incident_id"].astype(str),
        "occurred_at": pd.to_datetime(incidents["occurred_at"]),
        "offence": incidents["offence_code"].map(lambda c: offence_name(c, lang=lang)),
        "offence_code": incidents["offence_code"],
        "group": incidents["offence_code"].map(_group_names(lang)),
        "lon": incidents["lon"].astype(float),
        "lat": incidents["lat"].astype(float),
        "commune_code": incidents["commune_code"].astype(str),
        "commune": incidents["commune_code"].map(names).fillna(""),
        "address": incidents.get("address", ""),
        "description": incidents["description"],
        "status": incidents["status"],
        "batch_id": incidents.get("batch_id", ""),
    }
    table = pd.DataFrame(column, index=incidents.index)
    return table.rename(columns=_headers("incident", _INCIDENT_COLUMNS, lang)).reset_index(drop=True)


def commune_table(table: pd.DataFrame, *, lang: str = "vi") -> pd.DataFrame:
    """Return a per-commune table (from `geo.aggregate.commune_counts`) with readable headers."""
    columns = [c for c in _COMMUNE_COLUMNS if c in table.columns]
    out = table[columns].copy()
    for name in ("rate", "change_pct"):
        if name in out:
            out[name] = out[name].round(2)
    return out.rename(columns=_headers("commune", columns, lang)).reset_index(drop=True)


def to_csv(table: pd.DataFrame) -> bytes:
    """Return ``table`` as CSV bytes: UTF-8 with BOM (Excel shows Vietnamese), dates dd/mm/yyyy HH:MM."""
    out = table.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            seconds = bool((out[name].dt.second != 0).any())
            out[name] = out[name].dt.strftime(_DATE_FORMAT + (":%S" if seconds else ""))
        elif out[name].dtype == object:
            out[name] = out[name].map(neutralise)
    return out.to_csv(index=False, float_format=None, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Return an XLSX workbook with one sheet per table; dates are date cells, text is never a formula."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, table in sheets.items():
        sheet = book.create_sheet(title=title[:31])
        sheet.append([str(c) for c in table.columns])
        dates = [i for i, c in enumerate(table.columns) if pd.api.types.is_datetime64_any_dtype(table[c])]
        for row in table.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
        for index in dates:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
        for index, name in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(40, max(10, len(str(name)) + 2))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, datetime):
        return value
    return neutralise(value) if isinstance(value, str) else value


def _headers(table: str, columns: Iterable[str], lang: str) -> dict[str, str]:
    return {c: word(f"export.{table}.{c}", lang) for c in columns}


def _group_names(lang: str) -> dict[str, str]:
    from geo.taxonomy import group_of

    return {code: group_name(group, lang=lang) for code, group in group_of().items()}


def export_bytes(tables: Mapping[str, pd.DataFrame], *, fmt: str) -> bytes:
    """Return the tables in ``fmt``: XLSX holds every table as a sheet, CSV only the first.

    Raises
    ------
    ValueError
        An unknown format.
    """
    if fmt == "xlsx":
        return to_xlsx(tables)
    if fmt == "csv":
        return to_csv(next(iter(tables.values())))
    raise ValueError(f"Định dạng xuất «{fmt}» không hỗ trợ; chọn: {', '.join(FORMATS)}.")
