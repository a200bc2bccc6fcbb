"""The numbered sections of the brief, each from the store's frames and the evaluation: words, numbers, figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

from geo import settings
from geo.brief import figures, notes, tables
from geo.brief.content import Block, Images, Inputs, Paragraph, Section, Verdict
from geo.brief.source import Counted
from geo.brief.wording import Words
from geo.dates import complete_data_end, months_between, shift_months
from geo.evaluation.assess import ALL, Assessment, Evaluation
from geo.evaluation.current import Holding
from geo.filters import IncidentFilter
from geo.taxonomy import group_name

CHART_MONTHS = 36
"""Months the monthly chart spans at most (ending with the last complete month)."""


def build(
    inputs: Inputs,
    *,
    period: IncidentFilter,
    evaluation: Evaluation | None,
    problem: str,
    lang: str,
    now: datetime,
    holding: Holding | None = None,
) -> tuple[Section, ...]:
    """Return the sections: conclusions, targets (with a plan), the period by commune, hot spots, caveats, sources.

    ``holding`` (the latest 12 complete months against the plan's baseline) adds "now" to the
    conclusions and to each target, so the plan's verdict is never read as today's.
    """
    w = Words(lang)
    chart = _monthly_chart(inputs, evaluation, w)
    found: list[Section] = [_headline(inputs, evaluation, problem, chart, w, holding=holding)]
    if evaluation is not None:
        found.append(_targets(inputs, evaluation, chart, w, holding))
    found.append(tables.period_section(inputs, period, w))
    found.append(tables.hotspot_section(inputs, period, w))
    found.append(notes.caveats_section(inputs, evaluation, w))
    found.append(notes.sources_section(inputs, now, w))
    return tuple(found)


def _headline(
    inputs: Inputs,
    evaluation: Evaluation | None,
    problem: str,
    chart: tuple[figures.Png, str],
    w: Words,
    *,
    holding: Holding | None = None,
) -> Section:
    unit = inputs.area.unit_word
    if evaluation is None:
        text = w("brief.eval_error", msg=problem) if problem else w("brief.no_plan", unit=unit)
        blocks: list[Block] = [Paragraph(text)]
        if inputs.counts().total():  # an empty store has no months to draw
            blocks.append(Images((chart[0].image(chart[1], width=0.6),)))
        return Section(w("brief.s.headline"), tuple(blocks))
    groups: dict[str, list[str]] = {}
    for target in evaluation.targets:
        groups.setdefault(target.primary.verdict, []).append(target.name)
    parts = [
        w("headline.group", names=", ".join(names), verdict=w(f"verdict.{key}").lower())
        for key in figures.VERDICT_COLOURS
        if (names := groups.get(key))
    ]
    combined = evaluation.combined.primary
    together = w(
        "headline.together",
        n=len(evaluation.targets),
        change=w.change(combined.change_pct("t")),
        control=w.change(combined.change_pct("c")),
        meaning=w(f"meaning.{combined.verdict}"),
    )
    win = evaluation.windows
    window = w(
        "brief.window",
        after_months=win.after_months,
        after_start=w.d(win.start),
        after_end=w.d(win.after_end - timedelta(days=1)),
        before_months=win.before_months,
        before_start=w.d(win.before_start),
        before_end=w.d(win.start - timedelta(days=1)),
    )
    plan = w("brief.plan", name=inputs.plan.name, start=w.d(inputs.plan.start))
    blocks = [Paragraph("; ".join(parts) + "."), Paragraph(together)]
    if holding is not None and ALL in holding.items:
        item, latest = holding.items[ALL], holding.windows
        blocks.append(
            Paragraph(
                w(
                    "now.headline",
                    start=f"{latest.after_start:%m/%Y}",
                    end=f"{latest.last_day:%m/%Y}",
                    n=len(evaluation.targets),
                    change=w.change(item.change_pct("t")),
                    control=w.change(item.change_pct("c")),
                    meaning=w(f"meaning.{item.verdict}"),
                )
            )
        )
    elif evaluation is not None:
        blocks.append(Paragraph(w("now.none"), note=True))
    blocks.append(Paragraph(f"{plan} {window}", note=True))
    return Section(w("brief.s.headline"), tuple(blocks))


def _reason(item: Assessment, w: Words) -> str:
    e = item.effect
    fall = w.n(100 * e.detectable_fall) if e else ""
    if item.verdict == "insufficient":
        return w(
            f"calib.reason.{item.reason}",
            total=w.n(item.counts["t0"] + item.counts["t1"]),
            min=settings.MIN_COUNT_FOR_VERDICT,
            fall=fall,
            max=w.n(100 * settings.MAX_DETECTABLE_FALL),
        )
    return w("calib.power", fall=fall) if e is not None else ""


def _now_line(holding: Holding | None, key: str, w: Words) -> str:
    """Return one target over the latest 12 complete months, in words ("" when there are none yet)."""
    if holding is None or key not in holding.items:
        return ""
    item, latest = holding.items[key], holding.windows
    label = w("now.label", start=f"{latest.after_start:%m/%Y}", end=f"{latest.last_day:%m/%Y}")
    text = w(
        "now.card",
        label=label,
        icon="",
        verdict=w(f"verdict.{item.verdict}"),
        change=w.change(item.change_pct("t")),
    )
    return " ".join(text.split())  # the printed brief colours the verdict instead of an icon


def _targets(
    inputs: Inputs,
    evaluation: Evaluation,
    chart: tuple[figures.Png, str],
    w: Words,
    holding: Holding | None = None,
) -> Section:
    blocks: list[Block] = []
    for number, target in enumerate(evaluation.targets, start=1):
        item = target.primary
        lines = [
            w(
                "card.change",
                change=w.change(item.change_pct("t")),
                before=w.n(item.counts["t0"]),
                after=w.n(item.counts["t1"]),
                control=w.change(item.change_pct("c")),
            )
        ]
        if item.has_buffer:
            lines.append(w("card.buffer", change=w.change(item.change_pct("d"))))
        else:
            lines.append(w("card.no_buffer"))
        e = item.effect
        if e is not None and e.lo is not None and e.hi is not None:
            lines.append(w("brief.ratio", ratio=w.n(e.ratio, 2), lo=w.n(e.lo, 2), hi=w.n(e.hi, 2)))
        reason = _reason(item, w)
        if reason:
            lines.append(reason)
        if target.primary_key != "all":
            lines.append(w("brief.primary", group=group_name(target.primary_key, lang=w.lang)))
        now_line = _now_line(holding, target.key, w)
        if now_line:
            lines.append(now_line)
        ink = figures.VERDICT_COLOURS[item.verdict][1]
        blocks.append(
            Verdict(number, target.name, item.verdict, w(f"verdict.{item.verdict}"), ink, tuple(lines))
        )
    verdict_map = figures.verdict_map(
        inputs.communes,
        verdicts={target.key: target.primary.verdict for target in evaluation.targets},
        buffers=evaluation.combined.areas.buffer,
        legend={key: w(f"verdict.{key}") for key in figures.VERDICT_COLOURS},
        buffer_label=w("brief.buffer_legend"),
    )
    blocks.append(
        Images(
            (
                verdict_map.image(w("brief.verdict_map_caption"), width=0.46),
                chart[0].image(chart[1], width=0.54),
            )
        )
    )
    return Section(w("brief.s.targets", unit=inputs.area.unit_word), tuple(blocks))


def _chart_span(counted: Counted, evaluation: Evaluation | None) -> tuple[date, date] | None:
    """The months of the chart: the last `CHART_MONTHS` complete months, widened back to the evaluation's baseline."""
    last = counted.covered()
    found = counted.span()
    if last is None or found is None:
        return None
    end = complete_data_end(last) - timedelta(days=1)
    first = found[0].date()
    if end < first:
        end = last
    start = shift_months(end.replace(day=1), -(CHART_MONTHS - 1))
    if evaluation is not None:
        start = min(start, evaluation.windows.before_start.replace(day=1))
    return max(first.replace(day=1), start), end


def _monthly(per_unit: pd.DataFrame, months: pd.DatetimeIndex, wanted: pd.Series | None = None) -> pd.Series:
    """Sum the per-unit monthly counts of the units ``wanted`` (all without) into every month (zeros too)."""
    chosen = per_unit if wanted is None else per_unit[wanted.to_numpy()]
    summed = chosen.groupby("month")["count"].sum()
    return summed.reindex(months, fill_value=0).astype(int).rename_axis("month").rename("count")


def _monthly_chart(inputs: Inputs, evaluation: Evaluation | None, w: Words) -> tuple[figures.Png, str]:
    """The monthly chart: targets together and the other units (per 1,000 residents when known), the start line."""
    counted = inputs.counts()
    span = _chart_span(counted, evaluation)
    if span is None:
        empty = figures.monthly_chart(
            {}, start_line=None, start_label="", y_label=w("brief.chart_count"), lang=w.lang
        )
        return empty, w("brief.chart_caption_district")
    start, end = span
    per_unit = counted.monthly_units(start, end)
    months = months_between(start, end)
    lines: dict[str, pd.Series] = {}
    y_label, caption = w("brief.chart_count"), w("brief.chart_caption_district")
    if evaluation is None:
        lines[w("brief.chart_district")] = _monthly(per_unit, months)
    else:
        codes = inputs.communes["code"].astype(str)
        population = pd.to_numeric(inputs.communes["population"], errors="coerce").fillna(0).to_numpy()
        is_target = codes.isin(inputs.plan.targets).to_numpy()
        people = (float(population[is_target].sum()), float(population[~is_target].sum()))
        per_1000 = all(p > 0 for p in people)
        mask = per_unit["commune_code"].isin(inputs.plan.targets)
        known = per_unit["commune_code"].isin(set(codes))
        for label, wanted, residents in (
            (w("brief.chart_targets", unit=inputs.area.unit_word), mask, people[0]),
            (w("brief.chart_others", unit=inputs.area.unit_word), ~mask & known, people[1]),
        ):
            counts = _monthly(per_unit, months, wanted).astype(float)
            lines[label] = counts / residents * 1000 if per_1000 else counts
        caption = w("brief.chart_caption_rate" if per_1000 else "brief.chart_caption")
        if per_1000:
            y_label = w("targets.chart_rate")
    chart = figures.monthly_chart(
        lines,
        start_line=inputs.plan.start if evaluation is not None else None,
        start_label=w("targets.chart_start"),
        y_label=y_label,
        lang=w.lang,
    )
    return chart, caption
