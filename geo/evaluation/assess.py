"""Are the target communes improving? Before/after counts, RES, WDD, WDQ and verdicts (DESIGN.md §5).

`evaluate` reads counts only (`geo.evaluation.source`): from the incidents frame or from the store's
database, the same numbers through the same code; the result types are in `geo.evaluation.results`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.evaluation.calibration import Design, Inference, infer
from geo.evaluation.effects import false_discovery_rate
from geo.evaluation.event_study import event_study
from geo.evaluation.models import interrupted_time_series, panel_model
from geo.evaluation.neighbours import Areas, evaluation_areas
from geo.evaluation.periods import Windows, monthly_from_bins, period_table, windows_for
from geo.evaluation.results import ALL, Assessment, Evaluation, TargetEvaluation, monthly_table
from geo.evaluation.source import Incidents, counts_of, of_group
from geo.evaluation.synthetic import synthetic_control
from geo.plan import Plan

__all__ = [
    "ALL",
    "Assessment",
    "Evaluation",
    "TargetEvaluation",
    "evaluate",
    "monthly_table",
    "period_counts",
]


def _p_value(inference: Inference | None) -> float | None:
    return inference.effect.p_value if inference is not None and inference.effect is not None else None


def period_counts(incidents: Incidents, windows: Windows) -> pd.DataFrame:
    """Return incident counts per commune, offence group and period (0 before, 1 after).

    Returns
    -------
    pandas.DataFrame
        Columns ``commune_code``, ``offence_group``, ``period``, ``count``; incidents outside
        both windows are left out.
    """
    binned = counts_of(incidents).binned(list(windows.month_starts()))
    return period_table(binned, windows, first_month=-windows.before_months)


def _assess(
    table: pd.DataFrame,
    areas: Areas,
    population: dict[str, float],
    windows: Windows,
    *,
    inference: Inference | None = None,
    q_value: float | None = None,
) -> Assessment:
    counts: dict[str, int] = {}
    people: dict[str, float] = {}
    for label, codes in (("t", areas.targets), ("d", areas.buffer), ("c", areas.control)):
        part = table[table["commune_code"].isin(codes)]
        for period in (0, 1):
            counts[f"{label}{period}"] = int(part.loc[part["period"] == period, "count"].sum())
        people[label] = float(sum(population.get(code, 0.0) for code in codes))
    return Assessment(
        counts=counts,
        population=people,
        weight=windows.weight,
        years_before=windows.before_days / 365.25,
        years_after=windows.after_days / 365.25,
        has_buffer=bool(areas.buffer),
        inference=inference,
        q_value=q_value,
    )


def evaluate(
    incidents: Incidents,
    communes: gpd.GeoDataFrame,
    plan: Plan,
    *,
    through: date | None = None,
    models: bool = True,
    combined_name: str = "Các xã trọng điểm (chung)",
) -> Evaluation:
    """Evaluate a plan: per target, for the targets together and per offence group.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at``, ``commune_code`` and ``offence_group`` columns
        (``commune_code`` empty or unknown for incidents outside every commune), or their counts
        (`geo.evaluation.source.Counts`: the store's, counted in the database).
    communes
        Commune polygons with ``code``, ``name`` and (optionally) ``population`` columns.
    plan
        The plan: start day, targets and window lengths.
    through
        Last day the data covers (default: the latest incident); only complete months count.
    models
        Also fit the interrupted time series and the panel model (slower).
    combined_name
        Display name of the targets together.

    Returns
    -------
    Evaluation
        Everything the verdict cards, the analyst page and the command line show.

    Raises
    ------
    ConfigError
        When a target is not a commune or the start date leaves no data on one side.
    DataError
        When there are no incidents with a valid time.
    """
    codes = communes["code"].astype(str).tolist()
    plan.validate(set(codes))
    names = dict(zip(codes, communes["name"].astype(str), strict=True))
    if "population" in communes:
        values = pd.to_numeric(communes["population"], errors="coerce").fillna(0).to_numpy(dtype=float)
        population = dict(zip(codes, values.tolist(), strict=True))
    else:
        population = dict.fromkeys(codes, 0.0)
    counts = counts_of(incidents)
    baseline = replace(plan, before_months=plan.baseline_months)
    windows = windows_for(counts, baseline, through=through)
    trend_plan = replace(plan, before_months=max(baseline.before_months, settings.TREND_MONTHS_BEFORE))
    trend_windows = windows_for(counts, trend_plan, through=through)
    # One count of the incidents: the trend's months hold the baseline's and the after window's.
    binned = counts.binned(list(trend_windows.month_starts()))
    table = period_table(binned, windows, first_month=-trend_windows.before_months)
    outside_rows = table[~table["commune_code"].isin(codes)]
    outside_all = counts.outside(codes)
    outside = {
        "before": int(outside_rows.loc[outside_rows["period"] == 0, "count"].sum()),
        "after": int(outside_rows.loc[outside_rows["period"] == 1, "count"].sum()),
        "total": outside_all,
    }
    per_target, combined_areas = evaluation_areas(communes, plan.targets)
    groups = sorted(table["offence_group"].unique().tolist())
    has_population = any(value > 0 for value in population.values())
    monthly_all = monthly_from_bins(binned, trend_windows, codes=codes)
    trend_monthly = monthly_all if models else None
    design = Design((-windows.before_months, 0), (0, windows.after_months))
    buffers = {areas.key: areas.buffer for areas in per_target}

    def inferred(monthly: pd.DataFrame) -> dict[str, Inference]:
        found, together = infer(
            monthly,
            design,
            targets=plan.targets,
            buffers=buffers,
            population=population if has_population else None,
        )
        return found | {ALL: together}

    inference = inferred(monthly_all)
    by_group_inference = {
        group: inferred(monthly_from_bins(of_group(binned, group), trend_windows, codes=codes))
        for group in groups
    }

    # Offence groups other than the primary outcome are exploratory: one false-discovery-rate family
    # over the targets' cells, one over the targets-together cells.
    q_values: dict[tuple[str, str], float | None] = {}
    for keys in ([areas.key for areas in per_target], [ALL]):
        cells = [(key, group) for key in keys for group in groups if group != plan.primary]
        p_values = [_p_value(by_group_inference[group].get(key)) for key, group in cells]
        q_values |= dict(zip(cells, false_discovery_rate(p_values), strict=True))

    def build(areas: Areas, name: str, *, with_panel: bool) -> TargetEvaluation:
        by_group = {
            group: _assess(
                table[table["offence_group"] == group],
                areas,
                population,
                windows,
                inference=by_group_inference[group].get(areas.key),
                q_value=q_values.get((areas.key, group)),
            )
            for group in groups
        }
        trend = panel = None
        if trend_monthly is not None:
            trend = interrupted_time_series(
                trend_monthly, targets=areas.targets, control=areas.control, population=population
            )
            if with_panel:
                compared = trend_monthly["commune_code"].isin(list(areas.targets) + list(areas.control))
                in_window = trend_monthly["month"] >= -windows.before_months
                panel = panel_model(
                    trend_monthly[compared & in_window],
                    targets=areas.targets,
                    population=population if has_population else None,
                )
        return TargetEvaluation(
            key=areas.key,
            name=name,
            areas=areas,
            overall=_assess(table, areas, population, windows, inference=inference.get(areas.key)),
            by_group=by_group,
            trend=trend,
            panel=panel,
            primary_key=plan.primary,
            synthetic=(
                synthetic_control(
                    monthly_all,
                    target=areas.targets[0],
                    donors=areas.control,
                    after=(0, windows.after_months),
                )
                if models and not with_panel
                else None
            ),
            events=(
                event_study(
                    monthly_all,
                    targets=areas.targets,
                    comparison=areas.control,
                    baseline=(-windows.before_months, 0),
                )
                if models
                else None
            ),
        )

    return Evaluation(
        plan=plan,
        windows=windows,
        targets=tuple(build(areas, names[areas.key], with_panel=False) for areas in per_target),
        combined=build(combined_areas, combined_name, with_panel=True),
        names=names,
        outside=outside,
    )
