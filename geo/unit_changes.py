"""The records of a unit history: a unit over its days, one change of a unit into another, and the history table read.

A history is a table of changes, one row per old unit → new unit (the columns of
``../shared/facts/unit_history.csv``): ``old_code, old_name, new_code, new_name, date, act, note``;
``date`` is the first day of the new unit. A unit is identified by its code *and* its full name (the
unit word included: "Thị trấn Vĩnh Lộc" and "Xã Vĩnh Lộc" share code 15349 and are different units,
`full_name`). How a record's place is read with its date is `geo.history`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from geo._errors import DataError
from geo.taxonomy import fold

COLUMNS = ("old_code", "old_name", "new_code", "new_name", "date", "act", "note")
"""Columns of a unit-history table (``act`` and ``note`` may be empty)."""

REQUIRED = COLUMNS[:5]


@dataclass(frozen=True)
class Change:
    """One step of the history: ``old`` became (part of) ``new`` on ``day``."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    day: date
    act: str = ""
    note: str = ""


@dataclass(frozen=True)
class Unit:
    """One unit as it existed: a code and a full name over ``[start, end)`` (None: open-ended)."""

    code: str
    name: str
    start: date | None = None
    end: date | None = None

    @property
    def identity(self) -> tuple[str, str]:
        """What tells units apart: the code and the full name, folded (unit word kept)."""
        return self.code, full_name(self.name)

    def valid(self, day: date) -> bool:
        """Whether the unit existed on ``day``."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Place:
    """Where a record's place lies among the stored units.

    Attributes
    ----------
    kind
        ``"unit"``: one stored unit (``codes[0]``); ``"group"``: a unit that contains several stored
        units (e.g. a 2025 commune over a 2020 layer), kept at its own level.
    codes
        The stored units it covers, sorted.
    name, code
        The unit the record named, as it was on the record's day.
    start
        The first day of that unit (None: before the history).
    """

    kind: Literal["unit", "group"]
    codes: tuple[str, ...]
    name: str
    code: str
    start: date | None = None

    @property
    def key(self) -> str:
        """A stable id: the stored code for a unit; ``code@start`` for a group (codes are reused)."""
        if self.kind == "unit":
            return self.codes[0]
        return f"{self.code}@{self.start.isoformat() if self.start else ''}"


def full_name(name: str) -> str:
    """Fold a full unit name (unit word kept): "Thị trấn Vĩnh Lộc" → "thi tran vinh loc"."""
    return " ".join(re.sub(r"[\W_]+", " ", fold(unicodedata.normalize("NFC", name))).split())


def _day(value: object, *, row: int, file: str) -> date:
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise DataError("Ngày thay đổi phải có dạng YYYY-MM-DD hoặc dd/mm/yyyy.", file=file, row=row, field="date",
                    value=text[:40])  # fmt: skip


def read_changes(source: bytes | Path | str, *, name: str = "lich_su_don_vi.csv") -> tuple[Change, ...]:
    """Read a history table (CSV, UTF-8), raising `DataError` naming the row and column of a bad value."""
    if isinstance(source, Path):
        name = source.name
        source = source.read_bytes()
    raw = source.encode() if isinstance(source, str) else source
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"Không đọc được bảng lịch sử đơn vị: {exc}", file=name) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(
            f"Bảng lịch sử đơn vị thiếu cột: {', '.join(missing)} (cần {', '.join(COLUMNS)}).", file=name
        )
    changes = []
    for index, row in enumerate(frame.to_dict("records"), start=2):
        for column in REQUIRED:
            if not str(row[column]).strip():
                raise DataError("Ô bắt buộc để trống.", file=name, row=index, field=column)
        changes.append(
            Change(
                old_code=str(row["old_code"]).strip(),
                old_name=str(row["old_name"]).strip(),
                new_code=str(row["new_code"]).strip(),
                new_name=str(row["new_name"]).strip(),
                day=_day(row["date"], row=index, file=name),
                act=str(row.get("act", "")).strip(),
                note=str(row.get("note", "")).strip(),
            )
        )
    return tuple(changes)
