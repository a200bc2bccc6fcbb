"""Neighbouring communes and the evaluation areas of a plan: targets, displacement buffers, controls."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
from pyproj import CRS

from geo import settings
from geo._errors import ConfigError
from geo.communes import metric_crs as area_metric_crs


def metric_crs(communes: gpd.GeoDataFrame) -> CRS:
    """Return the projected CRS in which to measure ``communes``.

    EPSG:32648 (`settings.CRS_METRIC`) for boundaries inside its zone in Vietnam, otherwise the
    local UTM zone of the boundaries' centre.

    Raises
    ------
    BoundaryError
        When the frame has no CRS (coordinates cannot be measured without one).
    """
    return area_metric_crs(communes)


def neighbours(
    communes: gpd.GeoDataFrame,
    *,
    tolerance_m: float = settings.NEIGHBOUR_TOLERANCE_M,
) -> dict[str, tuple[str, ...]]:
    """Return, for each commune code, the codes of the communes that share a border with it.

    Two communes share a border when their polygons come within ``tolerance_m`` metres of each
    other (measured in `metric_crs`), so that slivers and gaps left by digitising do not break
    an adjacency. Touching at a single corner counts too: incidents can move across a corner.

    Parameters
    ----------
    communes
        Commune polygons with a ``code`` column and a CRS.
    tolerance_m
        Largest gap, in metres, still counted as a shared border.

    Returns
    -------
    dict
        Code → sorted tuple of neighbouring codes (never the commune itself).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> squares = gpd.GeoDataFrame(
    ...     {"code": ["a", "b", "c"]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1005, 0, 2000, 1000), box(3000, 0, 4000, 1000)],
    ...     crs="EPSG:32648",
    ... )
    >>> neighbours(squares, tolerance_m=10)
    {'a': ('b',), 'b': ('a',), 'c': ()}
    """
    metric = communes.to_crs(metric_crs(communes))
    codes = metric["code"].astype(str).tolist()
    left, right = metric.sindex.query(metric.geometry, predicate="dwithin", distance=tolerance_m)
    found: dict[str, set[str]] = {code: set() for code in codes}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            found[codes[i]].add(codes[j])
    return {code: tuple(sorted(found[code])) for code in codes}


@dataclass(frozen=True)
class Areas:
    """The three areas compared for one target, or for the targets together (DESIGN.md §5).

    Attributes
    ----------
    key
        The target's code, or ``"all"`` for the targets together.
    targets
        Target commune codes (one, or all of them).
    buffer
        Displacement buffer: the non-target communes sharing a border with a target.
    control
        Control: the other non-target communes.
    """

    key: str
    targets: tuple[str, ...]
    buffer: tuple[str, ...]
    control: tuple[str, ...]


def evaluation_areas(
    communes: gpd.GeoDataFrame,
    targets: Iterable[str],
    *,
    tolerance_m: float = settings.NEIGHBOUR_TOLERANCE_M,
) -> tuple[list[Areas], Areas]:
    """Return the areas of each target and of the targets together.

    For each target T, its buffer D is the non-target communes sharing a border with T and its
    control C is every other non-target commune. For the targets together T, D and C are the
    unions of the per-target areas (DESIGN.md §5); with several targets a commune can therefore
    be in the combined buffer and the combined control at once.

    Parameters
    ----------
    communes
        Commune polygons with a ``code`` column and a CRS.
    targets
        Codes of the target communes.
    tolerance_m
        Passed to `neighbours`.

    Returns
    -------
    tuple
        The per-target areas (in the order of ``targets``) and the combined areas.

    Raises
    ------
    ConfigError
        When a target code is not among the communes.
    """
    target_codes = tuple(str(code) for code in targets)
    codes = communes["code"].astype(str).tolist()
    unknown = [code for code in target_codes if code not in codes]
    if unknown:
        known = ", ".join(sorted(codes))
        raise ConfigError(
            f"Mã xã trọng điểm không có trong ranh giới: {', '.join(unknown)}. "
            f"Các mã có trong ranh giới: {known}."
        )
    adjacency = neighbours(communes, tolerance_m=tolerance_m)
    others = [code for code in codes if code not in target_codes]
    per_target: list[Areas] = []
    for target in target_codes:
        buffer = tuple(code for code in others if code in adjacency[target])
        control = tuple(code for code in others if code not in buffer)
        per_target.append(Areas(key=target, targets=(target,), buffer=buffer, control=control))
    union_buffer = {code for areas in per_target for code in areas.buffer}
    union_control = {code for areas in per_target for code in areas.control}
    combined = Areas(
        key="all",
        targets=target_codes,
        buffer=tuple(code for code in others if code in union_buffer),
        control=tuple(code for code in others if code in union_control),
    )
    return per_target, combined
