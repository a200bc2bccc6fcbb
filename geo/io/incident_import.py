"""Validate every row of an incident file and normalise it to the incidents schema, before any write."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Mapping
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
from geo.io.fast_parse import fast_degrees, fast_when
from geo.io.offences import parse_offence
from geo.io.parsing import (
    date_order,
    guess_date_order,
    parse_degrees,
    parse_number,
    parse_when,
)
from geo.io.safety import clean_text, usable_crs
from geo.io.tables import FIELDS, RawTable, map_columns
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
_PROGRESS_EVERY = 2000


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
    columns = map_columns(table.columns, mapping=mapping, file=table.name)
    position = {f: table.columns.index(c) for f, c in columns.items()}
    outline = outline if outline is not None else district_outline(communes)
    limit = now or now_local()
    rows, numbers, empty = _non_empty(table)
    issues: list[Issue] = []

    def cell(row: tuple[Any, ...], name: str) -> Any:
        return row[position[name]] if name in position else None

    order = date_order(date_format)
    if order is None:
        guess = guess_date_order([cell(r, "occurred_at") for r in rows])
        if guess.order == "mdy":
            issues.append(Issue(None, columns["occurred_at"], "", _US_DATES.format(n=guess.month_first)))
            return _empty(table, issues, rows=len(rows), empty=empty, columns=columns)
        if guess.order == "ambiguous" and guess.slashed:
            issues.append(Issue(None, columns["occurred_at"], "", _AMBIGUOUS_DATES, "warning"))
        order = "dmy"
    source_crs = _source_crs(crs or table.crs, [cell(r, "lon") for r in rows[:200]], file=table.name)
    projected = not source_crs.is_geographic

    # The commonest shapes of dates and coordinates are read column by column (`geo.io.fast_parse`);
    # the per-row parsers take the rest, and every value that needs a message.
    times, precisions = (
        fast_when([cell(r, "occurred_at") for r in rows], order=order, now=limit)
        if "time" not in position
        else ([None] * len(rows), [""] * len(rows))
    )
    xs, ys = (
        (fast_degrees([cell(r, "lon") for r in rows]), fast_degrees([cell(r, "lat") for r in rows]))
        if not projected and "lon" in position and "lat" in position
        else (np.full(len(rows), np.nan), np.full(len(rows), np.nan))
    )
    # Column by column: a dict per row kept for a million rows would take more memory than the file.
    keys = [*_RECORD_KEYS, "source_row", "ok"]
    parsed: dict[str, list[Any]] = {key: [] for key in keys}
    unknown: Counter[str] = Counter()
    for done, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(done, len(rows))
        known = times[done]
        record, problems = _parse_row(
            row,
            number,
            cell,
            columns,
            order=order,
            now=limit,
            projected=projected,
            offence_map=offence_map,
            when=None if known is None else (known, precisions[done]),
            xy=(float(xs[done]), float(ys[done])),
        )
        name = value_text(cell(row, "offence")).strip()
        if name and any(p.field == columns["offence"] for p in problems):
            unknown[name] += 1
        issues.extend(problems)
        record["source_row"] = number
        record["ok"] = not problems
        for key in keys:
            parsed[key].append(record[key])
    frame = pd.DataFrame(parsed, columns=keys)
    frame, geo_issues = _locate(
        frame,
        columns,
        source_crs=source_crs,
        outline=outline,
        tolerance_m=tolerance_m,
        keep_outside=keep_outside,
    )
    issues.extend(geo_issues)
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
    frame = frame[frame["ok"].to_numpy() & unique].reset_index(drop=True)
    placed = frame["placed"].fillna(False).to_numpy(dtype=bool)
    codes, commune_issues = check_communes(frame[~placed], communes, columns.get("commune", ""))
    issues.extend(commune_issues)
    if placed.any():
        by_name, place_issues = place_by_commune(frame[placed], communes, columns.get("commune", ""), history)
        issues.extend(place_issues)
        merged = np.empty(len(frame), dtype=object)
        merged[~placed], merged[placed] = codes, by_name
        keep = ~placed | (merged != "")
        frame, codes = frame[keep].reset_index(drop=True), merged[keep]
    accepted = frame.assign(
        commune_code=codes, offence_group=frame["offence_code"].map(group_of()).fillna("")
    )
    accepted = accepted[COLUMNS]
    accepted = accepted.astype({"occurred_at": "datetime64[ns]", "lon": float, "lat": float}).reset_index(
        drop=True
    )
    return Validation(
        table.name,
        table.sha256,
        accepted,
        sort_issues(issues),
        len(rows),
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


def _non_empty(table: RawTable) -> tuple[list[tuple[Any, ...]], list[int], int]:
    rows, numbers = [], []
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        if any(c is not None and str(c).strip() != "" for c in row):
            rows.append(row)
            numbers.append(number)
    return rows, numbers, len(table.rows) - len(rows)


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


def _locate(
    frame: pd.DataFrame,
    columns: dict[str, str],
    *,
    source_crs: CRS,
    outline: shapely.Geometry,
    tolerance_m: float,
    keep_outside: bool,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Convert coordinates to lon/lat, reject (or keep) points outside the area and detect swapped ones."""
    issues: list[Issue] = []
    x = pd.to_numeric(frame["x"], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(frame["y"], errors="coerce").to_numpy(dtype=float)
    lon, lat = _to_wgs84(source_crs, x, y)
    crs = _area_crs(outline)
    metric = Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True)
    area = shapely.buffer(_to_metric(outline, crs), tolerance_m)
    shapely.prepare(area)

    def inside(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        mx, my = metric.transform(lons, lats)
        ok = np.isfinite(mx) & np.isfinite(my)
        result = np.zeros(len(lons), dtype=bool)
        result[ok] = shapely.contains_xy(area, mx[ok], my[ok])
        return result

    has_xy = np.isfinite(x) & np.isfinite(y)
    placed = frame["placed"].fillna(False).to_numpy(dtype=bool)
    good = (inside(lon, lat) & has_xy) | placed
    slon, slat = _to_wgs84(source_crs, y, x)
    swapped = ~good & has_xy & inside(slon, slat)
    far = ~good & has_xy & ~swapped
    if keep_outside:
        kept = far & np.isfinite(lon) & np.isfinite(lat)
        good, far = good | kept, far & ~kept
    source_rows = frame["source_row"].to_numpy(dtype=int)
    for index in np.flatnonzero(swapped):
        number = int(source_rows[index])
        issues.append(
            Issue(
                number,
                f"{columns['lon']} / {columns['lat']}",
                str(frame["xy_text"].iloc[index]),
                "Kinh độ và vĩ độ bị đảo chỗ (đổi chỗ thì điểm nằm trong huyện): hãy đổi lại hai giá trị.",
            )
        )
    distances = _distance_km(outline, lon, lat, far)
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
                str(frame["xy_text"].iloc[index]),
                f"Điểm nằm ngoài huyện ({where}; chấp nhận tối đa {tolerance_m:.0f} m): kiểm tra tọa độ "
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
    issues = []
    keep = np.ones(len(frame), dtype=bool)
    first: dict[str, int] = {}
    for index, (ident, number) in enumerate(zip(frame["incident_id"], frame["source_row"], strict=True)):
        if not ident:
            continue
        if ident in first:
            message = f"Mã vụ trùng với dòng {first[ident]} của tệp: dòng này bị bỏ."
            issues.append(Issue(int(number), column, str(ident), message))
            keep[index] = False
        else:
            first[ident] = int(number)
    return issues, keep
