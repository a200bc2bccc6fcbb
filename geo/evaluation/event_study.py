"""Event study: a target's rate, period by period before and after the start, against its comparison units.

Each bin (a quarter by default, counted from the plan's start) compares the target's count with
what its own baseline predicts once the comparison units' change from the baseline to that bin is
allowed for::

    L_b = log((y_b + ½) / (y_ref · len_b / len_ref + ½)) − log((C_b + ½) / (C_ref · len_b / len_ref + ½))

where ``y`` counts the target, ``C`` the comparison units together, ``ref`` is the baseline window
(the verdict's "before") and ``len`` the length in days. ``exp(L_b)`` is the bin's rate ratio: 1 when
the target moves with its comparison units. Before the start, ratios scattered around 1 mean the
target was not already drifting (no pre-trend); after it, the path shows when a change began and
whether it held.

How far from 1 is unusual comes from the area's own variation, not from a model: every comparison
unit is put through the same calculation against the others (a placebo in space) and the band runs
from the lowest to the highest of their ratios in each bin (the central `BAND` share once there are
`QUANTILE_UNITS` of them; `EventStudy.coverage` says how often an ordinary unit falls inside). A target outside the band in a bin moved more
than most untreated units did in that bin; inside it, its movement is ordinary. The band needs
`MIN_PLACEBO_UNITS` comparison units; with fewer, the ratios are shown without a band. This is a
description of when and how much the target moved relative to its comparison units, not a test of
what caused it; the verdict's calibrated interval and the pre-trend test remain the inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

BAND = 0.9
"""Share of the comparison units' ratios the band holds in each bin (5 % to 95 %), from `QUANTILE_UNITS` units."""

QUANTILE_UNITS = 20
"""Fewest comparison units for a quantile band; with fewer, the band runs from the lowest to the highest."""

MIN_PLACEBO_UNITS = 4
"""Fewest comparison units for a band: with fewer, the quantiles would be one or two units' values."""


@dataclass(frozen=True)
class EventStudy:
    """The bins of one target's event study.

    Attributes
    ----------
    table
        One row per bin: ``bin`` (0 is the first bin from the start, negative before it),
        ``month_start`` (Timestamp of the bin's first month), ``months`` (months in the bin: the
        last one may be short; a short bin before the start is left out), ``count`` (the target's incidents), ``ratio`` (the target's rate
        ratio, see the module docstring), ``lo`` and ``hi`` (the comparison units' band, NaN
        without one) and ``reference`` (True for bins wholly inside the baseline window).
    placebo_units
        Comparison units the band is drawn from (0: no band).
    bin_months
        Months per bin.
    """

    table: pd.DataFrame
    placebo_units: int
    bin_months: int

    @property
    def coverage(self) -> float:
        """Chance that a unit moving like the comparison units lies inside the band in a bin.

        With ``n`` placebo units and a band from the lowest to the highest, an exchangeable unit is
        inside with probability ``(n - 1) / (n + 1)``: a band from six units misses an ordinary unit
        two bins in seven. From `QUANTILE_UNITS` units the band is the central `BAND` share.
        """
        n = self.placebo_units
        if n < MIN_PLACEBO_UNITS:
            return 0.0
        return BAND if n >= QUANTILE_UNITS else (n - 1) / (n + 1)

    @property
    def has_band(self) -> bool:
        """Whether the comparison units were enough for a band."""
        return self.placebo_units >= MIN_PLACEBO_UNITS

    def outside_band(self, *, after: bool) -> int:
        """Count the bins before (``after=False``) or from the start whose ratio is outside the band."""
        if not self.has_band:
            return 0
        rows = self.table[(self.table["bin"] >= 0) == after]
        return int(((rows["ratio"] < rows["lo"]) | (rows["ratio"] > rows["hi"])).sum())


def _log_ratios(
    counts: np.ndarray, days: np.ndarray, ref: np.ndarray, subject: np.ndarray, comparison: np.ndarray
) -> np.ndarray:
    """Return ``L_b`` for one subject (a mask over units) against a comparison mask (see the module)."""
    y = counts[subject].sum(axis=0)
    c = counts[comparison].sum(axis=0)
    scale = days / days[ref].sum()
    y_expected = y[ref].sum() * scale
    c_expected = c[ref].sum() * scale
    return np.log((y + 0.5) / (y_expected + 0.5)) - np.log((c + 0.5) / (c_expected + 0.5))


def event_study(
    monthly: pd.DataFrame,
    *,
    targets: Sequence[str],
    comparison: Sequence[str],
    baseline: tuple[int, int],
    bin_months: int = 3,
) -> EventStudy | None:
    """Return the event study of ``targets`` (counted together) against ``comparison``.

    Parameters
    ----------
    monthly
        Unit × month counts from `geo.evaluation.periods.monthly_counts` (columns ``commune_code``,
        ``month`` relative to the start, ``month_start``, ``days``, ``count``), every unit with
        every month.
    targets
        The target units (summed: one series).
    comparison
        The units the target is compared with (the verdict's comparison units); each also serves
        as a placebo against the others for the band.
    baseline
        The reference months ``(first, end)`` relative to the start (the verdict's before window).
    bin_months
        Months per bin, counted from the start (the bin holding month ``m`` is ``m // bin_months``).

    Returns
    -------
    EventStudy or None
        ``None`` when there is nothing to compare: no target or comparison unit in ``monthly``, an
        empty baseline, or no incident in the baseline of the targets or of the comparison units.
    """
    if bin_months < 1:
        raise ValueError("bin_months must be at least 1")
    codes = monthly["commune_code"].astype(str)
    units = sorted(set(codes))
    target_set, comparison_set = set(map(str, targets)), set(map(str, comparison)) - set(map(str, targets))
    if not target_set & set(units) or not comparison_set & set(units):
        return None
    frame = monthly.assign(commune_code=codes, bin=monthly["month"] // bin_months)
    counts_table = frame.pivot_table(index="commune_code", columns="bin", values="count", aggfunc="sum")
    counts_table = counts_table.reindex(units).fillna(0)
    bins = counts_table.columns.to_numpy(dtype=int)
    per_bin = (
        frame.drop_duplicates("month")
        .groupby("bin")
        .agg(month_start=("month_start", "min"), days=("days", "sum"), months=("month", "size"))
    )
    per_bin = per_bin.reindex(bins)
    first_month = frame.groupby("bin")["month"].min().reindex(bins).to_numpy()
    last_month = frame.groupby("bin")["month"].max().reindex(bins).to_numpy()
    ref = (first_month >= baseline[0]) & (last_month < baseline[1])
    counts = counts_table.to_numpy(dtype=float)
    days = per_bin["days"].to_numpy(dtype=float)
    is_target = np.isin(units, sorted(target_set))
    is_comparison = np.isin(units, sorted(comparison_set))
    if not ref.any() or counts[is_target][:, ref].sum() == 0 or counts[is_comparison][:, ref].sum() == 0:
        return None
    ratio = np.exp(_log_ratios(counts, days, ref, is_target, is_comparison))
    # Every comparison unit against the others, all at once (the others' counts: the comparison's total less its own).
    own = counts[is_comparison]
    others = counts[is_comparison].sum(axis=0)[None, :] - own
    scale = days / days[ref].sum()
    own_ref, others_ref = own[:, ref].sum(axis=1), others[:, ref].sum(axis=1)
    log_ratios = np.log((own + 0.5) / (own_ref[:, None] * scale + 0.5)) - np.log(
        (others + 0.5) / (others_ref[:, None] * scale + 0.5)
    )
    placebos = list(log_ratios[(own_ref > 0) & (others_ref > 0)])
    lo = hi = np.full(len(bins), np.nan)
    if len(placebos) >= MIN_PLACEBO_UNITS:
        stacked = np.vstack(placebos)
        tail = (1 - BAND) / 2 if len(placebos) >= QUANTILE_UNITS else 0.0
        lo, hi = np.exp(np.quantile(stacked, tail, axis=0)), np.exp(np.quantile(stacked, 1 - tail, axis=0))
    table = pd.DataFrame(
        {
            "bin": bins,
            "month_start": pd.to_datetime(per_bin["month_start"].to_numpy()),
            "months": per_bin["months"].to_numpy(dtype=int),
            "count": counts[is_target].sum(axis=0).astype(int),
            "ratio": ratio,
            "lo": lo,
            "hi": hi,
            "reference": ref,
        }
    )
    # A short first bin (the data starting mid-quarter) is one month's noise drawn as a quarter.
    table = table[(table["bin"] >= 0) | (table["months"] == bin_months)].reset_index(drop=True)
    return EventStudy(table=table, placebo_units=len(placebos), bin_months=bin_months)
