"""Incident filters: a validated value object, its URL form, and fast application to a frame."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo._errors import ConfigError
from geo.dates import shift_months
from geo.taxonomy import group_of, groups

_SEP = ","


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents to show: a closed date range, offence groups and types, communes.

    Empty tuples mean "all". ``end`` is inclusive (the whole day).
    """

    start: date
    end: date
    groups: tuple[str, ...] = ()
    offences: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ConfigError(
                f"Ngày kết thúc ({self.end:%d/%m/%Y}) phải sau ngày bắt đầu ({self.start:%d/%m/%Y})."
            )

    @property
    def days(self) -> int:
        """Number of days in the range, both ends included."""
        return (self.end - self.start).days + 1

    def year_earlier(self) -> IncidentFilter:
        """Return the same filter shifted to the same period one year earlier."""
        return replace(self, start=shift_months(self.start, -12), end=shift_months(self.end, -12))

    def to_params(self) -> dict[str, str]:
        """Return the filter as plain URL query parameters (dates ISO, lists comma-separated)."""
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for key, values in (("group", self.groups), ("offence", self.offences), ("commune", self.communes)):
            if values:
                params[key] = _SEP.join(values)
        return params

    @classmethod
    def from_params(
        cls,
        params: dict[str, str],
        *,
        default: IncidentFilter,
        commune_codes: set[str],
    ) -> IncidentFilter:
        """Parse URL query parameters, keeping only valid values and falling back to ``default``.

        Unknown codes are dropped and malformed dates replaced by the default: a link edited by
        hand never breaks the page.
        """
        start = _parse_date(params.get("from")) or default.start
        end = _parse_date(params.get("to")) or default.end
        if end < start:
            start, end = default.start, default.end
        offence_codes = set(group_of())
        return cls(
            start=start,
            end=end,
            groups=_parse_list(params.get("group"), set(groups())),
            offences=_parse_list(params.get("offence"), offence_codes),
            communes=_parse_list(params.get("commune"), commune_codes),
        )


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _parse_list(text: str | None, allowed: set[str]) -> tuple[str, ...]:
    if not text:
        return ()
    seen: dict[str, None] = {}
    for raw in text.split(_SEP):
        item = raw.strip()
        if item in allowed:
            seen[item] = None
    return tuple(sorted(seen))


def apply_filter(incidents: pd.DataFrame, flt: IncidentFilter) -> pd.DataFrame:
    """Return the incidents that match ``flt`` (a new frame; the input is not changed).

    The date range uses ``searchsorted`` when the frame is sorted by time (as the store returns
    it), otherwise a boolean mask.
    """
    times = incidents["occurred_at"]
    lo = pd.Timestamp(flt.start)
    hi = pd.Timestamp(flt.end) + pd.Timedelta(days=1)
    if times.is_monotonic_increasing:
        values = times.to_numpy()
        i, j = np.searchsorted(values, [lo.to_datetime64(), hi.to_datetime64()], side="left")
        subset = incidents.iloc[i:j]
    else:
        subset = incidents[(times >= lo) & (times < hi)]
    mask = np.ones(len(subset), dtype=bool)
    if flt.groups:
        mask &= subset["offence_group"].isin(flt.groups).to_numpy()
    if flt.offences:
        mask &= subset["offence_code"].isin(flt.offences).to_numpy()
    if flt.communes:
        mask &= subset["commune_code"].isin(flt.communes).to_numpy()
    return subset[mask].copy()


def default_filter(incidents: pd.DataFrame) -> IncidentFilter:
    """Return the default view: the last 12 complete months of the data (or all of it, if shorter)."""
    if incidents.empty:
        today = date.today()
        return IncidentFilter(start=today - timedelta(days=364), end=today)
    last = incidents["occurred_at"].max()
    first = incidents["occurred_at"].min().date()
    month_end = (last + pd.offsets.MonthEnd(0)).date()
    end = (
        month_end
        if last.date() == month_end
        else (last - pd.offsets.MonthBegin(1)).date() - timedelta(days=1)
    )
    if end < first:
        end = last.date()
    start = max(first, (pd.Timestamp(end) - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date())
    return IncidentFilter(start=start, end=end)
