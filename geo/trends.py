"""Trend tables of the /trends page: monthly series, offence mix and its change, weekday × hour, top communes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.dates import months_between
from geo.taxonomy import group_of


def monthly_series(
    incidents: pd.DataFrame,
    *,
    start: date,
    end: date,
    by: str | None = None,
    keys: list[str] | None = None,
) -> pd.DataFrame:
    """Count incidents per calendar month, with zero for months (and keys) without incidents.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` (and the ``by`` column).
    start, end
        The period; every month it touches gets a row.
    by
        Optional column to split by (e.g. ``offence_group``, ``commune_code``).
    keys
        The values of ``by`` to report (default: those present).

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (timestamp of the month's first day), ``key`` (with ``by``) and ``count``.
    """
    months = months_between(start, end)
    month = incidents["occurred_at"].dt.to_period("M").dt.to_timestamp()
    if by is None:
        counts = month.value_counts().reindex(months, fill_value=0)
        return pd.DataFrame({"month": months, "count": counts.to_numpy().astype(int)})
    wanted = keys if keys is not None else sorted(incidents[by].astype(str).unique())
    grouped = incidents.groupby([month, incidents[by].astype(str)]).size()
    index = pd.MultiIndex.from_product([months, wanted], names=["month", "key"])
    counts = grouped.reindex(index, fill_value=0)
    return pd.DataFrame(
        {
            "month": index.get_level_values(0),
            "key": index.get_level_values(1),
            "count": counts.to_numpy().astype(int),
        }
    )


def offence_mix(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Compare the offence mix of two periods: counts, shares (%) and the change of each share.

    Returns
    -------
    pandas.DataFrame
        Columns ``offence_code, offence_group, count, share, previous, previous_share, change,
        share_change`` (percentage points), sorted by ``count`` descending; offences absent from
        both periods are left out.
    """
    return mix_of(
        current["offence_code"].astype(str).value_counts(),
        previous["offence_code"].astype(str).value_counts(),
    )


def mix_of(now: pd.Series, before: pd.Series) -> pd.DataFrame:
    """Return `offence_mix` from the counts per offence code of the two periods (codes missing count 0).

    The counts may come from ``value_counts`` of the incidents or from `geo.aggregate.offence_counts`.
    """
    now, before = now[now > 0], before[before > 0]
    codes = sorted(set(now.index) | set(before.index))
    table = pd.DataFrame({"offence_code": codes})
    groups = group_of()
    table["offence_group"] = [groups.get(c, "") for c in codes]
    table["count"] = table["offence_code"].map(now).fillna(0).astype(int)
    table["previous"] = table["offence_code"].map(before).fillna(0).astype(int)
    total_now, total_before = max(int(table["count"].sum()), 1), max(int(table["previous"].sum()), 1)
    table["share"] = 100.0 * table["count"] / total_now
    table["previous_share"] = 100.0 * table["previous"] / total_before
    table["change"] = table["count"] - table["previous"]
    table["share_change"] = table["share"] - table["previous_share"]
    columns = [
        "offence_code",
        "offence_group",
        "count",
        "share",
        "previous",
        "previous_share",
        "change",
        "share_change",
    ]
    return table.sort_values(["count", "offence_code"], ascending=[False, True])[columns].reset_index(
        drop=True
    )


def weekday_hour(incidents: pd.DataFrame) -> pd.DataFrame:
    """Count incidents by weekday (rows 0 = Monday … 6 = Sunday) and hour of day (columns 0 … 23).

    Only incidents whose time is known to the minute count: a date without a time is not at midnight,
    and a month-only record has no weekday.
    """
    timed = incidents if "precision" not in incidents else incidents[incidents["precision"] == "minute"]
    times = timed["occurred_at"]
    counts = np.zeros((7, 24), dtype=int)
    np.add.at(counts, (times.dt.weekday.to_numpy(), times.dt.hour.to_numpy()), 1)
    return pd.DataFrame(
        counts, index=pd.RangeIndex(7, name="weekday"), columns=pd.RangeIndex(24, name="hour")
    )


def top_communes(
    table: pd.DataFrame, *, column: str, n: int = 5, largest: bool = True, signed: bool = False
) -> pd.DataFrame:
    """Return the ``n`` communes with the largest (or smallest) ``column`` of a `geo.aggregate.commune_counts` table.

    Rows where ``column`` is missing (unknown population, no previous incidents) are left out. With
    ``signed``, only rises (``largest``) or only falls (smallest) are kept: "top rises" never lists a fall.
    """
    known = table.dropna(subset=[column])
    if signed:
        known = known[known[column] > 0] if largest else known[known[column] < 0]
    ordered = known.sort_values([column, "code"], ascending=[not largest, True], kind="stable")
    return ordered.head(n).reset_index(drop=True)
