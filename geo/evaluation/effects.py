"""Effect sizes of a before/after comparison: RES, WDD, WDQ and the verdict rules (DESIGN.md §5)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from geo import settings
from geo.formatting import format_number
from geo.words import word

VERDICTS: dict[str, tuple[str, str]] = {
    "improving": ("Chuyển biến tích cực", "Positive change"),
    "unclear": ("Chưa rõ chuyển biến", "No clear change"),
    "worsening": ("Diễn biến phức tạp hơn", "Situation worsening"),
    "insufficient": ("Chưa đủ dữ liệu", "Not enough data"),
}
"""Verdict key → (Vietnamese, English) words shown to leaders."""

WDQ_REASONS: dict[str, tuple[str, str]] = {
    "no_buffer": ("không xác định: không có xã giáp ranh", "not defined: no neighbouring commune"),
    "zero_control": ("không xác định: xã đối chứng có 0 vụ", "not defined: the control has 0 incidents"),
    "no_target_change": (
        "không xác định: xã trọng điểm không đổi so với đối chứng",
        "not defined: the target did not change relative to the control",
    ),
}
"""Why a WDQ is not defined: reason key → (Vietnamese, English)."""


def _z() -> float:
    return float(stats.norm.ppf(0.5 + settings.CONFIDENCE_LEVEL / 2))


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval."""

    estimate: float
    lo: float
    hi: float


Pair = tuple[float, float]
"""Counts (before, after) in one area."""


def relative_effect_size(target: Pair, control: Pair) -> Interval | None:
    """Return the relative effect size RES = (T₀·C₁)/(T₁·C₀) with its confidence interval.

    RES above 1 means the target fell relative to the control (Welsh & Farrington). The interval
    uses Var(ln RES) = 1/T₀ + 1/T₁ + 1/C₀ + 1/C₁.

    Parameters
    ----------
    target
        Target counts (before, after).
    control
        Control counts (before, after).

    Returns
    -------
    Interval or None
        ``None`` when a count is zero (the ratio is not defined).

    Examples
    --------
    >>> res = relative_effect_size((100, 50), (200, 200))
    >>> round(res.estimate, 3), round(res.lo, 3), round(res.hi, 3)
    (2.0, 1.351, 2.96)
    """
    (t0, t1), (c0, c1) = target, control
    if min(t0, t1, c0, c1) <= 0:
        return None
    log_res = math.log(t0 * c1 / (t1 * c0))
    se = math.sqrt(1 / t0 + 1 / t1 + 1 / c0 + 1 / c1)
    z = _z()
    return Interval(math.exp(log_res), math.exp(log_res - z * se), math.exp(log_res + z * se))


@dataclass(frozen=True)
class WDD:
    """Weighted Displacement Difference: incidents prevented (negative) or added (positive)."""

    value: float
    se: float
    z: float
    lo: float
    hi: float


def weighted_displacement_difference(
    target: Pair,
    control: Pair,
    buffer: Pair = (0, 0),
    control_buffer: Pair | None = None,
    *,
    scale_control: bool = True,
    weight: float = 1.0,
) -> WDD:
    """Return WDD = ΔT − ΔC + ΔD − ΔDC with its standard error, z and confidence interval.

    Wheeler & Ratcliffe (2018): the variance is the sum of the eight counts. Communes differ in
    size, so by default the control's change is scaled to the target's baseline (ΔC·T₀/C₀) and
    the control buffer's to the buffer's baseline (ΔDC·D₀/DC₀), each variance by the square of
    its factor. Without a control buffer (``control_buffer=None``) the control itself, scaled to
    the buffer's baseline (ΔC·D₀/C₀), is the buffer's baseline (issue 12): a district-wide fall
    is then no "prevented" incident in the buffer. Its counts then enter twice, so their variance
    is scaled by ``(T₀ + D₀)²/C₀²``.

    Parameters
    ----------
    target, control, buffer, control_buffer
        Counts (before, after) in the target T, control C, buffer D and control buffer DC.
    scale_control
        Scale the control areas to the target's and buffer's baselines (``False``: raw counts, as
        in the published check value).
    weight
        Factor applied to every after count (time weighting of unequal windows).

    Returns
    -------
    WDD
        NaN throughout when the control has no incident before the start and scaling is asked.

    Examples
    --------
    >>> t, c, d, dc = (207, 110), (308, 318), (178, 157), (150, 140)
    >>> w = weighted_displacement_difference(t, c, d, dc, scale_control=False)
    >>> w.value, round(w.se, 1), round(w.z, 2)
    (-118.0, 39.6, -2.98)
    >>> round(weighted_displacement_difference((100, 90), (400, 360), (200, 180)).value, 6)
    0.0
    """
    (t0, t1), (c0, c1), (d0, d1) = target, control, buffer
    delta_c = weight * c1 - c0
    k_control = (t0 / c0 if c0 > 0 else math.nan) if scale_control else 1.0
    if control_buffer is None:
        k_buffer = (d0 / c0 if c0 > 0 else math.nan) if scale_control else 1.0
        k_buffer = k_buffer if d0 + d1 > 0 else 0.0
        value = (weight * t1 - t0) - k_control * delta_c + (weight * d1 - d0) - k_buffer * delta_c
        variance = (
            t0 + weight**2 * t1 + (k_control + k_buffer) ** 2 * (c0 + weight**2 * c1) + d0 + weight**2 * d1
        )
    else:
        dc0, dc1 = control_buffer
        k_buffer = (d0 / dc0 if dc0 > 0 else 1.0) if scale_control else 1.0
        value = (
            (weight * t1 - t0) - k_control * delta_c + (weight * d1 - d0) - k_buffer * (weight * dc1 - dc0)
        )
        variance = (
            t0
            + weight**2 * t1
            + k_control**2 * (c0 + weight**2 * c1)
            + d0
            + weight**2 * d1
            + k_buffer**2 * (dc0 + weight**2 * dc1)
        )
    se = math.sqrt(variance) if variance > 0 else math.nan
    z_value = value / se if se > 0 else math.nan
    z = _z()
    return WDD(float(value), se, z_value, value - z * se, value + z * se)


@dataclass(frozen=True)
class WDQ:
    """Weighted Displacement Quotient, or the reason it is not defined.

    ``value`` above 0 suggests a diffusion of benefits to the buffer, below 0 displacement.
    ``reason`` is a key of `WDQ_REASONS` when ``value`` is ``None``, else ``""``.
    """

    value: float | None
    reason: str = ""


def weighted_displacement_quotient(
    target: Pair, control: Pair, buffer: Pair, *, has_buffer: bool = True
) -> WDQ:
    """Return WDQ = (D₁/C₁ − D₀/C₀) / (T₁/C₁ − T₀/C₀) (Bowers & Johnson 2003), descriptive only.

    Parameters
    ----------
    target, control, buffer
        Counts (before, after) in the target, control and buffer.
    has_buffer
        Whether the target has a buffer at all.

    Examples
    --------
    >>> weighted_displacement_quotient((100, 50), (200, 200), (80, 60))
    WDQ(value=0.4, reason='')
    >>> weighted_displacement_quotient((100, 50), (0, 200), (80, 60))
    WDQ(value=None, reason='zero_control')
    """
    (t0, t1), (c0, c1), (d0, d1) = target, control, buffer
    if not has_buffer:
        return WDQ(None, "no_buffer")
    if c0 <= 0 or c1 <= 0:
        return WDQ(None, "zero_control")
    denominator = t1 / c1 - t0 / c0
    if math.isclose(denominator, 0.0, abs_tol=1e-12):
        return WDQ(None, "no_target_change")
    return WDQ(round((d1 / c1 - d0 / c0) / denominator, 12))


def verdict(res: Interval | None, *, total: int, min_count: int = settings.MIN_COUNT_FOR_VERDICT) -> str:
    """Return the verdict key from the RES interval (DESIGN.md §5).

    ``improving`` when the interval lies entirely above 1, ``worsening`` entirely below 1,
    ``unclear`` when it contains 1, ``insufficient`` when the target had fewer than ``min_count``
    incidents before and after together or RES is not defined.

    Examples
    --------
    >>> verdict(Interval(1.5, 1.01, 2.2), total=200)
    'improving'
    >>> verdict(Interval(1.2, 1.0, 1.4), total=200)
    'unclear'
    >>> verdict(Interval(1.5, 1.01, 2.2), total=5)
    'insufficient'
    """
    if res is None or total < min_count:
        return "insufficient"
    if res.lo > 1:
        return "improving"
    if res.hi < 1:
        return "worsening"
    return "unclear"


INSUFFICIENT_REASONS = ("few_incidents", "not_estimable", "low_power")
"""Why a verdict is *Chưa đủ dữ liệu*: too few incidents, no model possible, too little power."""


def calibrated_verdict(
    ratio: float | None,
    lo: float | None,
    hi: float | None,
    *,
    total: int,
    detectable_fall: float | None,
    min_count: int = settings.MIN_COUNT_FOR_VERDICT,
    max_fall: float = settings.MAX_DETECTABLE_FALL,
) -> tuple[str, str]:
    """Return the verdict key and, for ``insufficient``, its reason (issue 12).

    The verdict reads the calibrated interval of the rate ratio (target relative to its comparison
    units; below 1 a fall): ``improving`` when it lies entirely below 1, ``worsening`` entirely
    above 1, ``unclear`` when it contains 1. ``insufficient`` when the target had fewer than
    ``min_count`` incidents, the model could not be fitted, or the smallest fall the comparison
    could detect (80% power, 5% level) is larger than ``max_fall``.

    Examples
    --------
    >>> calibrated_verdict(0.6, 0.45, 0.8, total=500, detectable_fall=0.3)
    ('improving', '')
    >>> calibrated_verdict(0.9, 0.7, 1.15, total=500, detectable_fall=0.3)
    ('unclear', '')
    >>> calibrated_verdict(0.6, 0.2, 1.8, total=500, detectable_fall=0.7)
    ('insufficient', 'low_power')
    """
    if total < min_count:
        return "insufficient", "few_incidents"
    if ratio is None or lo is None or hi is None or detectable_fall is None:
        return "insufficient", "not_estimable"
    if detectable_fall > max_fall:
        return "insufficient", "low_power"
    if hi < 1:
        return "improving", ""
    if lo > 1:
        return "worsening", ""
    return "unclear", ""


def p_text(value: float | None, lang: str = "vi") -> str:
    """Return a p-value in words: ``p = 0,016``, ``p < 0,001``, or a dash when unknown.

    Examples
    --------
    >>> p_text(0.01574), p_text(0.00002), p_text(0.4, "en")
    ('p = 0,016', 'p < 0,001', 'p = 0.400')
    """
    if value is None or not math.isfinite(value):
        return "—"
    if value < 0.001:
        return word("calib.p_small", lang)
    return word("calib.p", lang, p=format_number(value, 3, lang=lang))


def false_discovery_rate(p_values: list[float | None]) -> list[float | None]:
    """Return Benjamini–Hochberg adjusted p-values (q-values); ``None`` stays ``None``.

    Used for the exploratory rows (offence groups): with 3 targets × 4 groups, some cell is "clear"
    by chance in most worlds without an effect; a q-value below 0.05 keeps the expected share of
    false discoveries among the clear cells at 5%.

    Examples
    --------
    >>> false_discovery_rate([0.01, 0.02, None, 0.03, 0.5])
    [0.04, 0.04, None, 0.04, 0.5]
    """
    known = [(p, i) for i, p in enumerate(p_values) if p is not None and math.isfinite(p)]
    out: list[float | None] = [None] * len(p_values)
    m = len(known)
    running = 1.0
    for rank, (p, i) in reversed(list(enumerate(sorted(known), start=1))):
        running = min(running, p * m / rank)
        out[i] = round(min(running, 1.0), 12)
    return out
