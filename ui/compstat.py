"""CompStat glue: the chosen period against the same period a year earlier, in numbers and %, and the clearance rate."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.clearance import clearance_rate, has_status
from geo.filters import IncidentFilter
from ui import counts, loaders
from ui.filters import preset_label
from ui.i18n import fmt_date, fmt_int, fmt_num, t


def period_caption(flt: IncidentFilter) -> str:
    """Return "Kỳ: 28 ngày gần nhất (04/10/2026 – 31/10/2026), so với cùng kỳ năm trước 04/10/2025 – 31/10/2025."."""
    earlier = flt.year_earlier()
    dates = {
        "start": fmt_date(flt.start),
        "end": fmt_date(flt.end),
        "start_prev": fmt_date(earlier.start),
        "end_prev": fmt_date(earlier.end),
    }
    label = preset_label(flt)
    return t("compstat.period_preset", preset=label, **dates) if label else t("compstat.period", **dates)


def change_delta(current: int, previous: int) -> str:
    """Return "+12 (+5,3%) so với cùng kỳ năm trước (227)" (no % when the year before had none)."""
    change = (
        f"{'+' if current >= previous else '-'}{fmt_int(abs(current - previous))}"  # Streamlit reads the sign
    )
    if previous <= 0:
        return t("compstat.delta_new", change=change, n=fmt_int(previous))
    pct = fmt_num(100.0 * (current - previous) / previous, 1, signed=True) + "%"
    return t("compstat.delta", change=change, pct=pct, n=fmt_int(previous))


def _pct(value: float) -> str:
    return f"{fmt_num(value, 1)}%"


def clearance_metric(rate: float | None, previous: float | None) -> None:
    """Draw the clearance rate of the period against a year earlier, or say there is no status to count.

    ``rate`` and ``previous`` are `geo.clearance.clearance_rate` of the period and of the year before
    (None where no incident has a status).
    """
    if rate is None:
        st.caption(t("clearance.none"))
        return
    delta = (
        t("clearance.delta", points=fmt_num(rate - previous, 1, signed=True), previous=_pct(previous))
        if previous is not None
        else t("clearance.delta_none")
    )
    st.metric(
        t("clearance.label"),
        _pct(rate),
        delta=delta,
        delta_color="normal" if previous is not None else "off",
        help=t("clearance.help"),
    )


def clearance_rates(now: pd.DataFrame, before: pd.DataFrame) -> tuple[float | None, float | None]:
    """Return the clearance rates of two periods' incidents (None where none has a status)."""
    return (
        clearance_rate(now) if has_status(now) else None,
        clearance_rate(before) if has_status(before) else None,
    )


def rates(flt: IncidentFilter) -> tuple[float | None, float | None]:
    """Return the clearance rates of ``flt``'s period and of the same period a year earlier.

    Counted on the prepared arrays or, with push-down, per status text in the database (`ui.counts.clearance`).
    """
    return counts.clearance(flt), counts.clearance(flt.year_earlier())


def unit_table(flt: IncidentFilter, communes: pd.DataFrame) -> pd.DataFrame:
    """Return the period's counts per unit with the year before's (`geo.aggregate.commune_counts`), either path."""
    return counts.unit_table(flt, communes, previous=flt.year_earlier())


def metrics(
    table: pd.DataFrame, rates: tuple[float | None, float | None], *, targets: tuple[str, ...]
) -> None:
    """Draw the period's totals (all, targets, others) against a year earlier and the clearance rate.

    ``table`` is `geo.aggregate.commune_counts` with the year before; ``rates`` the clearance rates
    of the period and of the year before (`rates`, `clearance_rates`, or `geo.prepared.clearance_at`).
    """
    is_target = table["code"].isin(targets)
    cols = st.columns(4)
    for col, label, mask in (
        (cols[0], "overview.total", slice(None)),
        (cols[1], "overview.targets_total", is_target),
        (cols[2], "overview.others_total", ~is_target),
    ):
        current, previous = int(table.loc[mask, "count"].sum()), int(table.loc[mask, "previous"].sum())
        col.metric(
            t(label, n=len(targets), unit=loaders.area().unit_word),
            fmt_int(current),
            delta=change_delta(current, previous),
            delta_color="inverse" if current != previous else "off",  # no change: neither red nor green
        )
    with cols[3]:
        clearance_metric(*rates)
