"""Counting on prepared arrays: the incidents as NumPy codes, made once per store version, then read-only (issue 14).

A filter selects positions (`select`) and every count is a ``bincount`` over small integer codes,
so no rerun copies the matched rows or scans their texts; each count equals the one of
`geo.aggregate` (or `geo.trends`) on the filtered frame (``tests/geo/test_prepared.py``). The unit
table made from counts (`count_table`, `rate_per_1000`) is here too: counts made on the arrays or by
the database (with push-down) become the table `geo.aggregate.commune_counts` makes of a frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.clearance import solved
from geo.dates import months_between


def count_table(
    communes: pd.DataFrame,
    counts: pd.Series,
    *,
    days: int,
    previous: pd.Series | None = None,
    status: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the table of `commune_counts` from counts already made (per unit code).

    ``counts`` and ``previous`` are incidents per unit code (codes missing count 0), ``status`` the
    ``with_status, solved`` per unit code (`geo.clearance.clearance_counts`), None when no incident
    of the period has a status.
    """
    table = pd.DataFrame(
        {
            "code": communes["code"].to_numpy(),
            "name": communes["name"].to_numpy(),
            "population": communes["population"].to_numpy(),
        }
    )
    table["count"] = table["code"].map(counts).fillna(0).astype(int)
    table["rate"] = rate_per_1000(table["count"], table["population"], days=days)
    if previous is not None:
        table["previous"] = table["code"].map(previous).fillna(0).astype(int)
        table["change"] = table["count"] - table["previous"]
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = 100.0 * table["change"] / table["previous"].where(table["previous"] > 0)
        table["change_pct"] = pct
    if status is not None:
        table["with_status"] = table["code"].map(status["with_status"]).fillna(0).astype(int)
        table["solved"] = table["code"].map(status["solved"]).fillna(0).astype(int)
        with np.errstate(divide="ignore", invalid="ignore"):
            table["clearance"] = (
                100.0 * table["solved"] / table["with_status"].where(table["with_status"] > 0)
            )
    return table.sort_values(["count", "code"], ascending=[False, True]).reset_index(drop=True)


def rate_per_1000(count: pd.Series, population: pd.Series, *, days: int) -> pd.Series:
    """Return yearly incidents per 1,000 residents (NaN where the population is unknown)."""
    years = max(days, 1) / 365.25
    pop = population.astype(float).where(population > 0)
    return 1000.0 * count.astype(float) / pop / years


@dataclass(frozen=True, eq=False)
class Prepared:
    """The incidents as NumPy arrays for counting (`prepare`): made once per store version, then read-only.

    A filter selects positions (`select`) and the counts are ``bincount`` over small integer codes, so
    no rerun copies or scans the rows' texts (issue 14). Text columns are coded as `pandas.factorize`
    of their text (``astype(str)``); ``units``, ``groups`` and ``offences`` are the texts of the codes.
    """

    times: np.ndarray
    ordered: bool
    unit: np.ndarray
    units: np.ndarray
    group: np.ndarray
    groups: np.ndarray
    offence: np.ndarray
    offences: np.ndarray
    has_status_column: bool
    known: np.ndarray
    solved: np.ndarray
    minute: np.ndarray
    month: np.ndarray
    weekday: np.ndarray
    hour: np.ndarray

    def __len__(self) -> int:
        return int(self.times.size)


def _coded(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values.astype(str), sort=True)
    return codes.astype(np.int32), np.asarray(uniques, dtype=object)


def _frozen(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


def prepare(incidents: pd.DataFrame) -> Prepared:
    """Return the incidents as the arrays `select` and the counts below read.

    ``incidents`` has ``occurred_at``, ``commune_code``, ``offence_group``, ``offence_code`` and,
    optionally, ``status`` and ``precision``.
    """
    times = pd.to_datetime(incidents["occurred_at"]).to_numpy(dtype="datetime64[ns]")
    unit, units = _coded(incidents["commune_code"])
    group, groups = _coded(incidents["offence_group"])
    offence, offences = _coded(incidents["offence_code"])
    has_column = "status" in incidents
    if has_column:
        text = incidents["status"].fillna("").astype(str)
        known = (text.str.strip() != "").to_numpy()
        found = solved(incidents["status"])
    else:
        known = found = np.zeros(len(incidents), dtype=bool)
    if "precision" in incidents:
        minute = (incidents["precision"] == "minute").to_numpy()
    else:
        minute = np.ones(len(incidents), dtype=bool)
    stamps = pd.DatetimeIndex(times)
    month = ((stamps.year - 1970) * 12 + stamps.month - 1).to_numpy(dtype=np.int32)
    weekday = stamps.weekday.to_numpy(dtype=np.int8)
    hour = stamps.hour.to_numpy(dtype=np.int8)
    ordered = bool(pd.Index(times).is_monotonic_increasing)
    prepared = Prepared(
        times=times,
        ordered=ordered,
        unit=unit,
        units=units,
        group=group,
        groups=groups,
        offence=offence,
        offences=offences,
        has_status_column=has_column,
        known=np.asarray(known, dtype=bool),
        solved=np.asarray(found, dtype=bool),
        minute=np.asarray(minute, dtype=bool),
        month=month,
        weekday=weekday,
        hour=hour,
    )
    _frozen(*(v for v in vars(prepared).values() if isinstance(v, np.ndarray)))
    return prepared


def _wanted(uniques: np.ndarray, values: Sequence[str]) -> np.ndarray:
    index = {str(v): i for i, v in enumerate(uniques)}
    return np.asarray([index[v] for v in values if v in index], dtype=np.int32)


def select(
    prepared: Prepared,
    *,
    start: date,
    end: date,
    groups: Sequence[str] = (),
    offences: Sequence[str] = (),
    communes: Sequence[str] = (),
) -> np.ndarray:
    """Return the positions of the incidents `geo.filters.apply_filter` keeps for this filter, in order.

    The closed range ``start … end`` (whole days) and, when not empty, the offence groups, offence
    codes and unit codes; ``len`` of the result is the number of incidents matched.
    """
    lo = pd.Timestamp(start).as_unit("ns").to_datetime64()
    hi = (pd.Timestamp(end) + pd.Timedelta(days=1)).as_unit("ns").to_datetime64()
    times = prepared.times
    if prepared.ordered:
        i, j = (int(k) for k in np.searchsorted(times, [lo, hi], side="left"))
        base = np.arange(i, j)
    else:
        base = np.flatnonzero((times >= lo) & (times < hi))
    mask = np.ones(base.size, dtype=bool)
    for values, codes, uniques in (
        (groups, prepared.group, prepared.groups),
        (offences, prepared.offence, prepared.offences),
        (communes, prepared.unit, prepared.units),
    ):
        if values:
            mask &= np.isin(codes[base], _wanted(uniques, values))
    return base if mask.all() else base[mask]


def _by_code(
    prepared: Prepared, positions: np.ndarray, weights: np.ndarray | None, recode: Mapping[str, str] | None
) -> pd.Series:
    found = np.bincount(
        prepared.unit[positions],
        weights=None if weights is None else weights[positions],
        minlength=prepared.units.size,
    ).astype(np.int64)
    series = pd.Series(found, index=pd.Index(prepared.units, dtype=object))
    if recode is not None:
        series = series.groupby(series.index.map(lambda code: recode.get(code, code))).sum()
    return series[series > 0]


def unit_counts(
    prepared: Prepared, positions: np.ndarray, *, recode: Mapping[str, str] | None = None
) -> pd.Series:
    """Return the incidents at ``positions`` per unit code (units without any left out).

    With ``recode`` (old code → new code, e.g. the newer layer of units) they count at the new code.
    """
    return _by_code(prepared, positions, None, recode)


def has_status_at(prepared: Prepared, positions: np.ndarray) -> bool:
    """Return `geo.clearance.has_status` of the incidents at ``positions``."""
    return prepared.has_status_column and bool(prepared.known[positions].any())


def status_counts(
    prepared: Prepared, positions: np.ndarray, *, recode: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return `geo.clearance.clearance_counts` of the incidents at ``positions`` (``with_status, solved``)."""
    with_status = _by_code(prepared, positions, prepared.known.astype(np.int64), recode)
    found = _by_code(prepared, positions, prepared.solved.astype(np.int64), recode)
    index = with_status.index.union(found.index)
    return pd.DataFrame(
        {
            "with_status": with_status.reindex(index, fill_value=0),
            "solved": found.reindex(index, fill_value=0),
        }
    ).astype(int)


def clearance_at(prepared: Prepared, positions: np.ndarray) -> float | None:
    """Return `geo.clearance.clearance_rate` of the incidents at ``positions`` (None without a status)."""
    if not prepared.has_status_column:
        return None
    known = int(prepared.known[positions].sum())
    return 100.0 * int(prepared.solved[positions].sum()) / known if known else None


def prepared_counts(
    prepared: Prepared,
    communes: pd.DataFrame,
    positions: np.ndarray,
    *,
    days: int,
    previous: np.ndarray | None = None,
    recode: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Return `commune_counts` of the incidents at ``positions`` (and ``previous``), from the prepared arrays.

    The same table, row for row, as `commune_counts` of the incidents `select` points at (re-coded
    by ``recode``, when given, as the newer layer of units re-codes them).
    """
    return count_table(
        communes,
        unit_counts(prepared, positions, recode=recode),
        days=days,
        previous=None if previous is None else unit_counts(prepared, previous, recode=recode),
        status=status_counts(prepared, positions, recode=recode)
        if has_status_at(prepared, positions)
        else None,
    )


def unit_codes(prepared: Prepared, positions: np.ndarray) -> list[str]:
    """Return the unit codes the incidents at ``positions`` carry, each once, in order of first appearance."""
    codes = prepared.unit[positions]
    _, first = np.unique(codes, return_index=True)
    return [str(prepared.units[codes[i]]) for i in np.sort(first)]


def monthly_at(
    prepared: Prepared,
    positions: np.ndarray,
    *,
    start: date,
    end: date,
    by: str,
    keys: Sequence[str],
) -> pd.DataFrame:
    """Return `geo.trends.monthly_series` of the incidents at ``positions`` split ``by`` a column.

    ``by`` is ``"offence_group"``, ``"offence_code"`` or ``"commune_code"``: columns ``month, key,
    count``, one row for every month from ``start`` to ``end`` and every key, zero where none.
    """
    codes, uniques = {
        "offence_group": (prepared.group, prepared.groups),
        "offence_code": (prepared.offence, prepared.offences),
        "commune_code": (prepared.unit, prepared.units),
    }[by]
    months = months_between(start, end)
    first = (months[0].year - 1970) * 12 + months[0].month - 1
    wanted = list(keys)
    slot = {str(value): i for i, value in enumerate(uniques)}
    column = np.full(uniques.size + 1, -1, dtype=np.int64)
    for j, key in enumerate(wanted):
        if key in slot:
            column[slot[key]] = j
    month = prepared.month[positions].astype(np.int64) - first
    key = column[codes[positions]]
    keep = (key >= 0) & (month >= 0) & (month < len(months))
    counts = np.bincount(
        month[keep] * max(len(wanted), 1) + key[keep], minlength=len(months) * len(wanted)
    ).astype(int)
    index = pd.MultiIndex.from_product([months, wanted], names=["month", "key"])
    return pd.DataFrame(
        {
            "month": index.get_level_values(0),
            "key": index.get_level_values(1),
            "count": counts[: len(months) * len(wanted)],
        }
    )


def offence_counts(prepared: Prepared, positions: np.ndarray) -> pd.Series:
    """Return the incidents at ``positions`` per offence code (as ``value_counts`` of the texts, no zeros)."""
    found = np.bincount(prepared.offence[positions], minlength=prepared.offences.size)
    series = pd.Series(found, index=pd.Index(prepared.offences, dtype=object), name="count")
    return series[series > 0]


def weekday_hour_at(prepared: Prepared, positions: np.ndarray) -> pd.DataFrame:
    """Return `geo.trends.weekday_hour` of the incidents at ``positions`` (only times known to the minute)."""
    timed = positions[prepared.minute[positions]]
    slots = prepared.weekday[timed].astype(np.int64) * 24 + prepared.hour[timed]
    counts = np.bincount(slots, minlength=7 * 24).reshape(7, 24).astype(int)
    return pd.DataFrame(
        counts, index=pd.RangeIndex(7, name="weekday"), columns=pd.RangeIndex(24, name="hour")
    )
