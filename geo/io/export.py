"""Export incidents and per-commune tables to CSV and XLSX, with spreadsheet formula injection neutralised.

An XLSX export describes itself: above each table a title row, the filter (period, offence groups
and types, communes), the data's coverage, the source and, for the demo store, the demo notice;
then the header row (frozen, with an autofilter) and the rows with number, percent and date
formats. The importer finds the header below that block, so the file imports back unchanged.
A CSV export stays a clean table for machines — the header row first, nothing above it (a title
line would break `pandas.read_csv` and other tools); its period travels in the file name
(`file_name`) and its description only in the XLSX.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.filters import IncidentFilter
from geo.formatting import format_number
from geo.incidents import covered_until
from geo.taxonomy import group_name, offence_name
from geo.words import LANGS, word

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
_NUMBER_FORMATS = {
    "count": "#,##0",
    "population": "#,##0",
    "previous": "#,##0",
    "change": "+#,##0;-#,##0;0",
    "rate": "#,##0.00",
    "change_pct": "+0.0%;-0.0%;0.0%",
    "lon": "0.000000",
    "lat": "0.000000",
}
"""Excel number formats by column (`_INCIDENT_COLUMNS`, `_COMMUNE_COLUMNS`); Excel shows them with the reader's marks."""
_PERCENT_COLUMNS = ("change_pct",)
"""Columns held as percentages (12.5 = 12,5%); written to XLSX as fractions under a percent format."""


@dataclass(frozen=True)
class Description:
    """What an export is: a title, labelled lines (filter, coverage, source) and the demo notice.

    Attributes
    ----------
    title
        The first row of the sheet.
    lines
        (label, value) rows below the title.
    notice
        The demo notice ("Dữ liệu minh họa — …"), empty for real data.
    columns
        Header text → column key (``"rate"``, ``"change_pct"`` …) for the number formats.
    """

    title: str
    lines: tuple[tuple[str, str], ...] = ()
    notice: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)


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


def column_keys(what: str, *, lang: str = "vi") -> dict[str, str]:
    """Return header text → column key of the ``"incidents"`` or ``"communes"`` table in ``lang``."""
    if what == "incidents":
        return {v: k for k, v in _headers("incident", _INCIDENT_COLUMNS, lang).items()}
    return {v: k for k, v in _headers("commune", _COMMUNE_COLUMNS, lang).items()}


def describe(
    flt: IncidentFilter,
    *,
    what: str,
    incidents: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    area: str,
    demo: bool,
    now: datetime,
    rows: int,
    lang: str = "vi",
) -> Description:
    """Return the description of an export of ``what`` (``"incidents"`` or ``"communes"``) under ``flt``.

    ``incidents`` are all the stored incidents (for the coverage), ``area`` the area's name, ``now``
    the export's local time and ``rows`` the number of table rows.
    """

    def w(key: str, **kwargs: object) -> str:
        return word(key, lang, **kwargs)

    every = w("export.info.all")
    names = dict(zip(communes["code"], communes["name"], strict=True)) if len(communes) else {}
    period = f"{_day(flt.start)} – {_day(flt.end)}"
    if what == "communes":
        earlier = flt.year_earlier()
        period += " " + w("export.info.compared", start=_day(earlier.start), end=_day(earlier.end))
    last = covered_until(incidents) if len(incidents) else None
    coverage = (
        w("page.coverage", start=_day(incidents["occurred_at"].min().date()), end=_day(last))
        if last is not None
        else w("export.info.no_data")
    )
    lines = (
        (w("export.info.period"), period),
        (w("export.info.groups"), ", ".join(group_name(g, lang=lang) for g in flt.groups) or every),
        (w("export.info.offences"), ", ".join(offence_name(c, lang=lang) for c in flt.offences) or every),
        (w("export.info.communes"), ", ".join(names.get(c, c) for c in flt.communes) or every),
        (w("export.info.coverage"), coverage),
        (w("export.info.rows"), format_number(rows, lang=lang)),
        (
            w("export.info.source"),
            w("export.info.source_text", app=w("app.title"), area=area, time=f"{now:%H:%M} {_day(now)}"),
        ),
    )
    return Description(
        title=w(f"export.title.{what}", area=area),
        lines=lines,
        notice=w("banner.demo") if demo else "",
        columns=column_keys(what, lang=lang),
    )


def file_name(stem: str, flt: IncidentFilter, *, fmt: str, demo: bool = False) -> str:
    """Return an export's file name carrying its period: ``vu_viec_2025-01-01_2025-12-31.xlsx``.

    A demo store's export says so in its name too (``…_minh_hoa.csv``), as a CSV has no room for
    the notice.

    Examples
    --------
    >>> file_name("vu_viec", IncidentFilter(date(2025, 1, 1), date(2025, 12, 31)), fmt="xlsx")
    'vu_viec_2025-01-01_2025-12-31.xlsx'
    >>> file_name("theo_xa", IncidentFilter(date(2025, 1, 1), date(2025, 1, 31)), fmt="csv", demo=True)
    'theo_xa_2025-01-01_2025-01-31_minh_hoa.csv'
    """
    return f"{stem}_{flt.start:%Y-%m-%d}_{flt.end:%Y-%m-%d}{'_minh_hoa' if demo else ''}.{fmt}"


def _day(day: date | datetime) -> str:
    return day.strftime("%d/%m/%Y")


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


def to_xlsx(
    sheets: Mapping[str, pd.DataFrame], *, describe: Mapping[str, Description] | None = None
) -> bytes:
    """Return an XLSX workbook with one sheet per table; dates are date cells, text is never a formula.

    A sheet named in ``describe`` starts with its description (title, lines, demo notice) and a
    blank row; every sheet has its header row frozen, an autofilter over the table and number,
    percent and date formats by column.
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, table in sheets.items():
        sheet = book.create_sheet(title=_sheet_title(title))
        about = (describe or {}).get(title)
        header_row = _write_description(sheet, about, Font) + 1 if about is not None else 1
        keys = dict(about.columns) if about is not None else _known_columns()
        percent = [i for i, c in enumerate(table.columns) if keys.get(str(c)) in _PERCENT_COLUMNS]
        for index, name in enumerate(table.columns, start=1):
            sheet.cell(row=header_row, column=index, value=neutralise(str(name))).font = Font(bold=True)
        for row in table.itertuples(index=False):
            values = [_cell(v) for v in row]
            for index in percent:
                if isinstance(values[index], int | float):
                    values[index] = values[index] / 100
            sheet.append(values)
        last_row = header_row + len(table)
        for index, name in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            if pd.api.types.is_datetime64_any_dtype(table[name]):
                number_format = "dd/mm/yyyy hh:mm:ss"
            else:
                number_format = _NUMBER_FORMATS.get(keys.get(str(name), ""), "")
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                    cell.number_format = number_format
            sheet.column_dimensions[letter].width = min(40, max(10, len(str(name)) + 2))
        if len(table.columns):
            end = get_column_letter(len(table.columns))
            sheet.auto_filter.ref = f"A{header_row}:{end}{max(last_row, header_row)}"
        sheet.freeze_panes = f"A{header_row + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_description(sheet: Any, about: Description, font: Any) -> int:
    """Write the description block at the top of ``sheet`` (title, notice, lines); return its rows and a blank one."""
    rows: list[tuple[tuple[str, ...], Any]] = [((about.title,), font(bold=True, size=14))]
    if about.notice:
        rows.append(((about.notice,), font(bold=True, color="B2182B")))
    # One cell a line ("Kỳ báo cáo: …"): a row above the header never names two fields, so the
    # importer's header search (two known field names in a row) cannot stop on it.
    rows.extend(((f"{label}: {value}",), font(italic=True)) for label, value in about.lines)
    for number, (cells, style) in enumerate(rows, start=1):
        for column, text in enumerate(cells, start=1):
            sheet.cell(row=number, column=column, value=neutralise(text))
        sheet.cell(row=number, column=1).font = style
    return len(rows) + 1


def _known_columns() -> dict[str, str]:
    """Return header text → column key for every export header of both tables in both languages."""
    return {
        header: key
        for lang in LANGS
        for what in ("communes", "incidents")
        for header, key in column_keys(what, lang=lang).items()
    }


def _sheet_title(title: str) -> str:
    """Return ``title`` as a valid sheet name: at most 31 characters, no bracket, colon, star, slash or question mark."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip("' ")
    return cleaned[:31] or "Sheet"


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


def export_bytes(
    tables: Mapping[str, pd.DataFrame], *, fmt: str, describe: Mapping[str, Description] | None = None
) -> bytes:
    """Return the tables in ``fmt``: XLSX holds every table as a sheet (described when given), CSV only the first.

    Raises
    ------
    ValueError
        An unknown format.
    """
    if fmt == "xlsx":
        return to_xlsx(tables, describe=describe)
    if fmt == "csv":
        return to_csv(next(iter(tables.values())))
    raise ValueError(f"Định dạng xuất «{fmt}» không hỗ trợ; chọn: {', '.join(FORMATS)}.")
