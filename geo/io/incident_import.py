"""Validate every row of an incident file and normalise it to the incidents schema, before any write."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo import incidents as incident_schema
from geo import settings
from geo._errors import DataError
from geo._validate import CheckedFile, Issue, sort_issues, value_text
from geo.communes import crs_label, district_outline
from geo.dates import now_local
from geo.history import UnitHistory
from geo.io import incident_chunks as chunks
from geo.io.assignment import check_communes, place_by_commune
from geo.io.headers import map_columns
from geo.io.incident_chunks import (
    check_chunk,
    count_rows,
    date_order_guess,
    drop_empty,
    no_rows,
    non_empty_rows,
    xy_text_of,
)
from geo.io.locate import Locator
from geo.io.numbers import parse_degrees
from geo.io.parsing import date_order
from geo.io.raw_table import RawTable, column_chunks, gc_paused
from geo.io.safety import clean_text, usable_crs
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
    release_rows: bool = False,
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
    release_rows
        Free the cells of a large CSV (`geo.io.raw_table.ColumnRows`) block by block once checked,
        so a million rows' raw cells are not kept beside the checked ones; ``table``'s rows cannot be
        read again (the command line reads them once).

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
            release_rows=release_rows,
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
    release_rows: bool,
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
        guess = date_order_guess(table, position["occurred_at"])
        if guess.order == "mdy":
            issues.append(Issue(None, columns["occurred_at"], "", _US_DATES.format(n=guess.month_first)))
            rows, empty = count_rows(table)
            return _empty(table, issues, rows=rows, empty=empty, columns=columns)
        if guess.order == "ambiguous" and guess.slashed:
            issues.append(Issue(None, columns["occurred_at"], "", _AMBIGUOUS_DATES, "warning"))
        order = "dmy"
    head = [cell(r, "lon") for r in itertools.islice(non_empty_rows(table), 200)]
    source_crs = _source_crs(crs or table.crs, head, file=table.name)
    projected = not source_crs.is_geographic
    locate = Locator(source_crs, outline, tolerance_m=tolerance_m, keep_outside=keep_outside)

    # Chunk by chunk, column by column: the commonest shapes of dates and coordinates are read for a
    # whole column (`geo.io.fast_parse`), offences once per distinct name; the per-row parser
    # (`parse_row`) takes the rows the fast path cannot settle, and gives every message.
    parts: list[pd.DataFrame] = []
    unknown: Counter[str] = Counter()
    offences: dict[tuple[type, Any], str | None] = {}
    rows = empty = 0
    total = len(table.rows)
    for done, (raw, raw_numbers) in column_chunks(table, chunks.CHUNK_ROWS, release=release_rows):
        if progress is not None:
            progress(done, total)
        cells, numbers, blank = drop_empty(raw, raw_numbers)
        rows, empty = rows + len(numbers), empty + blank
        if not len(numbers):
            continue
        part, problems = check_chunk(
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
        xy_text = xy_text_of(cells, position)
        part, geo_issues = locate(part, columns, xy_text)
        issues.extend(geo_issues)
        parts.append(part)
    if progress is not None:
        progress(total, total)
    frame = pd.concat(parts, ignore_index=True) if parts else no_rows()
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
