"""The brief's last sections: the caveats (associations, regression to the mean, reporting, the glossary) and the provenance."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from geo import settings
from geo.brief.content import Block, Inputs, Paragraph, Section, Table
from geo.brief.wording import Words
from geo.evaluation.assess import Evaluation
from geo.glossary import glossary

MAX_BATCH_ROWS = 5
"""Latest import batches listed in the provenance."""


def caveats_section(inputs: Inputs, evaluation: Evaluation | None, w: Words) -> Section:
    """Return the caveats: associations not causes, reporting, regression to the mean, the verdict rule."""
    lines = [w("calib.association"), w("brief.reporting")]
    if evaluation is not None:
        plan, win = evaluation.plan, evaluation.windows
        if plan.selection == "counts":
            lines.append(
                w(
                    "calib.rtm_counts",
                    months=win.before_months,
                    start=w.d(win.before_start),
                    end=w.d(win.start - timedelta(days=1)),
                )
            )
        elif plan.selection == "other":
            lines.append(w("calib.rtm_other", months=win.before_months))
        else:
            lines.append(w("calib.rtm_unknown", months=settings.SELECTED_BASELINE_MONTHS))
        lines.append(w("brief.verdict_rule", min=settings.MIN_COUNT_FOR_VERDICT))
        if evaluation.windows.shortened:
            lines.append(w("targets.shortened", before=win.before_months, after=win.after_months))
        if evaluation.outside["total"]:
            lines.append(w("targets.outside", n=w.n(evaluation.outside["total"])))
    else:
        lines.append(w("brief.rtm_general"))
    if bool(inputs.communes["approximate"].any()):
        lines.append(w("map.approximate") + ".")
    terms = tuple(Paragraph(text, lead=f"{term}:", note=True) for term, text in glossary(w.lang))
    return Section(
        w("brief.s.caveats"),
        (
            *(Paragraph(f"- {line}") for line in lines),
            Paragraph(w("glossary.intro"), lead=w("glossary.title") + "."),
            *terms,
        ),
    )


def sources_section(inputs: Inputs, now: datetime, w: Words) -> Section:
    """Return the provenance: demo notice, coverage, the import batches in use, when the brief was made."""
    counted = inputs.counts()
    blocks: list[Block] = []
    if inputs.is_demo:
        blocks.append(Paragraph(w("banner.demo_detail"), lead=w("brief.demo") + "."))
    last, found = counted.covered(), counted.span()
    if last is None or found is None:
        blocks.append(Paragraph(w("brief.no_incidents")))
    else:
        first = found[0].date()
        coverage = w("page.coverage", start=w.d(first), end=w.d(last))
        blocks.append(
            Paragraph(
                f"{coverage} {w('brief.counts', n=w.n(counted.total()), units=len(inputs.communes), unit=inputs.area.unit_word)}"
            )
        )
    batches = inputs.batches
    active = batches[batches["undone_at"].isna()] if len(batches) else batches
    if len(active):
        blocks.append(Paragraph(w("brief.batches", n=len(active), shown=min(len(active), MAX_BATCH_ROWS))))
        rows = tuple(
            (
                w.d(_local(b["created_at"])),
                _kind(str(b["kind"]), w),
                str(b["file_name"]),
                w.n(int(b["accepted"])),
                str(b["user_name"]),
            )
            for b in active.head(MAX_BATCH_ROWS).to_dict("records")
        )
        blocks.append(
            Table(
                (
                    w("brief.batch_date"),
                    w("data.hist.kind"),
                    w("data.hist.file"),
                    w("brief.batch_rows"),
                    w("data.hist.user"),
                ),
                rows,
                (False, False, False, True, False),
                (0.15, 0.15, 0.38, 0.14, 0.18),
            )
        )
    blocks.append(
        Paragraph(w("brief.made", app=w("app.title"), time=now.strftime("%H:%M"), date=w.d(now)), note=True)
    )
    return Section(w("brief.s.sources"), tuple(blocks))


def _local(stamp: object) -> datetime:
    """Return a stored UTC time (naive) as Vietnam's wall-clock time (UTC+7, no daylight saving)."""
    value = pd.Timestamp(stamp)  # type: ignore[arg-type]
    if value.tzinfo is not None:
        value = value.tz_convert("UTC").tz_localize(None)
    return (value + pd.Timedelta(hours=7)).to_pydatetime()


def _kind(kind: str, w: Words) -> str:
    try:
        return w(f"data.hist.kind.{kind}")
    except KeyError:
        return kind
