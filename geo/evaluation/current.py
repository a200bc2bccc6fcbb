"""Is the change holding now? The plan's assessment with the latest complete months as its after window.

Issue 13, item 3. The plan's evaluation compares the after window that follows its start day with the
baseline before it; a plan that started years ago then shows a verdict about a period long past. This
module asks the same question of today: the latest `NOW_MONTHS` complete calendar months of
the data (ending where the data's coverage ends; a month of month-only records counts as complete)
against the **same baseline** as the plan, with the same model, the same calibration and the same
verdict rules (`geo.evaluation.assess.Assessment`). Nothing here changes the plan's own verdict.

What differs from the plan's evaluation
---------------------------------------
- The after window is calendar months (the data's coverage is counted in calendar months), while the
  baseline keeps the plan's months counted from its start day; the model's month terms and the
  months' own lengths (days) take the difference in length into account.
- Between the baseline and the latest months lies a gap (the months in between are left out). The
  between-unit variation that widens the intervals is measured, as in the plan's evaluation, from the
  units without a plan over the very same comparison (baseline → latest months), so a longer gap, in
  which units drift apart more, gives wider intervals. Placebo comparisons before the start need the
  whole baseline-gap-latest span before the start and rarely fit: then there are none.
- When the latest months reach back before the plan's start (the data end less than
  `NOW_MONTHS` months after it), there is no separate "now": the plan's own window is the
  latest there is (`holding` returns None).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.dates import complete_data_end, shift_months
from geo.evaluation.assess import ALL, Assessment, Evaluation
from geo.evaluation.calibration import Design, infer
from geo.evaluation.source import FrameCounts, Incidents, counts_of, of_group

NOW_MONTHS = 12
"""Length of the "now" window: the latest 12 complete calendar months (a whole year, every season once)."""


@dataclass(frozen=True)
class NowWindows:
    """The plan's baseline and the latest complete months of the data.

    Attributes
    ----------
    before_start, start
        The plan's baseline: first day and the plan's start day (exclusive end of the baseline).
    after_start, after_end
        The latest complete months: first day and exclusive end (the day after the data's last
        complete month).
    before_months, after_months
        Lengths in months.
    gap_months
        Whole months from the plan's start to ``after_start`` (month number of the first latest month).
    """

    before_start: date
    start: date
    after_start: date
    after_end: date
    before_months: int
    after_months: int
    gap_months: int

    @property
    def before_days(self) -> int:
        """Length of the baseline in days."""
        return (self.start - self.before_start).days

    @property
    def after_days(self) -> int:
        """Length of the latest months in days."""
        return (self.after_end - self.after_start).days

    @property
    def weight(self) -> float:
        """Factor that scales the latest months' counts to the baseline's length (time weighting)."""
        return self.before_days / self.after_days

    @property
    def last_day(self) -> date:
        """The last day of the latest months (inclusive)."""
        return (pd.Timestamp(self.after_end) - pd.Timedelta(days=1)).date()

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable description (ISO dates, inclusive last days)."""
        before_last = (pd.Timestamp(self.start) - pd.Timedelta(days=1)).date()
        return {
            "before": [self.before_start.isoformat(), before_last.isoformat()],
            "after": [self.after_start.isoformat(), self.last_day.isoformat()],
            "before_months": self.before_months,
            "after_months": self.after_months,
        }


def latest_months(last_day: date, months: int = NOW_MONTHS) -> tuple[date, date]:
    """Return the first day and the exclusive end of the latest ``months`` complete months up to ``last_day``.

    Examples
    --------
    >>> latest_months(date(2026, 10, 31))
    (datetime.date(2025, 11, 1), datetime.date(2026, 11, 1))
    >>> latest_months(date(2026, 10, 30))  # October is not complete yet
    (datetime.date(2025, 10, 1), datetime.date(2026, 10, 1))
    >>> latest_months(date(2024, 2, 29), 1)
    (datetime.date(2024, 2, 1), datetime.date(2024, 3, 1))
    """
    end = complete_data_end(last_day)
    return shift_months(end, -months), end


def now_windows(
    before_start: date, start: date, *, last_day: date, months: int = NOW_MONTHS
) -> NowWindows | None:
    """Return the baseline and the latest ``months`` complete months, or None when they begin before ``start``.

    Examples
    --------
    >>> w = now_windows(date(2022, 5, 26), date(2023, 5, 26), last_day=date(2026, 10, 31))
    >>> w.after_start, w.last_day, w.gap_months, w.before_days, w.after_days
    (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31), 29, 365, 365)
    >>> now_windows(date(2022, 5, 26), date(2023, 5, 26), last_day=date(2024, 3, 31)) is None
    True
    """
    after_start, after_end = latest_months(last_day, months)
    if after_start < start:
        return None
    before_months = 0
    while shift_months(start, -(before_months + 1)) >= before_start:
        before_months += 1
    gap = (after_start.year - start.year) * 12 + after_start.month - start.month
    if after_start.day < start.day:
        gap -= 1
    return NowWindows(
        before_start=before_start,
        start=start,
        after_start=after_start,
        after_end=after_end,
        before_months=before_months,
        after_months=months,
        gap_months=max(gap, 0),
    )


def _edges(anchor: date, first: int, last: int) -> list[pd.Timestamp]:
    """Month edges ``anchor + first months … anchor + last months`` (each shifted from the anchor)."""
    return [pd.Timestamp(shift_months(anchor, k)) for k in range(first, last + 1)]


def now_edges(windows: NowWindows) -> tuple[list[pd.Timestamp], list[int | None]]:
    """Return the bin edges of the baseline and the latest months, and each bin's month number (None: the gap).

    The baseline's months come first (``-before_months … -1``, from the plan's start day), then the
    months in between as one bin left out (when the latest months do not begin at the start), then
    the latest months (``gap_months …``, calendar months).
    """
    before = _edges(windows.start, -windows.before_months, 0)
    after = _edges(windows.after_start, 0, windows.after_months)
    numbers: list[int | None] = [*range(-windows.before_months, 0)]
    if after[0] > before[-1]:
        numbers.append(None)
    else:
        after = after[1:]  # the latest months begin at the plan's start: one shared edge
    numbers += [windows.gap_months + k for k in range(windows.after_months)]
    return before + after, numbers


def _gap(numbers: list[int | None]) -> list[int]:
    """The bins of `now_edges` left out (the months between the plan's start and the latest months)."""
    return [i for i, number in enumerate(numbers) if number is None]


def monthly_now_from_bins(binned: pd.DataFrame, windows: NowWindows, *, codes: list[str]) -> pd.DataFrame:
    """Return the full unit × month table of ``binned`` counts over the bins of `now_edges` (see `monthly_now`)."""
    edges, numbers = now_edges(windows)
    number = pd.Series(numbers, dtype="Int64").to_numpy(dtype=float, na_value=np.nan)[
        binned["bin"].to_numpy()
    ]
    keep = ~np.isnan(number) & binned["commune_code"].isin(codes).to_numpy()
    observed = (
        pd.DataFrame(
            {
                "commune_code": binned["commune_code"].to_numpy()[keep],
                "month": number[keep].astype(np.int64),
                "count": binned["count"].to_numpy()[keep],
            }
        )
        .groupby(["commune_code", "month"])["count"]
        .sum()
    )
    shown = [(i, n) for i, n in enumerate(numbers) if n is not None]
    full = pd.MultiIndex.from_product([codes, [n for _, n in shown]], names=["commune_code", "month"])
    table = observed.reindex(full, fill_value=0).astype(np.int64).rename("count").reset_index()
    starts = pd.DatetimeIndex([edges[i] for i, _ in shown])
    lengths = np.asarray([(edges[i + 1] - edges[i]).days for i, _ in shown])
    position = {n: k for k, (_, n) in enumerate(shown)}
    index = table["month"].map(position).to_numpy()
    table["month_start"] = starts[index]
    table["days"] = lengths[index]
    return table[["commune_code", "month", "month_start", "days", "count"]]


def monthly_now(incidents: pd.DataFrame, windows: NowWindows, *, codes: list[str]) -> pd.DataFrame:
    """Return the full unit × month table of the baseline's and the latest months' counts.

    Baseline months are numbered ``-before_months … -1`` (counted from the plan's start day, as in
    `geo.evaluation.periods.monthly_counts`), the latest months ``gap_months … gap_months +
    after_months - 1`` (calendar months); the months in between are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``commune_code``, ``month``, ``month_start``, ``days``, ``count``.
    """
    edges, numbers = now_edges(windows)
    binned = FrameCounts(incidents).binned(edges, skip=_gap(numbers))
    return monthly_now_from_bins(binned, windows, codes=codes)


@dataclass(frozen=True)
class Holding:
    """The plan's question asked of the latest months: one assessment per target and for them together.

    Attributes
    ----------
    windows
        The plan's baseline and the latest complete months.
    items
        Target code (and `ALL` for the targets together) → the assessment of the plan's primary
        outcome: counts ``t0``/``t1`` are the baseline's and the latest months'.
    """

    windows: NowWindows
    items: Mapping[str, Assessment]

    def to_dict(self) -> dict[str, object]:
        """Return the windows and each target's verdict and change (JSON)."""
        return {
            "windows": self.windows.to_dict(),
            "targets": {
                key: {
                    "verdict": item.verdict,
                    "before": item.counts["t0"],
                    "after": item.counts["t1"],
                    "change_pct": None if (p := item.change_pct("t")) is None else round(p, 1),
                }
                for key, item in self.items.items()
            },
        }


def holding(
    evaluation: Evaluation,
    incidents: Incidents,
    communes: gpd.GeoDataFrame,
    *,
    through: date | None = None,
    months: int = NOW_MONTHS,
) -> Holding | None:
    """Assess the plan's targets over the latest ``months`` complete months against the plan's baseline.

    Parameters
    ----------
    evaluation
        The plan's evaluation (`geo.evaluation.assess.evaluate`): its plan, baseline and areas.
    incidents, communes
        The same incidents (frame or `geo.evaluation.source.Counts`) and communes the evaluation was
        made from.
    through
        Last day the data covers (default: the latest incident; a month-only record covers its month).
    months
        Length of the latest window.

    Returns
    -------
    Holding or None
        None when the latest months begin before the plan's start (the plan's own window is the
        latest there is) or there are no incidents.
    """
    source = counts_of(incidents)
    if source.first_day() is None:
        return None
    last = through or source.last_day()
    if last is None:
        return None
    w = evaluation.windows
    windows = now_windows(w.before_start, w.start, last_day=last, months=months)
    if windows is None:
        return None
    plan = evaluation.plan
    codes = communes["code"].astype(str).tolist()
    if "population" in communes:
        values = pd.to_numeric(communes["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
        population = dict(zip(codes, values.tolist(), strict=True))
    else:
        population = dict.fromkeys(codes, 0.0)
    has_population = any(value > 0 for value in population.values())
    edges, numbers = now_edges(windows)
    binned = of_group(source.binned(edges, skip=_gap(numbers)), None if plan.primary == ALL else plan.primary)
    monthly = monthly_now_from_bins(binned, windows, codes=codes)
    design = Design((-windows.before_months, 0), (windows.gap_months, windows.gap_months + months))
    per_target = {target.key: target.areas for target in evaluation.targets}
    found, together = infer(
        monthly,
        design,
        targets=plan.targets,
        buffers={key: areas.buffer for key, areas in per_target.items()},
        population=population if has_population else None,
    )
    inference = found | {ALL: together}
    after = monthly["month"] >= 0
    totals = monthly.groupby([monthly["commune_code"], after])["count"].sum()

    def count(codes_: tuple[str, ...], period: bool) -> int:
        return int(sum(int(totals.get((code, period), 0)) for code in codes_))

    items: dict[str, Assessment] = {}
    for target in (*evaluation.targets, evaluation.combined):
        areas = target.areas
        counts: dict[str, int] = {}
        people: dict[str, float] = {}
        for label, group in (("t", areas.targets), ("d", areas.buffer), ("c", areas.control)):
            counts[f"{label}0"], counts[f"{label}1"] = count(group, False), count(group, True)
            people[label] = float(sum(population.get(code, 0.0) for code in group))
        items[target.key] = Assessment(
            counts=counts,
            population=people,
            weight=windows.weight,
            years_before=windows.before_days / 365.25,
            years_after=windows.after_days / 365.25,
            has_buffer=bool(areas.buffer),
            inference=inference.get(target.key),
        )
    return Holding(windows=windows, items=items)
