"""The results of a plan's evaluation: assessments, per target and together, and their JSON (DESIGN.md §5).

`geo.evaluation.assess.evaluate` computes them; the verdict cards, the analyst page, the brief and the
command line (``python -m geo evaluate --json``, `Evaluation.to_dict`) read them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo import settings
from geo.evaluation.calibration import Effect, Inference
from geo.evaluation.effects import (
    WDD,
    WDQ,
    Interval,
    calibrated_verdict,
    relative_effect_size,
    weighted_displacement_difference,
    weighted_displacement_quotient,
)
from geo.evaluation.event_study import EventStudy
from geo.evaluation.models import PanelResult, TrendResult
from geo.evaluation.neighbours import Areas
from geo.evaluation.periods import Windows
from geo.evaluation.synthetic import SyntheticControl
from geo.plan import Plan

ALL = "all"
"""Key of the targets together, and of all offence groups together."""


def _pct(before: float, after: float) -> float | None:
    return (after - before) / before * 100 if before > 0 else None


@dataclass(frozen=True)
class Assessment:
    """The comparison of one set of areas for one offence group (or all groups).

    Attributes
    ----------
    counts
        ``{"t0", "t1", "d0", "d1", "c0", "c1"}``: counts before (0) and after (1) in the target,
        buffer and control (raw, not time-weighted).
    population
        Residents of the target, buffer and control (``{"t", "d", "c"}``; 0 when unknown).
    weight
        Time weight applied to after counts (before days / after days).
    years_before, years_after
        Window lengths in years, for the rates.
    has_buffer
        Whether the target has any buffer commune (WDQ is not defined without one).
    inference
        The calibrated model behind the verdict (`geo.evaluation.calibration`); ``None`` when it
        could not be fitted.
    q_value
        For an exploratory row (an offence group that is not the plan's primary outcome): the
        false-discovery-rate adjusted p-value; a clear verdict then also needs ``q_value < 0.05``.
    verdict, reason
        The verdict key (`geo.evaluation.effects.calibrated_verdict`) and, for ``insufficient``,
        why (a key of `geo.evaluation.effects.INSUFFICIENT_REASONS`).
    """

    counts: dict[str, int]
    population: dict[str, float]
    weight: float
    years_before: float
    years_after: float
    has_buffer: bool = True
    inference: Inference | None = None
    q_value: float | None = None
    res: Interval | None = field(init=False)
    wdd: WDD = field(init=False)
    wdq: WDQ = field(init=False)
    verdict: str = field(init=False)
    reason: str = field(init=False)

    def __post_init__(self) -> None:
        n = self.counts
        target, control, buffer = (n["t0"], n["t1"]), (n["c0"], n["c1"]), (n["d0"], n["d1"])
        res = relative_effect_size(target, control)
        object.__setattr__(self, "res", res)
        object.__setattr__(
            self,
            "wdd",
            weighted_displacement_difference(target, control, buffer, weight=self.weight),
        )
        object.__setattr__(
            self,
            "wdq",
            weighted_displacement_quotient(target, control, buffer, has_buffer=self.has_buffer),
        )
        e = self.effect
        key, reason = calibrated_verdict(
            e.ratio if e else None,
            e.lo if e else None,
            e.hi if e else None,
            total=n["t0"] + n["t1"],
            detectable_fall=e.detectable_fall if e else None,
        )
        alpha = 1 - settings.CONFIDENCE_LEVEL
        if key in {"improving", "worsening"} and self.q_value is not None and self.q_value >= alpha:
            key = "unclear"
        object.__setattr__(self, "verdict", key)
        object.__setattr__(self, "reason", reason)

    @property
    def effect(self) -> Effect | None:
        """The calibrated rate ratio (target relative to its comparison units), if estimable."""
        return self.inference.effect if self.inference else None

    def change_pct(self, area: str = "t") -> float | None:
        """Return the time-weighted % change of an area (``"t"``, ``"d"`` or ``"c"``)."""
        return _pct(self.counts[f"{area}0"], self.weight * self.counts[f"{area}1"])

    def rate(self, area: str = "t", *, after: bool = False) -> float | None:
        """Return incidents per 1,000 residents per year in an area before or after the start."""
        people = self.population[area]
        if people <= 0:
            return None
        count = self.counts[f"{area}{int(after)}"]
        return count / (self.years_after if after else self.years_before) / people * 1000


@dataclass(frozen=True)
class TargetEvaluation:
    """Evaluation of one target commune, or of the targets together (``key == "all"``).

    Attributes
    ----------
    key, name
        Commune code and name (``"all"`` and a generic name for the targets together).
    areas
        The target, buffer and control communes.
    overall
        The assessment over all offence groups.
    by_group
        The assessment per offence group code.
    trend
        The interrupted time series over up to `settings.TREND_MONTHS_BEFORE` months before the
        start and the after window (``None`` when it cannot be fitted).
    panel
        The panel model (targets together only; ``None`` otherwise or when not estimable).
    primary_key
        The plan's primary outcome (``"all"`` or an offence group): `primary` is its assessment,
        the one the verdict cards show; the other offence groups are exploratory.
    synthetic
        The cross-check by synthetic control (one target only; ``None`` without the models).
    events
        The event study: the rate ratio against the comparison units quarter by quarter around
        the start, with the comparison units' own band (``None`` without the models).
    """

    key: str
    name: str
    areas: Areas
    overall: Assessment
    by_group: dict[str, Assessment]
    trend: TrendResult | None = None
    panel: PanelResult | None = None
    primary_key: str = ALL
    synthetic: SyntheticControl | None = None
    events: EventStudy | None = None

    @property
    def primary(self) -> Assessment:
        """The assessment of the plan's primary outcome (all incidents, or one offence group)."""
        return self.by_group.get(self.primary_key, self.overall) if self.primary_key != ALL else self.overall


@dataclass(frozen=True)
class Evaluation:
    """The whole evaluation of a plan.

    Attributes
    ----------
    plan, windows
        The plan evaluated and the windows actually used.
    targets
        One evaluation per target, in the plan's order.
    combined
        The targets together.
    names
        Commune code → name.
    outside
        Incidents outside every commune polygon: ``{"before", "after", "total"}``.
    """

    plan: Plan
    windows: Windows
    targets: tuple[TargetEvaluation, ...]
    combined: TargetEvaluation
    names: dict[str, str]
    outside: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON object of ``python -m geo evaluate --json`` (NaN becomes ``null``)."""
        plan = self.plan.to_dict() | {"windows": self.windows.to_dict()}
        combined = _target_dict(self.combined, self.names)
        panel = self.combined.panel
        combined["panel_rate_ratio"] = _num(panel.rate_ratio) if panel else None
        combined["panel_ci"] = [_num(panel.lo), _num(panel.hi)] if panel else None
        combined["panel_method"] = panel.method if panel else None
        return {
            "plan": plan,
            "targets": [_target_dict(target, self.names) for target in self.targets],
            "combined": combined,
            "outside": dict(self.outside),
        }


def _num(value: float | None, digits: int = 4) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _assessment_dict(item: Assessment) -> dict[str, Any]:
    n = item.counts
    res = item.res
    return {
        "before": n["t0"],
        "after": n["t1"],
        "buffer_before": n["d0"],
        "buffer_after": n["d1"],
        "control_before": n["c0"],
        "control_after": n["c1"],
        "change_pct": _num(item.change_pct("t"), 1),
        "buffer_change_pct": _num(item.change_pct("d"), 1),
        "control_change_pct": _num(item.change_pct("c"), 1),
        "rate_before": _num(item.rate("t"), 2),
        "rate_after": _num(item.rate("t", after=True), 2),
        "res": _num(res.estimate) if res else None,
        "res_ci": [_num(res.lo), _num(res.hi)] if res else None,
        "wdd": _num(item.wdd.value, 1),
        "wdd_se": _num(item.wdd.se, 2),
        "wdd_z": _num(item.wdd.z, 2),
        "wdd_ci": [_num(item.wdd.lo, 1), _num(item.wdd.hi, 1)],
        "wdq": _num(item.wdq.value, 3),
        "wdq_note": item.wdq.reason,
        "verdict": item.verdict,
        "verdict_reason": item.reason,
        "q_value": _num(item.q_value, 6),
    } | _inference_dict(item.inference)


def _ratio_dict(prefix: str, value: Effect | None) -> dict[str, Any]:
    return {
        prefix: _num(value.ratio) if value else None,
        f"{prefix}_ci": [_num(value.lo), _num(value.hi)] if value else None,
        f"{prefix}_p": _num(value.p_value, 6) if value else None,
    }


def _inference_dict(inference: Inference | None) -> dict[str, Any]:
    """The calibrated figures of one assessment (issue 12), ``null`` where not estimable."""
    e = inference.effect if inference else None
    ri = inference.randomisation if inference else None
    between = inference.between if inference else None
    data: dict[str, Any] = _ratio_dict("rate_ratio", e)
    data |= {
        "rate_ratio_model_ci": [_num(e.model_lo), _num(e.model_hi)] if e else None,
        "df": e.df if e else None,
        "detectable_fall_pct": _num(100 * e.detectable_fall, 1) if e else None,
        "between_unit_sd": _num(between.sd) if between else None,
        "randomisation_p": _num(ri.p_value, 6) if ri else None,
        "randomisation": (
            {
                "larger": ri.larger,
                "assignments": ri.assignments,
                "units": ri.units,
                "chosen": ri.chosen,
                "dates": ri.dates,
                "sampled": ri.sampled,
            }
            if ri
            else None
        ),
        "method": inference.method if inference else None,
    }
    data |= _ratio_dict("buffer_ratio", inference.buffer if inference else None)
    data |= _ratio_dict("pretrend_ratio", inference.pretrend if inference else None)
    data["heterogeneity_p"] = _num(inference.heterogeneity, 6) if inference else None
    return data


def _target_dict(target: TargetEvaluation, names: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"code": target.key, "name": target.name}
    data |= _assessment_dict(target.overall)
    data["buffer"] = [{"code": code, "name": names.get(code, code)} for code in target.areas.buffer]
    data["control"] = [{"code": code, "name": names.get(code, code)} for code in target.areas.control]
    data["by_group"] = {group: _assessment_dict(item) for group, item in target.by_group.items()}
    sc = target.synthetic
    data["synthetic"] = (
        {
            "ratio": _num(sc.ratio),
            "p_value": _num(sc.p_value),
            "pre_misfit": _num(sc.pre_misfit),
            "placebos": sc.placebos,
            "weights": sc.weights,
            "reason": sc.reason,
        }
        if sc
        else None
    )
    data["primary"] = target.primary_key
    data["primary_verdict"] = target.primary.verdict
    trend = target.trend
    data["trend"] = (
        {
            "level_ratio": _num(trend.level_ratio),
            "level_ci": [_num(trend.level_ci[0]), _num(trend.level_ci[1])],
            "slope_ratio": _num(trend.slope_ratio),
            "slope_ci": [_num(trend.slope_ci[0]), _num(trend.slope_ci[1])],
            "after_ratio": _num(trend.after_ratio),
            "months_before": int((trend.series["month"] < 0).sum()),
            "method": trend.method,
            "tet_ratio": _num(trend.tet_ratio),
            "against_control": trend.against_control,
        }
        if trend
        else None
    )
    return data


def monthly_table(evaluation: Evaluation, key: str = ALL) -> pd.DataFrame:
    """Return the monthly series of one target (or ``"all"``) for charts, empty if not fitted."""
    found = [t for t in (*evaluation.targets, evaluation.combined) if t.key == key]
    if not found or found[0].trend is None:
        return pd.DataFrame(columns=["month", "month_start", "target", "control"])
    return found[0].trend.series.copy()
