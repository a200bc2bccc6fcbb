"""The brief's tables: incidents by commune for the period against the same period last year, and the hot spots."""

from __future__ import annotations

from typing import Any

import numpy as np

from geo import AppError, settings
from geo.aggregate import count_table
from geo.brief import figures
from geo.brief.content import Block, Images, Inputs, Paragraph, Section, Table
from geo.brief.wording import Words
from geo.filters import IncidentFilter
from geo.hotspots import series
from geo.hotspots.emerging import Emerging
from geo.plan import marked
from geo.taxonomy import group_name, offence_name

MAX_COMMUNE_ROWS = 16
"""Most rows of the table by commune (targets always shown; the rest summed in one row): two to four pages."""

MAX_HOT_ROWS = 8
"""Hot cells listed (hottest first) and numbered on the hot-spot map."""


def _filter_note(period: IncidentFilter, names: dict[str, str], w: Words) -> str:
    parts = []
    if period.groups:
        parts.append(", ".join(group_name(g, lang=w.lang) for g in period.groups))
    if period.offences:
        parts.append(", ".join(offence_name(o, lang=w.lang) for o in period.offences))
    if period.communes:
        parts.append(", ".join(names.get(c, c) for c in period.communes))
    return w("brief.filter", what="; ".join(parts)) if parts else ""


def _pct_text(value: float, w: Words) -> str:
    if not np.isfinite(value):
        return "—"
    return ("+" if value > 0 else "") + w.n(value) + "%"


def period_section(inputs: Inputs, period: IncidentFilter, w: Words) -> Section:
    """Return the period's totals and the table by commune against the same period a year earlier."""
    communes, plan = inputs.communes, inputs.plan
    counted = inputs.counts()
    now, before = counted.per_unit(period), counted.per_unit(period.year_earlier())
    table = count_table(communes, now, days=period.days, previous=before)
    is_target = table["code"].isin(plan.targets)
    unit = inputs.area.unit_word
    totals = []
    for key, mask in (
        ("brief.total", np.ones(len(table), dtype=bool)),
        ("brief.total_targets", is_target.to_numpy()),
        ("brief.total_others", (~is_target).to_numpy()),
    ):
        if key != "brief.total" and not plan.is_set:
            continue
        current, previous = int(table.loc[mask, "count"].sum()), int(table.loc[mask, "previous"].sum())
        pct = 100 * (current - previous) / previous if previous else None
        totals.append(
            w(
                key,
                n=len(plan.targets),
                unit=unit,
                count=w.n(current),
                previous=w.n(previous),
                change=w.change(pct),
            )
        )
    blocks: list[Block] = [Paragraph("; ".join(totals) + ".")]
    names = dict(zip(communes["code"].astype(str), communes["name"].astype(str), strict=True))
    note = _filter_note(period, names, w)
    if note:
        blocks.append(Paragraph(note, note=True))
    others = table[~is_target].head(max(MAX_COMMUNE_ROWS - int(is_target.sum()), 0))
    shown = table[is_target | table.index.isin(others.index)]
    rest = table.drop(shown.index)
    rows = [
        (
            marked(str(r["name"]), target=bool(r["code"] in plan.targets)),
            w.n(r["count"]),
            w.n(r["previous"]),
            ("+" if r["change"] > 0 else "") + w.n(r["change"]),
            _pct_text(float(r["change_pct"]), w),
            "—" if not np.isfinite(r["rate"]) else w.n(float(r["rate"]), 1),
        )
        for r in _records(shown)
    ]
    if len(rest):
        change = int(rest["change"].sum())
        rows.append(
            (
                w("brief.rest", n=len(rest), unit=unit),
                w.n(int(rest["count"].sum())),
                w.n(int(rest["previous"].sum())),
                ("+" if change > 0 else "") + w.n(change),
                "",
                "",
            )
        )
    bold = tuple(i for i, code in enumerate(shown["code"]) if code in plan.targets)
    columns = ("col.commune", "col.count", "col.previous", "col.change", "col.change_pct", "col.rate")
    blocks.append(
        Table(
            tuple(w(c) for c in columns),
            tuple(rows),
            (False, True, True, True, True, True),
            (0.30, 0.11, 0.16, 0.13, 0.14, 0.16),
            bold_rows=bold,
        )
    )
    if plan.is_set:
        blocks.append(Paragraph(w("brief.marked", unit=unit), note=True))
    return Section(w("brief.s.period", start=w.d(period.start), end=w.d(period.end)), tuple(blocks))


def hotspot_section(inputs: Inputs, period: IncidentFilter, w: Words) -> Section:
    """Return the period's Gi* hot cells to watch (with their trend over the whole data) and the hot-spot map."""
    frame = series.grid_frame(inputs.communes)
    counted = inputs.counts()
    analysis = series.period_analysis(
        frame, counted.period(period), start=period.start, end=period.end, communes=period.communes
    )
    try:
        whole, months = counted.whole(period)
        emerging: Emerging | None = series.emerging_analysis(
            frame, whole, communes=period.communes, months=months
        )
    except AppError:
        emerging = None
    # A Gi* hot cell can hold no incident itself (its neighbours make it hot): the list names places with incidents.
    top = analysis.table[analysis.table["count"] > 0].head(MAX_HOT_ROWS)
    names = dict(zip(inputs.communes["code"].astype(str), inputs.communes["name"].astype(str), strict=True))
    cell = w.n(settings.GRID_CELL_M)
    conv = analysis.convention  # the map names its p-value convention, as the dashboard's legend does
    inference = (
        w("hot.gi_method.permutation", n=w.n(conv.permutations))
        if conv.inference == "permutation"
        else w("hot.gi_method.normal")
    )
    method = w("hot.gi_method", inference=inference, fdr=w(f"hot.gi_method.fdr.{str(conv.fdr).lower()}"))
    caption = f"{w('brief.hot_map_caption')} {method}."
    if inputs.plan.is_set:
        caption = f"{caption} {w('brief.hot_map_targets', unit=inputs.area.unit_word)}"
    heading = w("brief.s.hotspots")
    hot_map = figures.hotspot_map(
        inputs.communes,
        frame.cells,
        density=analysis.density,
        bins=analysis.bins,
        ranks=[(float(r["lon"]), float(r["lat"]), i) for i, r in enumerate(_records(top), start=1)],
        density_title=f"{w('hot.density')} ({w('hot.density_unit')})",
        hot_label=w("brief.hot_legend"),
        targets=inputs.plan.targets,
        lang=w.lang,
    )
    if top.empty:
        blocks: list[Block] = [Paragraph(w("brief.hot_none", cell=cell))]
        blocks.append(Images((hot_map.image(caption, width=0.62),)))
        return Section(heading, tuple(blocks))
    trend = emerging.category.ravel()[top["cell"]] if emerging is not None else [""] * len(top)
    rows = tuple(
        (
            str(rank),
            names.get(str(r["commune_code"]), str(r["commune_code"])),
            w.n(int(r["count"])),
            w(f"hot.gi.{int(r['gi_bin'])}"),
            w(f"hot.em.{c}") if c and c != "none" else "",
            f"{w.n(float(r['lat']), 4)}; {w.n(float(r['lon']), 4)}",
        )
        for rank, (r, c) in enumerate(zip(_records(top), trend, strict=True), start=1)
    )
    blocks = [
        Paragraph(w("brief.hot_intro", n=w.n(len(analysis.table)), cell=cell, shown=len(top))),
        Table(
            (
                w("hot.col.rank"),
                w("col.commune"),
                w("hot.count"),
                w("hot.confidence"),
                w("hot.col.trend"),
                w("hot.col.where"),
            ),
            rows,
            (True, False, True, False, False, False),
            (0.06, 0.17, 0.11, 0.26, 0.21, 0.19),
        ),
        Images((hot_map.image(caption, width=0.62),)),
    ]
    return Section(heading, tuple(blocks))


def _records(frame: Any) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
