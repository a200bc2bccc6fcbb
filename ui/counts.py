"""Counting without copying: a page's counts from the prepared arrays or, with push-down, from the database.

The pages other than /map count the filter's incidents per unit, month, offence, weekday and hour.
On the arrays' path `geo.prepared.prepare` turns the shared incidents frame into small integer
arrays once per store version (``st.cache_resource``: one read-only object per process, shared by
every session), so a rerun selects positions (`positions`) and counts them with ``bincount``
instead of copying the matched rows (`geo.filters.apply_filter`) and scanning their texts.

With push-down (`ui.source.pushdown`) no process holds the incidents: the counts per unit, month
and offence are the store's prepared aggregates (`ui.source.unit_counts`, per month and unit or per
month and offence, summed here for the rest), the weekday × hour table and the clearance counts are
summed by the database (`geo.store.rows`), each cached per store version and filter. The functions below (`total`, `monthly`, `offences`, `weekday_hour`,
`unit_table`, `clearance`) give the same numbers either way (``tests/app/test_pushdown_trends_data.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
import streamlit as st

from geo import prepared as arrays
from geo.dates import months_between
from geo.filters import IncidentFilter
from geo.prepared import Prepared, count_table, prepare, select, unit_codes
from geo.store import rows
from geo.store.aggregates import UNIT_KEYS
from geo.store.counts import Window
from geo.taxonomy import group_of
from ui import loaders, source


@st.cache_resource(show_spinner=False, max_entries=loaders.VERSIONS)
def _prepared(url: str, version: str, frame: int, _incidents: pd.DataFrame) -> Prepared:
    return prepare(_incidents)


def prepared() -> Prepared:
    """Return the incidents as prepared arrays (one read-only object per process and store version).

    Keyed on the shared frame itself as well (its ``id``: `ui.loaders` keeps one per store version),
    so the arrays are always those of the frame the loaders hand out.
    """
    incidents = loaders.incidents()
    return _prepared(*loaders.key(), id(incidents), incidents)


def positions(flt: IncidentFilter) -> np.ndarray:
    """Return the positions of the incidents ``flt`` matches (`geo.prepared.select`)."""
    return select_in(prepared(), flt)


def select_in(found: Prepared, flt: IncidentFilter) -> np.ndarray:
    """Return the positions in ``found`` of the incidents ``flt`` matches."""
    return select(
        found, start=flt.start, end=flt.end, groups=flt.groups, offences=flt.offences, communes=flt.communes
    )


def codes_frame(found: Prepared, at: np.ndarray) -> pd.DataFrame:
    """One row per unit code the incidents at ``at`` carry (what `ui.units.choose` needs)."""
    return pd.DataFrame({"commune_code": unit_codes(found, at)}, dtype=object)


# -- the same counts on either path ------------------------------------------------------------
def total(flt: IncidentFilter) -> int:
    """Return how many incidents ``flt`` matches."""
    if source.pushdown():
        return int(_summed(flt, "offence_code")["n"].sum())
    return len(positions(flt))


def units(flt: IncidentFilter) -> pd.DataFrame:
    """One row per unit code the incidents of ``flt`` carry (`codes_frame`; sorted with push-down)."""
    if source.pushdown():
        codes = _summed(flt, "commune_code")["commune_code"].astype(str)
        return pd.DataFrame({"commune_code": codes.tolist()}, dtype=object)
    found = prepared()
    return codes_frame(found, select_in(found, flt))


def monthly(flt: IncidentFilter, *, by: str, keys: Sequence[str]) -> pd.DataFrame:
    """Return `geo.prepared.monthly_at` of ``flt`` (``month, key, count``; every month × key, zeros too).

    ``by`` is ``"offence_group"``, ``"offence_code"`` or ``"commune_code"``.
    """
    if not source.pushdown():
        found = prepared()
        return arrays.monthly_at(found, select_in(found, flt), start=flt.start, end=flt.end, by=by, keys=keys)
    column = "offence_code" if by == "offence_group" else by
    counted = _by_month(flt, column)
    key = counted[column].astype(str)
    if by == "offence_group":
        key = key.map(group_of()).fillna("")
    summed = counted.assign(key=key).groupby(["month", "key"])["n"].sum()
    months = months_between(flt.start, flt.end)
    index = pd.MultiIndex.from_product([[f"{m:%Y-%m}" for m in months], list(keys)])
    found_counts = summed.reindex(index, fill_value=0).to_numpy(dtype=int)
    full = pd.MultiIndex.from_product([months, list(keys)], names=["month", "key"])
    return pd.DataFrame(
        {"month": full.get_level_values(0), "key": full.get_level_values(1), "count": found_counts}
    )


def offences(flt: IncidentFilter) -> pd.Series:
    """Return the incidents of ``flt`` per offence code (`geo.prepared.offence_counts`: no zeros)."""
    if not source.pushdown():
        found = prepared()
        return arrays.offence_counts(found, select_in(found, flt))
    counted = _summed(flt, "offence_code")
    series = pd.Series(
        counted["n"].to_numpy(dtype=np.int64),
        index=pd.Index(counted["offence_code"].astype(str).tolist(), dtype=object),
        name="count",
    )
    return series[series > 0]


def weekday_hour(flt: IncidentFilter) -> pd.DataFrame:
    """Return `geo.trends.weekday_hour` of the incidents of ``flt`` (7 weekdays × 24 hours)."""
    if not source.pushdown():
        found = prepared()
        return arrays.weekday_hour_at(found, select_in(found, flt))
    return _weekday_hour(*loaders.key(), source.window(flt)).copy()


def unit_table(
    flt: IncidentFilter,
    communes: pd.DataFrame,
    *,
    previous: IncidentFilter | None = None,
    recode: Mapping[str, str] | None = None,
    clearance: bool = True,
) -> pd.DataFrame:
    """Return `geo.aggregate.commune_counts` of ``flt`` in ``communes`` (with ``previous``'s counts; re-coded).

    Without ``clearance`` the table has no clearance columns (``with_status, solved, clearance``),
    and push-down does not count the statuses: a page that shows no clearance saves that query.
    """
    if not source.pushdown():
        found = prepared()
        table = arrays.prepared_counts(
            found,
            communes,
            select_in(found, flt),
            days=flt.days,
            previous=None if previous is None else select_in(found, previous),
            recode=recode,
        )
        return table if clearance else table.drop(columns=list(_CLEARANCE), errors="ignore")
    status = _recoded(_status(*loaders.key(), source.window(flt)), recode) if clearance else None
    return count_table(
        communes,
        _per_unit(flt, recode),
        days=flt.days,
        previous=None if previous is None else _per_unit(previous, recode),
        status=status if status is not None and int(status["with_status"].sum()) > 0 else None,
    )


_CLEARANCE = ("with_status", "solved", "clearance")


def clearance(flt: IncidentFilter) -> float | None:
    """Return `geo.clearance.clearance_rate` of the incidents of ``flt`` (None when none has a status)."""
    if not source.pushdown():
        found = prepared()
        return arrays.clearance_at(found, select_in(found, flt))
    status = _status(*loaders.key(), source.window(flt))
    known = int(status["with_status"].sum())
    return 100.0 * int(status["solved"].sum()) / known if known else None


def _summed(flt: IncidentFilter, key: str) -> pd.DataFrame:
    """The filter's counts per ``key`` (``commune_code`` or ``offence_code``) summed over its months.

    Read from the per-month counts the monthly series draw as well (`ui.source.unit_counts` by month
    and ``key``, cached): one query per period for the series, the mix, the unit table and the total,
    where a period cut mid-month costs a read of its partial months' incidents each.
    """
    counted = _by_month(flt, key)
    summed = counted.groupby(key, sort=True)["n"].sum().reset_index()
    return summed[summed["n"] != 0].reset_index(drop=True)


def _by_month(flt: IncidentFilter, key: str) -> pd.DataFrame:
    """`ui.source.unit_counts` of ``flt`` by ``("month", key)``, its months cut in part read once for every key.

    The whole months are summed from the aggregates per key; the days of a month the period covers
    only in part are counted from the incidents once per period by unit × month × offence
    (`_partial`), then summed per key here: a province's cut month costs one read of its incidents,
    not one per key (about a second each at 10M).
    """
    return _month_counts(*loaders.key(), source.window(flt), key)


@st.cache_data(show_spinner=False, max_entries=32)
def _month_counts(url: str, version: str, win: Window, key: str) -> pd.DataFrame:
    parts = [_partial(url, version, win)]
    months = win.whole_months()
    if months is not None:
        first = date.fromisoformat(months[0] + "-01")
        after = (date.fromisoformat(months[1] + "-01") + timedelta(days=32)).replace(day=1)
        whole = Window(first, after - timedelta(days=1), offences=win.offences, communes=win.communes)
        parts.append(loaders.store().unit_counts(whole, by=("month", key)))
    parts = [p[["month", key, "n"]] for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(
            {"month": pd.Series(dtype=object), key: pd.Series(dtype=object), "n": pd.Series(dtype="int64")}
        )
    both = pd.concat(parts, ignore_index=True).astype({"n": np.int64})
    summed = both.groupby(["month", key], sort=True)["n"].sum().reset_index()
    return summed[summed["n"] != 0].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=16)
def _partial(url: str, version: str, win: Window) -> pd.DataFrame:
    """The window's incidents on the days of the months it covers in part, per unit × month × offence."""
    store = loaders.store()
    parts = [
        store.unit_counts(Window(first, last, offences=win.offences, communes=win.communes), by=UNIT_KEYS)
        for first, last in win.partial_days()
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(
            {**{k: pd.Series(dtype=object) for k in UNIT_KEYS}, "n": pd.Series(dtype="int64")}
        )
    return pd.concat(parts, ignore_index=True)


def _per_unit(flt: IncidentFilter, recode: Mapping[str, str] | None) -> pd.Series:
    counted = _summed(flt, "commune_code")
    series = pd.Series(
        counted["n"].to_numpy(dtype=np.int64),
        index=pd.Index(counted["commune_code"].astype(str), dtype=object),
    )
    if recode:
        series = series.groupby(series.index.map(lambda code: recode.get(code, code))).sum()
    return series[series > 0]


def _recoded(status: pd.DataFrame, recode: Mapping[str, str] | None) -> pd.DataFrame:
    if not recode or status.empty:
        return status
    return status.groupby(status.index.map(lambda code: recode.get(code, code))).sum()


@st.cache_data(show_spinner=False, max_entries=32)
def _weekday_hour(url: str, version: str, win: Window) -> pd.DataFrame:
    store = loaders.store()
    with store.engine.connect() as conn:
        return rows.weekday_hour(conn, store.tables, win)


@st.cache_data(show_spinner=False, max_entries=32)
def _status(url: str, version: str, win: Window) -> pd.DataFrame:
    store = loaders.store()
    with store.engine.connect() as conn:
        return rows.status_counts(conn, store.tables, win)
