"""The history of an area's units: which unit a code or a name meant on a given day, and where it went.

Units merge, split and are renamed, and codes are reused: 15361 is xã Vĩnh Long until 30/06/2025 and
xã Tây Đô (Vĩnh Long with three neighbours) from 01/07/2025. A record's place must therefore be read
with the record's date, then carried to the units the store holds (its boundary layer, of one
vintage): an older unit maps to its successor, a newer unit that contains several stored units is
kept at that level (a `Place` of kind ``"group"``), never assigned to one of them. The history's
records (`Change`, `Unit`, `Place`) and its table are in `geo.unit_changes`, importable from here too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd

from geo._errors import DataError
from geo.communes import name_key
from geo.taxonomy import fold
from geo.unit_changes import COLUMNS, REQUIRED, Change, Place, Unit, full_name, read_changes

__all__ = [
    "COLUMNS",
    "GROUP_MARK",
    "REQUIRED",
    "Change",
    "Place",
    "Unit",
    "UnitHistory",
    "group_label",
    "grouping",
    "is_group",
    "regroup",
    "with_groups",
]


def _has_marks(text: str) -> bool:
    return fold(text) != unicodedata.normalize("NFC", text).lower().strip()


@dataclass(frozen=True)
class _Reader:
    """The stored units as `UnitHistory.resolve` reads them: identities, and units by code and by name."""

    own: dict[tuple[str, str], str]
    by_code: dict[str, list[Unit]]
    by_name: dict[str, list[Unit]]


@dataclass(frozen=True)
class UnitHistory:
    """The changes of an area's units, and how to read a record's place with its date."""

    changes: tuple[Change, ...] = ()
    _units: dict[tuple[str, str], Unit] = field(default_factory=dict, compare=False, repr=False)
    # What `resolve` needs of a set of stored units, computed once per set (an import resolves
    # thousands of (place, day) pairs against the same units).
    _readers: dict[tuple[tuple[str, str], ...], _Reader] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        units: dict[tuple[str, str], Unit] = {}
        for change in self.changes:
            for code, name, start, end in (
                (change.old_code, change.old_name, None, change.day),
                (change.new_code, change.new_name, change.day, None),
            ):
                unit = Unit(code, name, start, end)
                known = units.get(unit.identity)
                if known is None:
                    units[unit.identity] = unit
                    continue
                units[unit.identity] = Unit(
                    code,
                    known.name,
                    _latest(known.start, start),
                    _earliest(known.end, end),
                )
        self._units.update(units)

    @classmethod
    def from_csv(cls, source: bytes | Path | str, *, name: str = "lich_su_don_vi.csv") -> UnitHistory:
        """Read a history table (CSV, UTF-8), raising `DataError` naming the row and column of a bad value."""
        return cls(read_changes(source, name=name))

    def to_frame(self) -> pd.DataFrame:
        """Return the changes as a table with `COLUMNS` (ISO dates)."""
        return pd.DataFrame(
            [
                (c.old_code, c.old_name, c.new_code, c.new_name, c.day.isoformat(), c.act, c.note)
                for c in self.changes
            ],
            columns=list(COLUMNS),
        )

    @property
    def units(self) -> tuple[Unit, ...]:
        """Every unit the history names, with the days it existed."""
        return tuple(self._units.values())

    def _next(self, unit: Unit) -> list[Unit]:
        return [
            self._units[(c.new_code, full_name(c.new_name))]
            for c in self.changes
            if (c.old_code, full_name(c.old_name)) == unit.identity
            and (c.new_code, full_name(c.new_name)) != unit.identity
        ]

    def _previous(self, unit: Unit) -> list[Unit]:
        return [
            self._units[(c.old_code, full_name(c.old_name))]
            for c in self.changes
            if (c.new_code, full_name(c.new_name)) == unit.identity
            and (c.old_code, full_name(c.old_name)) != unit.identity
        ]

    def stored_units(self, stored: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Return unit identity → stored code for every history unit that is one of the stored units.

        A stored unit (code, name) is the history unit with its code whose name matches; where
        several do ("Thị trấn Vĩnh Lộc" and "Xã Vĩnh Lộc" share 15349), the one whose days overlap
        those of the other stored units (a layer is of one vintage).
        """
        matches: dict[str, list[Unit]] = {}
        for code, stored_name in stored:
            found = [
                u
                for u in self._units.values()
                if u.code == code and name_key(u.name) == name_key(stored_name)
            ]
            exact = [u for u in found if full_name(u.name) == full_name(stored_name)]
            matches[code] = exact or found
        sure = [units[0] for units in matches.values() if len(units) == 1]
        era_start = max((u.start for u in sure if u.start), default=None)
        era_end = min((u.end for u in sure if u.end), default=None)
        out: dict[tuple[str, str], str] = {}
        for code, units in matches.items():
            fitting = [u for u in units if _overlaps(u, era_start, era_end)] if len(units) > 1 else units
            for unit in (fitting or units)[:1]:
                out[unit.identity] = code
        return out

    def _reader(self, stored: tuple[tuple[str, str], ...]) -> _Reader:
        reader = self._readers.get(stored)
        if reader is None:
            own = self.stored_units(stored)
            matched = set(own.values())
            # Stored units the history does not name (or an area without history) are units of their own.
            extra = [Unit(code, name) for code, name in stored if code not in matched]
            own |= {u.identity: u.code for u in extra}
            by_code: dict[str, list[Unit]] = {}
            by_name: dict[str, list[Unit]] = {}
            for unit in [*self._units.values(), *extra]:
                by_code.setdefault(unit.code, []).append(unit)
                by_name.setdefault(name_key(unit.name), []).append(unit)
            reader = _Reader(own, by_code, by_name)
            if len(self._readers) > 8:
                self._readers.clear()
            self._readers[stored] = reader
        return reader

    def place(self, unit: Unit, stored: dict[tuple[str, str], str]) -> Place | None:
        """Return where ``unit`` lies among the stored units (``stored`` from `stored_units`), or None."""
        if unit.identity in stored:
            return Place("unit", (stored[unit.identity],), unit.name, unit.code, unit.start)
        forward = _reach(unit, self._next, stored)
        covered = forward or _reach(unit, self._previous, stored)
        if not covered:
            return None
        kind: Literal["unit", "group"] = "unit" if len(covered) == 1 else "group"
        return Place(kind, tuple(sorted(covered)), unit.name, unit.code, unit.start)

    def resolve(
        self,
        value: str,
        day: date,
        stored: Sequence[tuple[str, str]],
        *,
        by: Literal["name", "code"] = "name",
    ) -> Place:
        """Return the stored unit(s) a record's place means on ``day``.

        Parameters
        ----------
        value
            The place as written: a unit name in any common spelling (with or without diacritics,
            with or without "xã", "TT", "thị trấn"…) or a code (``by="code"``).
        day
            The record's day: codes and names are read as they were then; a name no longer in use
            on that day means the unit it was last (an older name maps to its successor).
        stored
            The stored units as ``(code, name)``.

        Raises
        ------
        DataError
            The place is in no unit (naming it), or the spelling fits several units that differ
            (naming every candidate, e.g. "Vinh Hung": Vĩnh Hùng or Vĩnh Hưng).
        """
        text = unicodedata.normalize("NFC", str(value)).strip()
        reader = self._reader(tuple(stored))
        own = reader.own
        if by == "code":
            candidates = list(reader.by_code.get(text, ()))
        else:
            key = name_key(text)
            candidates = list(reader.by_name.get(key, ()))
            if _has_marks(text):
                marked = name_key(text, marks=True)
                candidates = [u for u in candidates if name_key(u.name, marks=True) == marked] or candidates
        if not candidates:
            raise DataError(f"«{text}» không thuộc đơn vị nào của khu vực (kể cả tên cũ trong lịch sử đơn vị).",
                            value=text[:80])  # fmt: skip
        chosen = _on(candidates, day)
        places = {p for p in (self.place(u, own) for u in chosen) if p is not None}
        if not places:
            raise DataError(f"«{text}» ({_names(chosen)}) không còn đơn vị nào tương ứng trong ranh giới đã nhập.",
                            value=text[:80])  # fmt: skip
        if len({p.codes for p in places}) > 1:
            raise DataError(
                f"«{text}» có thể là {_names(chosen, ' hoặc ')}: hãy ghi rõ (có dấu, hoặc mã đơn vị).",
                value=text[:80],
            )
        return sorted(places, key=lambda p: (p.kind, p.key))[0]


def _latest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def _earliest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def _overlaps(unit: Unit, start: date | None, end: date | None) -> bool:
    return (unit.end is None or start is None or unit.end > start) and (
        unit.start is None or end is None or unit.start < end
    )


def _reach(unit: Unit, step: Callable[[Unit], list[Unit]], stored: dict[tuple[str, str], str]) -> set[str]:
    """Return the stored codes first reached from ``unit`` along ``step`` (successors or predecessors)."""
    found: set[str] = set()
    seen = {unit.identity}
    frontier = [unit]
    while frontier:
        following: list[Unit] = []
        for current in frontier:
            for other in step(current):
                if other.identity in seen:
                    continue
                seen.add(other.identity)
                if other.identity in stored:
                    found.add(stored[other.identity])
                else:
                    following.append(other)
        frontier = following
    return found


def _on(candidates: Iterable[Unit], day: date) -> list[Unit]:
    """Return the candidates that existed on ``day``; else the last ones before it; else the first after."""
    units = list(candidates)
    valid = [u for u in units if u.valid(day)]
    if valid:
        return valid
    before = [u for u in units if u.end is not None and u.end <= day]
    if before:
        last = max(u.end for u in before if u.end is not None)
        return [u for u in before if u.end == last]
    after = [u for u in units if u.start is not None and u.start > day]
    first = min(u.start for u in after if u.start is not None)
    return [u for u in after if u.start == first]


def _names(units: Iterable[Unit], sep: str = ", ") -> str:
    return sep.join(sorted({f"{u.name} ({u.code})" for u in units}))


def grouping(
    history: UnitHistory, stored: Sequence[tuple[str, str]], day: date
) -> dict[str, tuple[str, str]]:
    """Return stored code → (code, name) of the unit it belonged to on ``day``, following every change up to then.

    A stored unit the history does not name, or one that did not change, maps to itself. Over the
    district's 13-unit layer and 01/07/2025 this gives the three new communes (Vĩnh Lộc, Tây Đô,
    Biện Thượng).
    """
    own = history.stored_units(stored)
    by_code = {code: identity for identity, code in own.items()}
    names = dict(stored)
    out: dict[str, tuple[str, str]] = {}
    for code, name in stored:
        identity = by_code.get(code)
        if identity is None:
            out[code] = (code, name)
            continue
        current, label = identity, history._units[identity].name
        seen = {current}
        while True:
            step = [
                c
                for c in history.changes
                if (c.old_code, full_name(c.old_name)) == current
                and c.day <= day
                and (c.new_code, full_name(c.new_name)) not in seen
            ]
            if not step:
                break
            change = max(step, key=lambda c: c.day)
            current, label = (change.new_code, full_name(change.new_name)), change.new_name
            seen.add(current)
        out[code] = (current[0], names[code] if current == identity else label)
    return out


GROUP_MARK = "@"
"""Separates a group's unit code from its first day in the commune code of a record kept at group level."""


def is_group(code: str) -> bool:
    """Whether a stored commune code is a group's (`Place.key`: ``code@start``), not one stored unit's.

    Examples
    --------
    >>> is_group("15361@2025-07-01"), is_group("15361"), is_group("")
    (True, False, False)
    """
    return GROUP_MARK in code


def group_label(history: UnitHistory, key: str) -> str:
    """Return the name of the unit a group key stands for ("Xã Tây Đô"), or the key if the history lacks it."""
    code, _, start = key.partition(GROUP_MARK)
    for unit in history.units:
        if unit.code == code and (unit.start.isoformat() if unit.start else "") == start:
            return unit.name
    return key


def with_groups(
    units: gpd.GeoDataFrame, incidents: Iterable[pd.DataFrame], history: UnitHistory
) -> gpd.GeoDataFrame:
    """Return ``units`` with a row for each group the incidents are kept at (no shape, no population).

    A record naming a newer unit over several stored ones (a 2025 commune over the 13 units of
    2020) is counted at that level: its row in a commune table is the group's, never one of the
    units inside it.
    """
    present = sorted(
        {
            code
            for frame in incidents
            for code in frame["commune_code"].astype(str).unique()
            if is_group(code) and code not in set(units["code"].astype(str))
        }
    )
    if not present:
        return units
    rows = gpd.GeoDataFrame(
        {
            "code": present,
            "name": [group_label(history, key) for key in present],
            "population": [0] * len(present),
        },
        geometry=[None] * len(present),
        crs=units.crs,
    )
    for column in units.columns:
        if column not in rows.columns:
            rows[column] = None
    return gpd.GeoDataFrame(pd.concat([units, rows[units.columns]], ignore_index=True), crs=units.crs)


def regroup(
    communes: gpd.GeoDataFrame, incidents: pd.DataFrame, groups: dict[str, tuple[str, str]]
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the units dissolved into ``groups`` (population summed) and the incidents re-coded to them.

    Incidents outside every stored unit keep their empty code. A record kept at the level of a unit
    that is one of the groups (``15361@2025-07-01`` and the 2025 commune 15361) counts in that group;
    one at another level keeps its key.
    """
    mapped = communes.assign(
        code=communes["code"].astype(str).map(lambda c: groups.get(c, (c, ""))[0]),
        name=[
            groups.get(str(c), (c, n))[1] or n
            for c, n in zip(communes["code"], communes["name"], strict=True)
        ],
    )
    merged = mapped.dissolve(
        by="code",
        aggfunc={"name": "first", "population": "sum", "approximate": "any", "kind": "first", "note": "first"}
        | ({"population_year": "max"} if "population_year" in mapped else {}),
        as_index=False,
    )
    targets = {code for code, _ in groups.values()}

    def recode(code: str) -> str:
        if is_group(code):
            unit = code.partition(GROUP_MARK)[0]
            return unit if unit in targets else code
        return groups.get(code, (code, ""))[0] if code else ""

    codes = incidents["commune_code"].astype(str).map(recode)
    return merged[communes.columns.intersection(merged.columns)], incidents.assign(commune_code=codes)
