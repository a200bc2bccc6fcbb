"""Import a population table (CSV or XLSX: unit code or name, population, year) for the stored units.

Boundary files rarely carry population; this table fills it in, so that rates per 1,000 residents
can be computed. Every row is checked and matched to a stored unit by code, else by its name written
in any common way (with or without diacritics, spaces or the unit word), before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo._errors import DataError
from geo._validate import CheckedFile, Issue, sort_issues, value_text
from geo.communes import name_key
from geo.io.headers import header_key
from geo.io.numbers import parse_count
from geo.io.raw_table import RawTable
from geo.io.tables import read_table

POPULATION_FIELDS: dict[str, str] = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "population": "Dân số",
    "year": "Năm",
}
"""Columns of a population table → their Vietnamese label."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("ma xa", "ma dvhc", "ma don vi", "ma", "code", "gso code", "unit code", "ma xa phuong", "pcode"),
    "name": (
        "ten xa",
        "ten dvhc",
        "ten don vi",
        "ten",
        "xa",
        "xa phuong",
        "xa phuong thi tran",
        "don vi",
        "name",
        "commune",
        "ward",
        "unit",
    ),
    "population": ("dan so", "so dan", "tong dan so", "nhan khau", "so nhan khau", "population", "pop", "ds"),
    "year": ("nam", "nam dan so", "nam so lieu", "year", "population year"),
}


@dataclass(frozen=True)
class PopulationImport(CheckedFile):
    """The outcome of checking a population table.

    Attributes
    ----------
    file_name, sha256
        The file checked.
    table
        One row per matched stored unit: ``code``, ``name`` (stored), ``population``, ``population_year``.
    issues
        Errors (row refused) and warnings (row kept), ordered by row.
    column_map
        Field → column used.
    missing
        Stored units the table does not mention (their population stays as it is).
    """

    file_name: str
    sha256: str
    table: pd.DataFrame
    issues: tuple[Issue, ...]
    column_map: dict[str, str]
    missing: tuple[str, ...]


def import_population(
    source: bytes | Path,
    communes: gpd.GeoDataFrame,
    *,
    name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    year: int | None = None,
    max_bytes: int | None = None,
) -> PopulationImport:
    """Read a population table and match every row to one of ``communes``.

    Parameters
    ----------
    source
        The file's bytes or path (CSV in any Vietnamese encoding, or XLSX).
    communes
        The stored units (`geo.communes.COLUMNS`).
    name
        The file name (default: the path's name).
    mapping
        Field (a key of `POPULATION_FIELDS`) → column, for headers that are not recognised.
    year
        The year of the figures when the table has no year column.
    max_bytes
        Larger files are refused.

    Raises
    ------
    DataError
        The file cannot be read, has no population column, or neither a code nor a name column.
    """
    raw = read_table(source, name=name, max_bytes=max_bytes)
    columns = _columns(raw, mapping)
    position = {f: raw.columns.index(c) for f, c in columns.items()}
    codes = {str(c): str(n) for c, n in zip(communes["code"], communes["name"], strict=True)}
    by_name = _names(communes)
    issues: list[Issue] = []
    rows: dict[str, tuple[int, int, int]] = {}
    for values, number in zip(raw.rows, raw.row_numbers, strict=True):

        def cell(field: str, values: tuple[Any, ...] = values) -> Any:
            return values[position[field]] if field in position else None

        if all(v is None or str(v).strip() == "" for v in values):
            continue
        code = _unit(cell("code"), cell("name"), codes, by_name, row=number, columns=columns, issues=issues)
        if code is None:
            continue
        try:
            population = parse_count(
                cell("population"), file=raw.name, row=number, field=columns["population"]
            )
        except DataError as error:
            issues.append(Issue.from_error(error))
            continue
        census = _year(cell("year"), default=year, row=number, column=columns.get("year", ""), issues=issues)
        if census is None:
            continue
        if code in rows:
            first = rows[code][0]
            issues.append(
                Issue(
                    number,
                    columns.get("name") or columns["code"],
                    codes[code],
                    f"Đơn vị này đã có ở dòng {first}: bỏ dòng lặp.",
                )
            )
            continue
        rows[code] = (number, population, census)
    table = pd.DataFrame(
        [
            {"code": code, "name": codes[code], "population": pop, "population_year": census}
            for code, (_, pop, census) in sorted(rows.items())
        ],
        columns=["code", "name", "population", "population_year"],
    )
    missing = tuple(sorted(set(codes) - set(rows)))
    if missing and rows:
        listed = ", ".join(codes[c] for c in missing[:10]) + ("…" if len(missing) > 10 else "")
        issues.append(
            Issue(
                None,
                "",
                str(len(missing)),
                f"{len(missing)} đơn vị không có trong bảng: {listed}.",
                "warning",
            )
        )
    return PopulationImport(raw.name, raw.sha256, table, sort_issues(issues), columns, missing)


def _columns(raw: RawTable, mapping: Mapping[str, str] | None) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for field, column in (mapping or {}).items():
        if field not in POPULATION_FIELDS:
            raise DataError(
                f"Trường «{field}» không có; các trường: {', '.join(POPULATION_FIELDS)}.", file=raw.name
            )
        if column not in raw.columns:
            raise DataError(
                f"Không có cột «{column}»; các cột: {', '.join(raw.columns)}.", file=raw.name, field=column
            )
        chosen[field] = column
    for field, aliases in _ALIASES.items():
        if field in chosen:
            continue
        match = next(
            (c for c in raw.columns if c not in chosen.values() and header_key(c) in aliases),
            None,
        )
        if match is not None:
            chosen[field] = match
    if "population" not in chosen or not ({"code", "name"} & set(chosen)):
        need = [POPULATION_FIELDS[f] for f in ("population",) if f not in chosen]
        if not {"code", "name"} & set(chosen):
            need.append(f"{POPULATION_FIELDS['code']} hoặc {POPULATION_FIELDS['name']}")
        raise DataError(
            f"Không tìm thấy cột cho: {', '.join(need)}. Các cột của tệp: {', '.join(raw.columns)}. "
            "Bảng dân số cần một cột mã hoặc tên đơn vị và một cột dân số (--map population=CỘT).",
            file=raw.name,
        )
    return chosen


def _names(communes: gpd.GeoDataFrame) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    exact: dict[str, list[str]] = {}
    loose: dict[str, list[str]] = {}
    for code, text in zip(communes["code"], communes["name"], strict=True):
        exact.setdefault(name_key(text, marks=True), []).append(str(code))
        loose.setdefault(name_key(text), []).append(str(code))
    return exact, loose


def _unit(
    code_value: Any,
    name_value: Any,
    codes: dict[str, str],
    by_name: tuple[dict[str, list[str]], dict[str, list[str]]],
    *,
    row: int,
    columns: dict[str, str],
    issues: list[Issue],
) -> str | None:
    """Return the stored code a row names (by code, else by name), or report why there is none."""
    code = _code_text(code_value)
    if code and code in codes:
        return code
    text = value_text(name_value).strip()
    if text:
        exact, loose = by_name
        found = exact.get(name_key(text, marks=True)) or loose.get(name_key(text)) or []
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = " hoặc ".join(f"{codes[c]} ({c})" for c in found)
            issues.append(
                Issue(row, columns["name"], text, f"Tên này khớp nhiều đơn vị: {names}. Hãy ghi mã đơn vị.")
            )
            return None
    shown = code or text
    column = columns.get("code") if code else columns.get("name", columns.get("code", ""))
    issues.append(
        Issue(
            row,
            column or "",
            shown,
            "Không có đơn vị này trong ranh giới đã nhập: kiểm tra mã hoặc tên."
            if shown
            else "Dòng không có mã hay tên đơn vị.",
        )
    )
    return None


def _code_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _year(value: Any, *, default: int | None, row: int, column: str, issues: list[Issue]) -> int | None:
    text = value_text(value).strip()
    if not text:
        return default or 0
    try:
        number = float(text.replace(",", "."))
        year = int(number) if 1900 <= number <= 2100 else 0
    except ValueError:
        year = 0
    if not 1900 <= year <= 2100:
        issues.append(Issue(row, column, text, "Năm không hợp lệ: ghi năm của số liệu dân số, vd 2022."))
        return None
    return year
