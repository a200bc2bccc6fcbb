"""The per-row parser of an incident file: every field of one row read, and a message naming file, row and field for each problem."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any

from geo._errors import DataError
from geo._validate import Issue, value_text
from geo.io.export import FORMULA_START
from geo.io.headers import FIELDS
from geo.io.numbers import parse_degrees, parse_number
from geo.io.offences import parse_offence
from geo.io.parsing import parse_when

TEXT_FIELDS = ("description", "status", "address")


RECORD_KEYS = (
    "incident_id",
    "occurred_at",
    "precision",
    "offence_code",
    "x",
    "y",
    "xy_text",
    "commune_given",
    "placed",
    *TEXT_FIELDS,
)


class Cell:
    """``cell(row, name)``: the cell of field ``name`` in ``row`` (None when the file has no such column)."""

    def __init__(self, position: dict[str, int]) -> None:
        self.position = position

    def __call__(self, row: tuple[Any, ...], name: str) -> Any:
        """Return the cell of field ``name`` in ``row``, or None."""
        return row[self.position[name]] if name in self.position else None


def offence_or_none(value: Any, mapping: Mapping[str, str] | None) -> str | None:
    """Return the taxonomy code of an offence cell, or None when it is not recognised (the per-row parser says why)."""
    try:
        return parse_offence(value, mapping=mapping)
    except DataError:
        return None


def parse_row(
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
    """Read every field of one row (``number`` in the file); return its record and the problems found.

    ``when`` and ``xy``: values the column-wise path already read for this row (not read again).
    """
    problems: list[Issue] = []
    record: dict[str, Any] = dict.fromkeys(RECORD_KEYS)

    def attempt(key: str, name: str, parse: Any, value: Any, **options: Any) -> None:
        try:
            record[key] = parse(value, row=number, field=columns[name], **options)
        except DataError as error:
            problems.append(Issue.from_error(error))

    if "incident_id" in columns:
        ident = id_text(cell(row, "incident_id"))
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
    blank = [is_blank(cell(row, name)) for name in ("lon", "lat")]
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
    for name in TEXT_FIELDS:
        record[name] = text_cell(cell(row, name))
    return record, problems


def is_filled(value: Any) -> bool:
    """``not is_blank(value)``, quicker for text."""
    if type(value) is str:
        return value != "" and not value.isspace()
    return not is_blank(value)


def is_blank(value: Any) -> bool:
    """Whether a cell holds nothing (absent column, None, NaN or only spaces)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip()


_SEP = "\x00"
"""Joins the cells of a column to check them at once (a cell never holds a NUL: `geo.io.safety` removes them)."""
_OTHER_SPACE = re.compile(r"[^\S ]")
"""Whitespace other than a plain space (which `id_text` turns into one)."""
_UNEVEN = ("  ", " " + _SEP, _SEP + " ")
"""With `_OTHER_SPACE`, the spaces `id_text` would change: doubled, or at either end of a value."""


def id_texts(values: Sequence[Any]) -> list[str]:
    """Return `id_text` of every value of a column; a column of text already in that form is taken as it is."""
    if all(type(v) is str for v in values):
        joined = _SEP + _SEP.join(values) + _SEP
        if not _OTHER_SPACE.search(joined) and not any(mark in joined for mark in _UNEVEN):
            return list(values)
    return [id_text(v) for v in values]


def text_cells(values: Sequence[Any]) -> list[str]:
    """Return `text_cell` of every value of a column; text needs only its spaces stripped unless it opens with ``'``."""
    if all(type(v) is str for v in values):
        stripped = [v.strip() for v in values]
        joined = _SEP.join(stripped)
        if not joined.startswith("'") and _SEP + "'" not in joined:
            return stripped
    return [text_cell(v) for v in values]


def id_text(value: Any) -> str:
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


def text_cell(value: Any) -> str:
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
