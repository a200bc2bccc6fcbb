"""Import official commune boundaries from GeoJSON, zipped Shapefile or GeoPackage in any EPSG CRS."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo._errors import BoundaryError, DataError
from geo._validate import CheckedFile, Issue, sort_issues, value_text
from geo.communes import (
    CODE_MAX_LENGTH,
    COLUMNS,
    assign_commune,
    codes_from_names,
    crs_label,
    name_key,
)
from geo.history import GROUP_MARK
from geo.io.boundary_fields import recognise_fields
from geo.io.boundary_geometry import (
    alignment,
    in_degrees,
    repair,
    single_parts,
    within,
)
from geo.io.headers import header_key
from geo.io.layers import LayerFile, checked_crs, read_layer_file
from geo.io.numbers import parse_count, parse_number
from geo.io.safety import clean_text

DERIVED_CODE = "(mã tạo từ tên)"
"""The field name shown when a layer has no code attribute and codes were made from the names."""


@dataclass(frozen=True)
class BoundaryImport(CheckedFile):
    """The outcome of checking a boundary file.

    Attributes
    ----------
    file_name, sha256
        The file checked.
    communes
        The communes (EPSG:4326, `geo.communes.COLUMNS`) ready to replace the current ones.
    issues
        Errors (the file cannot be used) and warnings (repairs, dropped features, misalignment).
    source_crs
        The CRS the file was read in.
    field_map
        Field → attribute of the file used (``code`` is `DERIVED_CODE` when codes were made from names).
    offset_m
        Largest distance between the outer edge of the communes and the district outline (metres).
    matches
        Stored units matched to the file's units by their normalised name where the codes differ:
        ``(stored code, stored name, new code, new name)``, for the analyst to confirm; the plan's
        targets follow these matches when the boundaries are replaced.
    """

    file_name: str
    sha256: str
    communes: gpd.GeoDataFrame
    issues: tuple[Issue, ...]
    source_crs: str
    field_map: dict[str, str] = field(default_factory=dict)
    offset_m: float = float("nan")
    matches: tuple[tuple[str, str, str, str], ...] = ()

    @property
    def renamed(self) -> dict[str, str]:
        """Stored code → new code of the units matched by name (`matches`)."""
        return {old: new for old, _, new, _ in self.matches}


@dataclass(frozen=True)
class Reassignment:
    """What replacing the boundaries does to the stored incidents.

    Attributes
    ----------
    codes
        The new commune code of each incident (``""`` outside every commune), aligned to the input.
    changed
        Incidents whose commune changes.
    outside
        Incidents that fall outside every new commune.
    """

    codes: pd.Series
    changed: int
    outside: int


def import_boundaries(
    source: bytes | Path | LayerFile,
    *,
    name: str | None = None,
    layer: str | None = None,
    crs: str | None = None,
    fields: Mapping[str, str] | None = None,
    outline: shapely.Geometry | None = None,
    previous: gpd.GeoDataFrame | None = None,
    population_year: int | None = None,
    max_bytes: int | None = None,
) -> BoundaryImport:
    """Read and check a commune boundary file; return the communes in EPSG:4326 with a report.

    Parameters
    ----------
    source
        The file's bytes or path: GeoJSON, zipped Shapefile (with ``.prj``) or GeoPackage; or the
        file already read by `geo.io.layers.read_layer_file` (then ``name``, ``layer``, ``crs`` and
        ``max_bytes`` were given there), so a page that shows the layer's attributes first reads
        the upload once.
    name
        The file name (decides the format).
    layer
        The layer of a multi-layer GeoPackage.
    crs
        The CRS of the coordinates (e.g. ``"EPSG:5897"``) when the file does not say, or says wrongly.
    fields
        Field (a key of `geo.io.boundary_fields.BOUNDARY_FIELDS`) → attribute name; unmapped fields are recognised by name.
    outline
        The district outline (EPSG:4326): features outside it are dropped, the rest is checked against it.
    previous
        The current communes: their population fills in where the file has none.
    population_year
        Year of the population figures when the file does not say.
    max_bytes
        Larger files are refused before they are read (default `geo.settings.IMPORT_MAX_BYTES`).

    Raises
    ------
    BoundaryError
        The file cannot be read, is too large, has no CRS and none was given, a CRS that cannot be
        converted to longitude/latitude, or coordinates off the globe. Nothing else: any content
        gives this error or a report.
    """
    read = (
        source
        if isinstance(source, LayerFile)
        else read_layer_file(source, name=name, layer=layer, crs=crs, max_bytes=max_bytes)
    )
    name = read.name
    try:
        return _checked(
            read,
            fields=fields,
            outline=outline,
            previous=previous,
            population_year=population_year,
        )
    except MemoryError as exc:
        raise BoundaryError(
            "Tệp cần quá nhiều bộ nhớ để kiểm tra: hãy tách thành nhiều tệp nhỏ hơn.", file=name
        ) from exc
    except shapely.errors.GEOSException as exc:
        raise BoundaryError(
            f"Hình học không xử lý được ({clean_text(str(exc))[:160]}): kiểm tra tệp trong phần mềm GIS.",
            file=name,
        ) from exc


def _checked(
    read: LayerFile,
    *,
    fields: Mapping[str, str] | None,
    outline: shapely.Geometry | None,
    previous: gpd.GeoDataFrame | None,
    population_year: int | None,
) -> BoundaryImport:
    name = read.name
    frame = checked_crs(read.frame, name=name)
    source_crs = crs_label(frame.crs)
    issues: list[Issue] = []
    field_map = recognise_fields(frame, fields, name=name)
    if "code" not in field_map:
        frame = frame.assign(**{DERIVED_CODE: codes_from_names(frame[field_map["name"]].astype(str))})
        field_map["code"] = DERIVED_CODE
        issues.append(
            Issue(
                None,
                field_map["name"],
                "",
                "Tệp không có mã đơn vị: đã tạo mã từ tên (vd «Vĩnh Lộc» → «vinhloc»). Nếu có mã chính thức, "
                "hãy chọn thuộc tính mã.",
                "warning",
            )
        )
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)].copy()
    frame = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon", "GeometryCollection"])]
    if frame.empty:
        raise BoundaryError("Tệp không có vùng (Polygon/MultiPolygon) nào.", file=name)
    frame["__row"] = np.arange(len(frame)) + 1
    frame = in_degrees(frame, name=name, source_crs=source_crs)
    frame, repaired = repair(frame, field_map)
    frame = frame.set_geometry(single_parts(frame.geometry))
    issues.extend(repaired)
    if outline is not None:
        frame, dropped = within(frame, outline)
        if dropped:
            issues.append(
                Issue(None, "", str(dropped), f"Đã bỏ {dropped} đơn vị nằm ngoài huyện.", "warning")
            )
        if frame.empty:
            raise BoundaryError(
                f"Không có đơn vị nào nằm trong khu vực hiện tại: kiểm tra hệ tọa độ (đang đọc theo "
                f"{source_crs}); nếu đây là khu vực khác, hãy nhập như một khu vực mới (không giữ khu vực cũ, "
                "--new-area).",
                file=name,
            )
    matches = _name_matches(frame, field_map, previous)
    communes, row_issues = _attributes(
        frame, field_map, previous=previous, renamed=matches, population_year=population_year
    )
    issues.extend(row_issues)
    offset = float("nan")
    if outline is not None:
        offset, fit = alignment(communes, outline)
        issues.extend(fit)
    return BoundaryImport(
        name,
        read.sha256,
        communes,
        sort_issues(issues),
        source_crs,
        field_map,
        offset,
        tuple(matches),
    )


def _name_matches(
    frame: gpd.GeoDataFrame, field_map: dict[str, str], previous: gpd.GeoDataFrame | None
) -> list[tuple[str, str, str, str]]:
    """Match stored units whose code is not in the file to the file's new codes by normalised name."""
    if previous is None or previous.empty:
        return []
    new_codes = [_code(v) for v in frame[field_map["code"]]]
    new_names = [" ".join(str(v or "").split()) for v in frame[field_map["name"]]]
    unmatched_new = {c for c in new_codes if c} - set(previous["code"])
    exact: dict[str, list[tuple[str, str]]] = {}
    loose: dict[str, list[tuple[str, str]]] = {}
    for code, text in zip(new_codes, new_names, strict=True):
        if code in unmatched_new:
            exact.setdefault(name_key(text, marks=True), []).append((code, text))
            loose.setdefault(name_key(text), []).append((code, text))
    matches = []
    taken: set[str] = set()
    for old_code, old_name in zip(previous["code"], previous["name"], strict=True):
        if old_code in new_codes:
            continue
        # With diacritics first (Vĩnh Hùng is not Vĩnh Hưng), then without, only when unambiguous.
        found = exact.get(name_key(old_name, marks=True), [])
        if len(found) != 1:
            found = loose.get(name_key(old_name), [])
        if len(found) == 1 and found[0][0] not in taken:
            taken.add(found[0][0])
            matches.append((str(old_code), str(old_name), *found[0]))
    return matches


def _attributes(
    frame: gpd.GeoDataFrame,
    field_map: dict[str, str],
    *,
    previous: gpd.GeoDataFrame | None,
    renamed: list[tuple[str, str, str, str]],
    population_year: int | None,
) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    issues: list[Issue] = []
    old = (
        {} if previous is None else dict(zip(previous["code"], previous.itertuples(index=False), strict=True))
    )
    # A stored unit matched by name lends its population to the file's unit under the new code.
    for old_code, _, new_code, _ in renamed:
        old[new_code] = old[old_code]
    records = []
    geometry_name = frame.geometry.name
    for values in frame.to_dict("records"):
        record = _record(
            int(values["__row"]), values, field_map, old=old, year=population_year, issues=issues
        )
        if record is not None:
            records.append({**record, "geometry": values[geometry_name]})
    out = gpd.GeoDataFrame(records, columns=COLUMNS, geometry="geometry", crs=settings.CRS_WGS84)
    repeated = out["code"][out["code"].duplicated()].unique()
    for code in repeated:
        issues.append(
            Issue(
                None,
                field_map["code"],
                str(code),
                "Mã xã xuất hiện nhiều lần: đã gộp các vùng thành một.",
                "warning",
            )
        )
    if len(repeated):
        first = out.drop(columns="geometry").groupby("code", sort=False).first()
        merged = out.dissolve(by="code", sort=False)[["geometry"]]
        out = gpd.GeoDataFrame(first.join(merged).reset_index(), geometry="geometry", crs=settings.CRS_WGS84)
    return out.sort_values("code").reset_index(drop=True)[COLUMNS], issues


def _record(
    row: int,
    values: dict[str, Any],
    field_map: dict[str, str],
    *,
    old: dict[str, Any],
    year: int | None,
    issues: list[Issue],
) -> dict[str, Any] | None:
    def get(key: str) -> Any:
        column = field_map.get(key)
        return None if column is None else values.get(column)

    code = _code(get("code"))
    if not code:
        issues.append(
            Issue(row, field_map["code"], "", "Thiếu mã đơn vị: mỗi vùng cần một mã (mã GSO ở Việt Nam).")
        )
        return None
    if len(code) > CODE_MAX_LENGTH:
        issues.append(
            Issue(
                row,
                field_map["code"],
                value_text(code),
                f"Mã đơn vị dài quá {CODE_MAX_LENGTH} ký tự: chọn thuộc tính mã khác (vd mã GSO).",
            )
        )
        return None
    raw_name = " ".join(str(get("name") or "").split())
    kind = _kind(get("kind"), raw_name)
    name = re.sub(r"^(?:xã|xa)\s+", "", raw_name, flags=re.IGNORECASE) or (
        old[code].name if code in old else code
    )
    population = get("population")
    pop_value: int | None = None
    if population is not None and str(population).strip() not in ("", "nan", "None"):
        try:
            pop_value = parse_count(population, row=row, field=field_map["population"])
        except DataError as error:
            issues.append(Issue.from_error(error))
            return None
    if pop_value is None or pop_value <= 0:
        if code in old:
            pop_value = int(old[code].population)
            issues.append(
                Issue(
                    row,
                    field_map.get("population", ""),
                    code,
                    "Không có dân số: giữ dân số hiện có.",
                    "warning",
                )
            )
        else:
            pop_value = 0
            message = (
                "Chưa có dân số: tỷ lệ trên 1.000 dân của đơn vị này chưa tính được. Nhập bảng dân số (trang "
                "Dữ liệu, hoặc python -m geo import population TỆP)."
            )
            issues.append(Issue(row, field_map.get("population", ""), code, message, "warning"))
    census = get("population_year")
    census_year = None
    if census is not None and str(census).strip() not in ("", "nan", "None"):
        column = field_map.get("population_year", "")
        try:
            number = parse_number(census, row=row, field=column)
        except DataError as error:
            issues.append(Issue.from_error(error))
            return None
        if number != 0 and not 1900 <= number <= 2100:  # 0: not known
            issues.append(
                Issue(row, column, value_text(census), "Năm dân số không hợp lệ: ghi năm, vd 2022.")
            )
            return None
        census_year = int(number) or None
    fallback = int(old[code].population_year) if code in old else 0
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "population": pop_value,
        "population_year": census_year or year or fallback,
        "approximate": False,
        "note": "",
    }


def _code(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not np.isfinite(value):
            return ""
        if value.is_integer():
            value = int(value)
    # Codes are kept exactly as written (a numeric 35 stays "35"); only a spreadsheet's float 15349.0
    # is read back as the integer it was.
    text = str(value).strip()
    return "" if text.lower() in ("nan", "none", "null") else text


def _kind(value: Any, name: str) -> str:
    text = header_key(value or "") + " " + header_key(name)
    return "thi_tran" if text.strip().startswith(("thi tran", "tt ")) or " thi tran" in text else "xa"


def reassign(incidents: pd.DataFrame, communes: gpd.GeoDataFrame) -> Reassignment:
    """Return the commune of each incident under new boundaries, and how many change or fall outside."""
    codes = assign_commune(communes, incidents["lon"].to_numpy(), incidents["lat"].to_numpy())
    codes.index = incidents.index
    current = incidents["commune_code"].astype(str)
    # A record placed by its commune only (no coordinates) keeps it while the new layer has that code.
    placed = incidents["lon"].isna() | incidents["lat"].isna()
    kept = current.isin(communes["code"].astype(str)) | current.str.contains(GROUP_MARK, regex=False)
    codes = codes.where(~placed, current.where(kept, ""))
    return Reassignment(codes, int((codes != current).sum()), int((codes == "").sum()))
