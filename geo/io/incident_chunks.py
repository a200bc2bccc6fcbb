"""The column-wise check of an incident file: a chunk of rows at a time, the per-row parser only for the rows it cannot settle."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from geo._validate import Issue, value_text
from geo.io.fast_parse import fast_date_order, fast_number, fast_when_array
from geo.io.incident_rows import (
    RECORD_KEYS,
    TEXT_FIELDS,
    Cell,
    id_texts,
    is_blank,
    is_filled,
    offence_or_none,
    parse_row,
    text_cells,
)
from geo.io.parsing import DateOrderGuess, date_order_of
from geo.io.raw_table import RawTable, column_chunks

CHUNK_ROWS = 1 << 16
"""Rows checked at once: the raw cells of one chunk are in memory at a time, never the whole file's."""


def non_empty_rows(table: RawTable) -> Iterator[tuple[Any, ...]]:
    """The rows of ``table`` that hold something, lazily (the first ones are read to guess the CRS)."""
    return (row for row in table.rows if not _blank_row(row))


def _blank_row(row: Sequence[Any]) -> bool:
    return not any(c is not None and str(c).strip() != "" for c in row)


def count_rows(table: RawTable) -> tuple[int, int]:
    """Return (rows holding something, empty rows) of ``table``."""
    rows = empty = 0
    for _, (cells, numbers) in column_chunks(table, CHUNK_ROWS):
        _, kept, blank = drop_empty(cells, numbers)
        rows, empty = rows + len(kept), empty + blank
    return rows, empty


def date_order_guess(table: RawTable, index: int) -> DateOrderGuess:
    """`geo.io.parsing.guess_date_order` of the column at ``index``, read chunk by chunk."""
    day_first = month_first = slashed = 0
    for _, (cells, _numbers) in column_chunks(table, CHUNK_ROWS, only=(index,)):
        guess = fast_date_order(cells[index])
        day_first, month_first = day_first + guess.day_first, month_first + guess.month_first
        slashed += guess.slashed
    return date_order_of(day_first, month_first, slashed)


def drop_empty(
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
            if all(type(c) is str for c in column):  # text holds something when it has more than spaces
                filled = np.fromiter(map(bool, map(str.strip, column)), dtype=bool, count=n)
            else:
                filled = np.array([is_filled(c) for c in column], dtype=bool)
        else:
            filled[rest] = [is_filled(column[i]) for i in rest.tolist()]
    if filled.all():
        return cells, numbers, 0
    keep = filled.tolist()
    return [list(itertools.compress(c, keep)) for c in cells], numbers[filled], int(n - filled.sum())


def no_rows() -> pd.DataFrame:
    """An empty frame of checked rows (`_FRAME_KEYS`, typed), for a file without any."""
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


_FRAME_KEYS = (*(k for k in RECORD_KEYS if k != "xy_text"), "source_row", "ok", "lon", "lat")
"""Columns of the checked rows before duplicates and communes are looked at."""


def check_chunk(
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
        ids: list[Any] = id_texts(column("incident_id"))
        settled &= np.fromiter(map(bool, ids), dtype=bool, count=n)
    else:
        ids = list(nothing)
    codes: list[Any] = []
    for value in column("offence"):
        key = (type(value), value)
        if key not in offences:
            offences[key] = offence_or_none(value, offence_map)
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
        blank[rest] = [is_blank(cells_of[i]) for i in rest]
    placed = blank & ("commune" in columns)
    x[placed] = np.nan
    y[placed] = np.nan
    settled &= placed | (np.isfinite(x) & np.isfinite(y))
    texts = {name: text_cells(column(name)) if name in position else [""] * n for name in TEXT_FIELDS}
    ok = settled.copy()
    problems: list[Issue] = []
    cell = Cell(position)
    for index in np.flatnonzero(~settled).tolist():
        row = tuple(c[index] for c in cells)
        number = int(numbers[index])
        record, found = parse_row(
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
        for name in TEXT_FIELDS:
            texts[name][index] = record[name]
    precision[precision == ""] = None
    frame = pd.DataFrame(
        {
            "incident_id": _objects(ids),
            "occurred_at": stamps,
            "precision": precision,
            "offence_code": _objects(codes),
            "x": x,
            "y": y,
            "commune_given": _objects(given),
            "placed": placed,
            **{name: _objects(values) for name, values in texts.items()},
            "source_row": numbers,
            "ok": ok,
        }
    )
    return frame, problems


def _objects(values: Sequence[Any]) -> np.ndarray:
    """A list as an object array (`np.fromiter`: about three times quicker than pandas' own conversion of a list)."""
    return np.fromiter(values, dtype=object, count=len(values))


def xy_text_of(cells: list[Sequence[Any]], position: dict[str, int]) -> Callable[[int], str]:
    """The coordinates of a row as written (for its message), looked up only for rows with a problem."""

    def text(index: int) -> str:
        lon = cells[position["lon"]][index] if "lon" in position else None
        lat = cells[position["lat"]][index] if "lat" in position else None
        return f"{value_text(lon)} / {value_text(lat)}"

    return text
