"""Validate every row of an incident file and normalise it to the incidents schema, before any write."""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo import incidents as incident_schema
from geo import settings
from geo._errors import DataError
from geo._validate import CheckedFile, Issue, sort_issues, value_text
from geo.communes import crs_label, district_outline, metric_crs
from geo.dates import now_local
from geo.history import UnitHistory
from geo.io.assignment import check_communes, place_by_commune
from geo.io.export import FORMULA_START
from geo.io.fast_parse import fast_date_order, fast_number, fast_when_array
from geo.io.offences import parse_offence
from geo.io.parsing import (
    DateOrderGuess,
    date_order,
    date_order_of,
    parse_degrees,
    parse_number,
    parse_when,
)
from geo.io.safety import clean_text, usable_crs
from geo.io.tables import FIELDS, RawTable, column_chunks, gc_paused, map_columns
from geo.taxonomy import group_of

CRS_CHOICES: dict[str, str] = {
    "EPSG:4326": "WGS 84 kinh độ/vĩ độ (GPS, Google Maps)",
    "EPSG:5897": "VN-2000 / TM-3 múi 3° kinh tuyến trục 105° (Thanh Hóa)",
    "EPSG:3405": "VN-2000 / UTM múi 48N",
    "EPSG:32648": "WGS 84 / UTM múi 48N",
}
"""Coordinate systems offered to the analyst (any other EPSG code is accepted too)."""

COLUMNS = list(incident_schema.VALIDATED)
"""Columns of `Validation.incidents`: the incidents schema plus the address and the file row."""

_TEXT_FIELDS = ("description", "status", "address")
_CHUNK_ROWS = 1 << 16
"""Rows checked at once: the raw cells of one chunk are in memory at a time, never the whole file's."""


@dataclass(frozen=True)
class Validation(CheckedFile):
    """The outcome of checking an incident file: accepted rows, and every problem found.

    Attributes
    ----------
    file_name, sha256
        The file checked.
    incidents
        Accepted rows with `COLUMNS` (lon/lat in EPSG:4326, commune assigned), in file order.
    issues
        Errors (row rejected) and warnings (row kept), ordered by row; file-level ones have no row.
    rows
        Non-empty data rows in the file.
    empty_rows
        Empty rows skipped.
    column_map
        Field → file column used.
    date_order
        How a/b/yyyy dates were read (``"dmy"`` or ``"mdy"``).
    crs
        The CRS the coordinates were read in.
    unknown_offences
        Offence names not recognised → how many rows use them (for the analyst to map).
    """

    file_name: str
    sha256: str
    incidents: pd.DataFrame
    issues: tuple[Issue, ...]
    rows: int
    empty_rows: int
    column_map: dict[str, str] = field(default_factory=dict)
    date_order: str = "dmy"
    crs: str = settings.CRS_WGS84
    unknown_offences: dict[str, int] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        """Rows not accepted."""
        return self.rows - len(self.incidents)


def validate_incidents(
    table: RawTable,
    communes: gpd.GeoDataFrame,
    *,
    outline: shapely.Geometry | None = None,
    mapping: Mapping[str, str] | None = None,
    date_format: str = "auto",
    crs: str | None = None,
    offence_map: Mapping[str, str] | None = None,
    now: datetime | None = None,
    tolerance_m: float = settings.DISTRICT_TOLERANCE_M,
    keep_outside: bool = False,
    progress: Callable[[int, int], None] | None = None,
    history: UnitHistory | None = None,
) -> Validation:
    """Check every row of ``table`` and return the accepted incidents with a report of every problem.

    Parameters
    ----------
    table
        The file as read by `geo.io.tables.read_table`.
    communes
        Commune polygons (EPSG:4326) used to assign each incident to a commune.
    outline
        The district outline (EPSG:4326); default: the union of ``communes``.
    mapping
        Field → column chosen by the analyst (see `geo.io.tables.map_columns`).
    date_format
        A key of `geo.io.parsing.DATE_FORMATS`; ``"auto"`` reads dd/mm/yyyy but stops when the file
        can only be month/day.
    crs
        CRS of the coordinates (e.g. ``"EPSG:5897"``); default: the file's, or WGS 84 when the
        values are degrees.
    offence_map
        Offence name → taxonomy code for names the taxonomy does not know.
    now
        Later dates are rejected (default: now in Vietnam).
    tolerance_m
        Points this far outside the outline are still accepted.
    keep_outside
        Accept points beyond the outline too, with an empty commune code (``evaluate`` counts and
        reports them instead of refusing the file); an import refuses them.
    progress
        Called now and then with (rows checked, rows in all) while rows are checked.
    history
        The area's unit history, to read the commune of a row without coordinates with its date
        (codes reused, names from before a merger); default: the stored units' codes and names.

    Raises
    ------
    DataError
        The mapping or a required column is wrong, or the date format or CRS is not valid.
    """
    with gc_paused():
        return _validate(
            table,
            communes,
            outline=outline,
            mapping=mapping,
            date_format=date_format,
            crs=crs,
            offence_map=offence_map,
            now=now,
            tolerance_m=tolerance_m,
            keep_outside=keep_outside,
            progress=progress,
            history=history,
        )


def _validate(
    table: RawTable,
    communes: gpd.GeoDataFrame,
    *,
    outline: shapely.Geometry | None,
    mapping: Mapping[str, str] | None,
    date_format: str,
    crs: str | None,
    offence_map: Mapping[str, str] | None,
    now: datetime | None,
    tolerance_m: float,
    keep_outside: bool,
    progress: Callable[[int, int], None] | None,
    history: UnitHistory | None,
) -> Validation:
    columns = map_columns(table.columns, mapping=mapping, file=table.name)
    position = {f: table.columns.index(c) for f, c in columns.items()}
    outline = outline if outline is not None else district_outline(communes)
    limit = now or now_local()
    issues: list[Issue] = []

    def cell(row: tuple[Any, ...], name: str) -> Any:
        return row[position[name]] if name in position else None

    order = date_order(date_format)
    if order is None:
        # Blank cells say nothing about the order: the whole column (empty rows too) gives the same guess.
        guess = _date_order_guess(table, position["occurred_at"])
        if guess.order == "mdy":
            issues.append(Issue(None, columns["occurred_at"], "", _US_DATES.format(n=guess.month_first)))
            rows, empty = _count_rows(table)
            return _empty(table, issues, rows=rows, empty=empty, columns=columns)
        if guess.order == "ambiguous" and guess.slashed:
            issues.append(Issue(None, columns["occurred_at"], "", _AMBIGUOUS_DATES, "warning"))
        order = "dmy"
    head = [cell(r, "lon") for r in itertools.islice(_non_empty_rows(table), 200)]
    source_crs = _source_crs(crs or table.crs, head, file=table.name)
    projected = not source_crs.is_geographic
    locate = _Locator(source_crs, outline, tolerance_m=tolerance_m, keep_outside=keep_outside)

    # Chunk by chunk, column by column: the commonest shapes of dates and coordinates are read for a
    # whole column (`geo.io.fast_parse`), offences once per distinct name; the per-row parser
    # (`_parse_row`) takes the rows the fast path cannot settle, and gives every message.
    parts: list[pd.DataFrame] = []
    unknown: Counter[str] = Counter()
    offences: dict[tuple[type, Any], str | None] = {}
    rows = empty = 0
    total = len(table.rows)
    for done, (raw, raw_numbers) in column_chunks(table, _CHUNK_ROWS):
        if progress is not None:
            progress(done, total)
        cells, numbers, blank = _drop_empty(raw, raw_numbers)
        rows, empty = rows + len(numbers), empty + blank
        if not len(numbers):
            continue
        part, problems = _check_chunk(
            cells,
            numbers,
            position,
            columns,
            order=order,
            now=limit,
            projected=projected,
            offence_map=offence_map,
            offences=offences,
            unknown=unknown,
        )
        issues.extend(problems)
        xy_text = _xy_text(cells, position)
        part, geo_issues = locate(part, columns, xy_text)
        issues.extend(geo_issues)
        parts.append(part)
    if progress is not None:
        progress(total, total)
    frame = pd.concat(parts, ignore_index=True) if parts else _no_rows()
    del parts
    if "incident_id" not in columns:
        # Rows alike in every field are separate incidents of the ledger (two thefts in one commune in
        # one month): the second and later get "-2", "-3"… in file order, stable when read again.
        seen: Counter[str] = Counter()
        ids = []
        for line in frame.itertuples(index=False):
            base = _auto_id(line)
            seen[base] += 1
            ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
        frame["incident_id"] = ids
        issues.append(Issue(None, "", "", _AUTO_IDS, "warning"))
        alike = sum(n - 1 for n in seen.values())
        if alike:
            issues.append(Issue(None, "", "", _ALIKE.format(n=alike), "warning"))
    repeats, unique = _duplicates(frame, columns.get("incident_id", ""))
    issues.extend(repeats)
    kept = [c for c in frame.columns if c in COLUMNS or c in ("placed", "commune_given")]
    frame = frame.loc[frame["ok"].to_numpy() & unique, kept].reset_index(drop=True)
    placed = frame["placed"].fillna(False).to_numpy(dtype=bool)
    located = frame if not placed.any() else frame.loc[~placed, ["lon", "lat", "commune_given", "source_row"]]
    codes, commune_issues = check_communes(located, communes, columns.get("commune", ""))
    del located
    issues.extend(commune_issues)
    if placed.any():
        by_name, place_issues = place_by_commune(frame[placed], communes, columns.get("commune", ""), history)
        issues.extend(place_issues)
        merged = np.empty(len(frame), dtype=object)
        merged[~placed], merged[placed] = codes, by_name
        keep = ~placed | (merged != "")
        frame, codes = frame[keep].reset_index(drop=True), merged[keep]
    frame["commune_code"] = codes
    frame["offence_group"] = frame["offence_code"].map(group_of()).fillna("")
    accepted = frame[COLUMNS]
    del frame
    accepted = accepted.astype({"occurred_at": "datetime64[ns]", "lon": float, "lat": float}, copy=False)
    return Validation(
        table.name,
        table.sha256,
        accepted,
        sort_issues(issues),
        rows,
        empty,
        columns,
        order,
        crs_label(source_crs),
        dict(unknown.most_common()),
    )


_US_DATES = (
    "Cột ngày có {n} giá trị chỉ đọc được theo kiểu tháng/ngày/năm (Mỹ), ví dụ 01/25/2024. "
    "Để không đọc nhầm ngày và tháng, hãy chọn rõ định dạng ngày: mm/dd/yyyy nếu tệp dùng tháng/ngày, "
    "dd/mm/yyyy nếu không (--date-format)."
)
_AMBIGUOUS_DATES = (
    "Mọi ngày dạng a/b/yyyy trong tệp đều có a và b không quá 12 nên không tự phân biệt được ngày/tháng: "
    "đã đọc theo ngày/tháng/năm. Nếu tệp dùng tháng/ngày (kiểu Mỹ), hãy chọn định dạng mm/dd/yyyy."
)
_AUTO_IDS = (
    "Tệp không có cột mã vụ: đã tạo mã tự động từ nội dung dòng (ngày, tội danh, tọa độ hoặc xã, mô tả) "
    "(nhập lại cùng tệp sẽ cập nhật, không nhân đôi)."
)
_ALIKE = (
    "{n} dòng giống hệt một dòng trước đó (cùng ngày, tội danh, nơi xảy ra và mô tả): đã nhận là các vụ "
    "riêng. Nếu đó là dòng chép trùng, hãy xóa bớt trong tệp."
)
_RECORD_KEYS = (
    "incident_id",
    "occurred_at",
    "precision",
    "offence_code",
    "x",
    "y",
    "xy_text",
    "commune_given",
    "placed",
    *_TEXT_FIELDS,
)


def _non_empty_rows(table: RawTable) -> Iterator[tuple[Any, ...]]:
    """The rows of ``table`` that hold something, lazily (the first ones are read to guess the CRS)."""
    return (row for row in table.rows if not _blank_row(row))


def _blank_row(row: Sequence[Any]) -> bool:
    return not any(c is not None and str(c).strip() != "" for c in row)


def _count_rows(table: RawTable) -> tuple[int, int]:
    """Return (rows holding something, empty rows) of ``table``."""
    rows = empty = 0
    for _, (cells, numbers) in column_chunks(table, _CHUNK_ROWS):
        _, kept, blank = _drop_empty(cells, numbers)
        rows, empty = rows + len(kept), empty + blank
    return rows, empty


def _date_order_guess(table: RawTable, index: int) -> DateOrderGuess:
    """`geo.io.parsing.guess_date_order` of the column at ``index``, read chunk by chunk."""
    day_first = month_first = slashed = 0
    for _, (cells, _numbers) in column_chunks(table, _CHUNK_ROWS, only=(index,)):
        guess = fast_date_order(cells[index])
        day_first, month_first = day_first + guess.day_first, month_first + guess.month_first
        slashed += guess.slashed
    return date_order_of(day_first, month_first, slashed)


def _drop_empty(
    cells: list[Sequence[Any]], numbers: np.ndarray
) -> tuple[list[Sequence[Any]], np.ndarray, int]:
    """Return the chunk without its empty rows, and how many there were."""
    n = len(numbers)
    filled = np.zeros(n, dtype=bool)
    for column in cells:
        rest = np.flatnonzero(~filled)
        if not len(rest):
            break
        if len(rest) == n:
            filled = np.array([_filled(c) for c in column], dtype=bool)
        else:
            filled[rest] = [_filled(column[i]) for i in rest.tolist()]
    if filled.all():
        return cells, numbers, 0
    keep = filled.tolist()
    return [list(itertools.compress(c, keep)) for c in cells], numbers[filled], int(n - filled.sum())


def _no_rows() -> pd.DataFrame:
    frame = pd.DataFrame({key: pd.Series(dtype=object) for key in _FRAME_KEYS})
    return frame.astype(
        {
            "occurred_at": "datetime64[ns]",
            "x": float,
            "y": float,
            "lon": float,
            "lat": float,
            "placed": bool,
            "ok": bool,
            "source_row": np.int64,
        }
    )


_FRAME_KEYS = (*(k for k in _RECORD_KEYS if k != "xy_text"), "source_row", "ok", "lon", "lat")
"""Columns of the checked rows before duplicates and communes are looked at."""


def _check_chunk(
    cells: list[Sequence[Any]],
    numbers: np.ndarray,
    position: dict[str, int],
    columns: dict[str, str],
    *,
    order: str,
    now: datetime,
    projected: bool,
    offence_map: Mapping[str, str] | None,
    offences: dict[tuple[type, Any], str | None],
    unknown: Counter[str],
) -> tuple[pd.DataFrame, list[Issue]]:
    """Check the non-empty rows of one chunk, column by column; the per-row parser only where needed."""
    n = len(numbers)
    nothing: list[Any] = [None] * n

    def column(name: str) -> Sequence[Any]:
        return cells[position[name]] if name in position else nothing

    if "time" in position:  # a date and a separate time cell: the per-row parser joins them
        stamps = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        precision = np.full(n, "", dtype=object)
    else:
        stamps, precision = fast_when_array(column("occurred_at"), order=order, now=now)
    settled = precision != ""
    if "incident_id" in columns:
        ids: list[Any] = [_id_text(v) for v in column("incident_id")]
        settled &= np.fromiter(map(bool, ids), dtype=bool, count=n)
    else:
        ids = list(nothing)
    codes: list[Any] = []
    for value in column("offence"):
        key = (type(value), value)
        if key not in offences:
            offences[key] = _offence_or_none(value, offence_map)
        codes.append(offences[key])
    settled &= np.fromiter((c is not None for c in codes), dtype=bool, count=n)
    given = (
        [value_text(v, limit=200).strip() for v in column("commune")] if "commune" in position else [""] * n
    )
    nan = np.full(n, np.nan)
    x = fast_number(column("lon")) if "lon" in position else nan
    y = fast_number(column("lat")) if "lat" in position else nan.copy()
    # A cell read as a number is not blank: only the others are looked at.
    blank = np.isnan(x) & np.isnan(y)
    for name in ("lon", "lat"):
        cells_of = column(name)
        rest = np.flatnonzero(blank).tolist()
        blank[rest] = [_blank(cells_of[i]) for i in rest]
    placed = blank & ("commune" in columns)
    x[placed] = np.nan
    y[placed] = np.nan
    settled &= placed | (np.isfinite(x) & np.isfinite(y))
    texts = {
        name: [_text(v) for v in column(name)] if name in position else [""] * n for name in _TEXT_FIELDS
    }
    ok = settled.copy()
    problems: list[Issue] = []
    cell = _Cell(position)
    for index in np.flatnonzero(~settled).tolist():
        row = tuple(c[index] for c in cells)
        number = int(numbers[index])
        record, found = _parse_row(
            row,
            number,
            cell,
            columns,
            order=order,
            now=now,
            projected=projected,
            offence_map=offence_map,
            when=(stamps[index].astype("datetime64[us]").item(), precision[index])
            if precision[index]
            else None,
            xy=(float(x[index]), float(y[index])),
        )
        name = value_text(cell(row, "offence")).strip()
        if name and any(p.field == columns["offence"] for p in found):
            unknown[name] += 1
        problems.extend(found)
        ok[index] = not found
        ids[index], codes[index], given[index] = (
            record["incident_id"],
            record["offence_code"],
            record["commune_given"],
        )
        if record["occurred_at"] is not None:
            stamps[index], precision[index] = np.datetime64(record["occurred_at"], "ns"), record["precision"]
        x[index] = np.nan if record["x"] is None else record["x"]
        y[index] = np.nan if record["y"] is None else record["y"]
        for name in _TEXT_FIELDS:
            texts[name][index] = record[name]
    precision[precision == ""] = None
    frame = pd.DataFrame(
        {
            "incident_id": ids,
            "occurred_at": stamps,
            "precision": precision,
            "offence_code": codes,
            "x": x,
            "y": y,
            "commune_given": given,
            "placed": placed,
            **texts,
            "source_row": numbers,
            "ok": ok,
        }
    )
    return frame, problems


class _Cell:
    """``cell(row, name)``: the cell of field ``name`` in ``row`` (None when the file has no such column)."""

    def __init__(self, position: dict[str, int]) -> None:
        self.position = position

    def __call__(self, row: tuple[Any, ...], name: str) -> Any:
        return row[self.position[name]] if name in self.position else None


def _offence_or_none(value: Any, mapping: Mapping[str, str] | None) -> str | None:
    try:
        return parse_offence(value, mapping=mapping)
    except DataError:
        return None


def _xy_text(cells: list[Sequence[Any]], position: dict[str, int]) -> Callable[[int], str]:
    """The coordinates of a row as written (for its message), looked up only for rows with a problem."""

    def text(index: int) -> str:
        lon = cells[position["lon"]][index] if "lon" in position else None
        lat = cells[position["lat"]][index] if "lat" in position else None
        return f"{value_text(lon)} / {value_text(lat)}"

    return text


def _empty(
    table: RawTable, issues: list[Issue], *, rows: int, empty: int, columns: dict[str, str]
) -> Validation:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame = frame.astype({"occurred_at": "datetime64[ns]", "lon": float, "lat": float})
    return Validation(table.name, table.sha256, frame, sort_issues(issues), rows, empty, columns)


def _source_crs(crs: str | None, sample: list[Any], *, file: str) -> CRS:
    if crs:
        shown = clean_text(crs)[:80]
        try:
            chosen = CRS.from_user_input(crs)
        except (CRSError, ValueError, TypeError) as exc:
            raise DataError(
                f"Hệ tọa độ «{shown}» không xác định: ghi mã EPSG, ví dụ EPSG:5897.", file=file, value=shown
            ) from exc
        if not usable_crs(chosen):
            raise DataError(
                f"Hệ tọa độ «{shown}» không dùng được (hệ tọa độ cục bộ, hoặc không chuyển được sang kinh "
                "độ/vĩ độ): ghi mã EPSG, ví dụ EPSG:5897.",
                file=file,
                value=shown,
            )
        return chosen
    values = []
    for value in sample:
        try:
            values.append(abs(parse_degrees(value)))
        except DataError:
            continue
    if values and float(np.median(values)) > 180:
        choices = "; ".join(f"{k} — {v}" for k, v in CRS_CHOICES.items() if k != settings.CRS_WGS84)
        raise DataError(
            f"Tọa độ là số lớn (vd {value_text(sample[0])}): tệp dùng hệ tọa độ phẳng. Hãy chọn hệ tọa độ "
            f"của tệp ({choices}) bằng ô «Hệ tọa độ» hoặc --crs.",
            file=file,
        )
    return CRS.from_user_input(settings.CRS_WGS84)


def _parse_row(
    row: tuple[Any, ...],
    number: int,
    cell: Any,
    columns: dict[str, str],
    *,
    order: str,
    now: datetime,
    projected: bool,
    offence_map: Mapping[str, str] | None,
    when: tuple[datetime, str] | None = None,
    xy: tuple[float, float] = (math.nan, math.nan),
) -> tuple[dict[str, Any], list[Issue]]:
    problems: list[Issue] = []
    record: dict[str, Any] = dict.fromkeys(_RECORD_KEYS)

    def attempt(key: str, name: str, parse: Any, value: Any, **options: Any) -> None:
        try:
            record[key] = parse(value, row=number, field=columns[name], **options)
        except DataError as error:
            problems.append(Issue.from_error(error))

    if "incident_id" in columns:
        ident = _id_text(cell(row, "incident_id"))
        if ident:
            record["incident_id"] = ident
        else:
            problems.append(
                Issue(number, columns["incident_id"], "", "Thiếu mã vụ: mỗi vụ việc cần một mã riêng.")
            )
    if when is not None:  # read with its whole column (`geo.io.fast_parse.fast_when`)
        record["occurred_at"], record["precision"] = when
    else:
        try:
            record["occurred_at"], record["precision"] = parse_when(
                _with_time(cell(row, "occurred_at"), cell(row, "time")),
                order=order,
                now=now,
                row=number,
                field=columns["occurred_at"],
            )
        except DataError as error:
            problems.append(Issue.from_error(error))
    attempt("offence_code", "offence", parse_offence, cell(row, "offence"), mapping=offence_map)
    record["commune_given"] = value_text(cell(row, "commune"), limit=200).strip()
    blank = [_blank(cell(row, name)) for name in ("lon", "lat")]
    # A ledger row with a commune and no coordinates is placed at commune level (`place_by_commune`).
    record["placed"] = all(blank) and ("commune" in columns)
    if record["placed"]:
        record["x"] = record["y"] = math.nan
    else:
        coordinate = parse_number if projected else parse_degrees
        for key, name, known in (("x", "lon", xy[0]), ("y", "lat", xy[1])):
            if not math.isnan(known):  # read with its whole column (`geo.io.fast_parse.fast_degrees`)
                record[key] = known
            elif name in columns:
                attempt(key, name, coordinate, cell(row, name))
            else:
                problems.append(
                    Issue(number, FIELDS[name], "", "Thiếu tọa độ (hoặc ghi xã để nhận theo xã).")
                )
    record["xy_text"] = f"{value_text(cell(row, 'lon'))} / {value_text(cell(row, 'lat'))}"
    for name in _TEXT_FIELDS:
        record[name] = _text(cell(row, name))
    return record, problems


def _filled(value: Any) -> bool:
    """``not _blank(value)``, quicker for text."""
    if type(value) is str:
        return value != "" and not value.isspace()
    return not _blank(value)


def _blank(value: Any) -> bool:
    """Whether a cell holds nothing (absent column, None, NaN or only spaces)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip()


def _id_text(value: Any) -> str:
    """Return an incident id as text; whole numbers from spreadsheets lose their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if value is not None else ""


def _with_time(day: Any, clock: Any) -> Any:
    """Join a date cell and a separate time cell (text, a time, or a fraction of a day)."""
    if clock is None or str(clock).strip() == "":
        return day
    if isinstance(clock, time | datetime):
        clock = clock.strftime("%H:%M:%S")
    elif isinstance(clock, float) and 0 <= clock < 1:
        seconds = round(clock * 86400)
        clock = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    if isinstance(day, datetime):
        day = day.strftime("%d/%m/%Y")
    return f"{day} {clock}"


def _text(value: Any) -> str:
    """Return a free-text cell as text, kept verbatim (a formula stays text, never evaluated).

    A leading apostrophe before ``= + - @`` is the neutraliser our exports add: it is removed so an
    exported file imports back unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        return text[1:]
    return text


class _Locator:
    """Convert coordinates to lon/lat, reject (or keep) points outside the area and detect swapped ones.

    Built once per file (the area's buffer and transformers), called for each chunk of rows.
    """

    def __init__(
        self, source_crs: CRS, outline: shapely.Geometry, *, tolerance_m: float, keep_outside: bool
    ) -> None:
        self.source_crs, self.outline = source_crs, outline
        self.tolerance_m, self.keep_outside = tolerance_m, keep_outside
        crs = _area_crs(outline)
        self.metric = Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True)
        self.area = shapely.buffer(_to_metric(outline, crs), tolerance_m)
        shapely.prepare(self.area)

    def inside(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        mx, my = self.metric.transform(lons, lats)
        ok = np.isfinite(mx) & np.isfinite(my)
        result = np.zeros(len(lons), dtype=bool)
        result[ok] = shapely.contains_xy(self.area, mx[ok], my[ok])
        return result

    def __call__(
        self, frame: pd.DataFrame, columns: dict[str, str], xy_text: Callable[[int], str]
    ) -> tuple[pd.DataFrame, list[Issue]]:
        issues: list[Issue] = []
        x = pd.to_numeric(frame["x"], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(frame["y"], errors="coerce").to_numpy(dtype=float)
        lon, lat = _to_wgs84(self.source_crs, x, y)
        has_xy = np.isfinite(x) & np.isfinite(y)
        placed = frame["placed"].fillna(False).to_numpy(dtype=bool)
        good = (self.inside(lon, lat) & has_xy) | placed
        swapped = ~good & has_xy
        if swapped.any():
            slon, slat = _to_wgs84(self.source_crs, y[swapped], x[swapped])
            swapped[swapped] = self.inside(slon, slat)
        far = ~good & has_xy & ~swapped
        if self.keep_outside:
            kept = far & np.isfinite(lon) & np.isfinite(lat)
            good, far = good | kept, far & ~kept
        source_rows = frame["source_row"].to_numpy(dtype=int)
        for index in np.flatnonzero(swapped):
            number = int(source_rows[index])
            issues.append(
                Issue(
                    number,
                    f"{columns['lon']} / {columns['lat']}",
                    xy_text(int(index)),
                    "Kinh độ và vĩ độ bị đảo chỗ (đổi chỗ thì điểm nằm trong huyện): hãy đổi lại hai giá trị.",
                )
            )
        distances = _distance_km(self.outline, lon, lat, far)
        for index in np.flatnonzero(far):
            number = int(source_rows[index])
            where = (
                f"cách ranh giới khoảng {distances[index]:.1f} km".replace(".", ",")
                if np.isfinite(distances[index])
                else "tọa độ sai"
            )
            issues.append(
                Issue(
                    number,
                    f"{columns['lon']} / {columns['lat']}",
                    xy_text(int(index)),
                    f"Điểm nằm ngoài huyện ({where}; chấp nhận tối đa {self.tolerance_m:.0f} m): kiểm tra tọa độ "
                    "và hệ tọa độ.",
                )
            )
        out = frame.assign(lon=np.round(lon, 7), lat=np.round(lat, 7))
        out["ok"] = out["ok"] & good
        return out, issues


def _to_wgs84(source: CRS, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if source.equals(CRS.from_user_input(settings.CRS_WGS84)):
        lon, lat = x.copy(), y.copy()
    else:
        transformer = Transformer.from_crs(source, settings.CRS_WGS84, always_xy=True)
        lon, lat = transformer.transform(x, y)
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    bad = ~((np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    lon[bad] = np.nan
    lat[bad] = np.nan
    return lon, lat


def _area_crs(outline: shapely.Geometry) -> CRS:
    """The metric CRS of the area (UTM 48N in Vietnam, the local UTM zone elsewhere)."""
    if outline is None or outline.is_empty:
        return CRS.from_user_input(settings.CRS_METRIC)
    return metric_crs(gpd.GeoDataFrame(geometry=[outline], crs=settings.CRS_WGS84))


def _to_metric(geometry: shapely.Geometry, crs: CRS) -> shapely.Geometry:
    return gpd.GeoSeries([geometry], crs=settings.CRS_WGS84).to_crs(crs).iloc[0]


def _distance_km(outline: shapely.Geometry, lon: np.ndarray, lat: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.full(len(lon), np.nan)
    if not mask.any():
        return out
    crs = _area_crs(outline)
    metric = Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True)
    mx, my = metric.transform(lon[mask], lat[mask])
    out[mask] = shapely.distance(_to_metric(outline, crs), shapely.points(mx, my)) / 1000
    return out


def _auto_id(record: Any) -> str:
    key = f"{record.occurred_at}|{record.offence_code}|{record.lon:.6f}|{record.lat:.6f}|{record.description}"
    if record.placed:  # no point: the place as written, the address and the status tell rows apart
        key += f"|{record.commune_given}|{record.address}|{record.status}"
    return "auto-" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]


def _duplicates(frame: pd.DataFrame, column: str) -> tuple[list[Issue], np.ndarray]:
    """Reject every repeat of an incident id within the file; return the issues and a keep-mask."""
    ids = frame["incident_id"]
    filled = ids.notna().to_numpy() & (ids.astype(str) != "").to_numpy()
    keep = np.ones(len(frame), dtype=bool)
    repeat = filled & ids.duplicated(keep="first").to_numpy()
    if not repeat.any():
        return [], keep
    numbers = frame["source_row"].to_numpy()
    first = dict(zip(ids[filled & ~repeat].tolist(), numbers[filled & ~repeat].tolist(), strict=True))
    issues = []
    for index in np.flatnonzero(repeat).tolist():
        ident = ids.iloc[index]
        message = f"Mã vụ trùng với dòng {first[ident]} của tệp: dòng này bị bỏ."
        issues.append(Issue(int(numbers[index]), column, str(ident), message))
        keep[index] = False
    return issues, keep
