"""Evaluation glue: the cached evaluation of the stored plan, verdict cards, headline and verdict map."""

from __future__ import annotations

import html
from datetime import timedelta

import pandas as pd
import streamlit as st
from branca.element import MacroElement
from folium.template import Template

from geo import AppError, settings
from geo.dates import shift_months
from geo.evaluation.assess import ALL, Assessment, Evaluation, TargetEvaluation, evaluate
from geo.evaluation.current import Holding, holding
from geo.evaluation.source import Incidents
from geo.filters import IncidentFilter
from geo.maps.district import MapBuild, build_map
from geo.maps.mapcounts import MapCounts
from geo.store.buckets import BucketCounts
from ui import loaders, mapview, source, theme, widgets
from ui.i18n import fmt_date, fmt_int, lang, md, t
from ui.plan_form import baseline_note, registration_notes

VERDICT_STYLE = theme.VERDICT_STYLE
BUFFER_OUTLINE = theme.BUFFER_OUTLINE

TARGET_KEY = "eval.target"
"""Session-state key of the target picked on the Xã trọng điểm page (mirrored in ``?target=``)."""


class _HideControls(MacroElement):
    """Hide the map's own legend and layer switch: the page draws one legend below (it covered targets)."""

    _template = Template(
        "{% macro header(this, kwargs) %}<style>.antt-legend, .leaflet-control-layers { display: none; }"
        "</style>{% endmacro %}"
    )


def without_controls(build: MapBuild) -> MapBuild:
    """Return ``build`` with its legend and layer switch hidden (for small or meeting maps)."""
    _HideControls().add_to(build.map)
    return build


def incidents_counted() -> Incidents:
    """Return what an evaluation counts: the shared incidents frame, or with push-down the store's counts.

    With push-down (`ui.source.pushdown`) the evaluation's months are counted in the database
    (`geo.store.buckets.BucketCounts`): no incident row reaches the process, the numbers are the same.
    """
    if source.pushdown():
        store = loaders.store()
        return BucketCounts(store.engine, store.tables)
    return loaders.incidents()


@st.cache_data(show_spinner=False, max_entries=4)
def _evaluation(url: str, version: str, pushdown: bool = False) -> Evaluation:
    return evaluate(incidents_counted(), loaders.communes(), loaders.plan(), through=loaders.declared_end())


@st.cache_data(show_spinner=False, max_entries=4)
def _holding(url: str, version: str, pushdown: bool = False) -> Holding | None:
    return holding(
        _evaluation(url, version, pushdown),
        incidents_counted(),
        loaders.communes(),
        through=loaders.declared_end(),
    )


def now() -> Holding | None:
    """Return the plan's question asked of the latest 12 complete months (None when there are none yet).

    Cached until the store changes, like `current`; the same baseline, model and verdict rules.
    """
    try:
        return _holding(*loaders.key(), source.pushdown())
    except AppError:
        return None


def current() -> Evaluation:
    """Return the evaluation of the stored plan (cached until the store changes).

    Raises
    ------
    geo._errors.ConfigError, geo._errors.DataError
        When the plan does not fit the data; pages show the message.
    """
    return _evaluation(*loaders.key(), source.pushdown())


def checked() -> Evaluation | None:
    """Return the evaluation of the stored plan, or show why there is none and return None."""
    if not loaders.plan().is_set:
        # Not an error: a new area has no plan until the analyst sets one (the set-up path).
        st.info(t("plan.none"))
        return None
    try:
        return current()
    except AppError as exc:
        st.error(t("eval.error", msg=md(exc)))
        return None


def verdict_word(key: str) -> str:
    """Return the verdict in words, in the current language."""
    return t(f"verdict.{key}")


def change_phrase(pct: float | None) -> str:
    """Return a change in plain words: "giảm 39%", "tăng 31%", "gần như không đổi"."""
    if pct is None:
        return t("change.none")
    if abs(pct) < settings.CHANGE_FLAT_PCT:
        return t("change.flat")
    return t("change.down" if pct < 0 else "change.up", pct=fmt_int(abs(pct)))


def change_sentence(item: Assessment) -> str:
    """Return "Số vụ giảm 39% so với cùng kỳ (329 → 200 vụ); các xã khác gần như không đổi."."""
    return t(
        "card.change",
        change=change_phrase(item.change_pct("t")),
        before=fmt_int(item.counts["t0"]),
        after=fmt_int(item.counts["t1"]),
        control=change_phrase(item.change_pct("c")),
    )


def reason_sentence(item: Assessment) -> str:
    """Return why a verdict is *Chưa đủ dữ liệu*, or how large a fall the data could detect when *Chưa rõ*."""
    e = item.effect
    fall = fmt_int(100 * e.detectable_fall) if e else ""
    if item.verdict == "insufficient":
        return t(
            f"calib.reason.{item.reason}",
            total=fmt_int(item.counts["t0"] + item.counts["t1"]),
            min=settings.MIN_COUNT_FOR_VERDICT,
            fall=fall,
            max=fmt_int(100 * settings.MAX_DETECTABLE_FALL),
        )
    if item.verdict == "unclear" and e is not None:
        return t("calib.power", fall=fall)
    return ""


def plan_window(evaluation: Evaluation) -> tuple[str, str]:
    """Return the first and last day of the plan's after window, as shown."""
    w = evaluation.windows
    return fmt_date(w.start), fmt_date(w.after_end - pd.Timedelta(days=1))


def card_window(evaluation: Evaluation) -> str:
    """Return the short label of a card's plan verdict: "theo kế hoạch 26/05/2023–25/05/2024"."""
    start, end = plan_window(evaluation)
    return t("now.card_window", start=start, end=end)


def now_label(found: Holding) -> str:
    """Return "Hiện nay (01/11/2025–31/10/2026)"."""
    w = found.windows  # whole calendar months: month/year says it exactly
    return t("now.label", start=f"{w.after_start:%m/%Y}", end=f"{w.last_day:%m/%Y}")


def now_sentence(found: Holding, key: str) -> str:
    """Return one target's "now" in words: the verdict over the latest months and the change on the baseline."""
    item = found.items[key]
    icon = VERDICT_STYLE[item.verdict][0]
    return t(
        "now.card",
        label=now_label(found),
        icon=icon,
        verdict=verdict_word(item.verdict),
        change=change_phrase(item.change_pct("t")),
    )


def _now_html(found: Holding | None, key: str) -> str:
    if found is None or key not in found.items:
        return ""
    ink = VERDICT_STYLE[found.items[key].verdict][2]
    return (
        f'<div class="antt-now" data-verdict="{found.items[key].verdict}" style="font-size:1.05rem;'
        f'font-weight:600;color:{ink};border-top:1px solid #ddd;margin-top:2px;line-height:1.4">'
        f"{html.escape(now_sentence(found, key))}</div>"
    )


def _card_html(target: TargetEvaluation, found: Holding | None = None, window: str = "") -> str:
    item = target.primary
    icon, fill, ink = VERDICT_STYLE[item.verdict]
    if item.has_buffer:
        buffer = t("card.buffer", change=change_phrase(item.change_pct("d")))
    else:
        buffer = t("card.no_buffer")
    reason = reason_sentence(item)
    if reason:
        buffer = f"{reason} {buffer}"
    return (
        f'<div class="antt-card" data-verdict="{item.verdict}" style="border-left:12px solid {fill};'
        f'background:#fafafa;border-radius:6px;padding:7px 16px;margin-bottom:2px">'
        f'<div style="display:flex;flex-wrap:wrap;align-items:baseline;column-gap:0.4em">'
        f'<div style="font-size:1.45rem;line-height:1.3;font-weight:700;color:#222">{html.escape(target.name)}</div>'
        + (
            f'<div class="antt-window" style="font-size:0.95rem;color:#555">· {html.escape(window)}</div>'
            if window
            else ""
        )
        + "</div>"
        f'<div style="font-size:2rem;font-weight:800;color:{ink};line-height:1.15">'
        f'<span aria-hidden="true">{icon}</span> {html.escape(verdict_word(item.verdict))}</div>'
        f'<div style="font-size:1.12rem;color:#222;line-height:1.4">{html.escape(change_sentence(item))}</div>'
        f'<div style="font-size:1rem;color:#555;line-height:1.4">{html.escape(buffer)}</div>'
        f"{_now_html(found, target.key)}</div>"
    )


def card(target: TargetEvaluation, found: Holding | None = None, *, window: str = "") -> None:
    """Draw one verdict card (name, verdict with icon and colour, the change in plain numbers).

    With ``found`` (`now`) the card ends with the verdict over the latest 12 complete months, in its
    own words; ``window`` labels the plan's verdict with its period (a past period never reads as now).
    """
    st.markdown(_card_html(target, found, window), unsafe_allow_html=True)
    st.page_link(
        "pages/targets.py",
        label=t("card.evidence"),
        icon=":material/search:",
        query_params={"target": target.key},
    )


def headline(evaluation: Evaluation, found: Holding | None = None) -> None:
    """Draw the headline for the targets together and the comparison period.

    The headline is labelled as the plan's evaluation with its window; with ``found`` (`now`) a second
    line says, in its own words, whether the change holds over the latest 12 complete months (and the
    baseline's caveat is left to `notes`, drawn below the cards so that they stay in view).
    """
    groups: dict[str, list[str]] = {}
    for target in evaluation.targets:
        groups.setdefault(target.primary.verdict, []).append(target.name)
    parts = [
        t("headline.group", n=len(names), names=", ".join(names), verdict=verdict_word(key).lower())
        for key in VERDICT_STYLE
        if (names := groups.get(key))
    ]
    combined = evaluation.combined.primary
    inference = combined.inference
    together = t(
        "headline.together",
        n=len(evaluation.targets),
        change=change_phrase(combined.change_pct("t")),
        control=change_phrase(combined.change_pct("c")),
        meaning=t(f"meaning.{combined.verdict}"),
    )
    if inference is not None and inference.heterogeneity is not None and inference.heterogeneity < 0.05:
        together = f"{together} {t('calib.heterogeneity_plain')}"
    _, fill, ink = VERDICT_STYLE[combined.verdict]
    w = evaluation.windows
    start, end = plan_window(evaluation)
    label = t(
        "now.plan_label",
        after_months=w.after_months,
        start=start,
        end=end,
        before_months=w.before_months,
        before_start=fmt_date(w.before_start),
        before_end=fmt_date(w.start - pd.Timedelta(days=1)),
    )
    if found is not None:
        months = 0  # whole months from the end of the plan's window to the end of the data
        while shift_months(w.after_end, months + 1) <= found.windows.after_end:
            months += 1
        if months > 0:
            label = f"{label} — {t('now.plan_past', months=months)}"
    st.markdown(
        f'<div class="antt-headline" data-verdict="{combined.verdict}" style="border-left:12px solid {fill};'
        f'padding:6px 16px;margin-bottom:8px">'
        f'<div class="antt-plan-window" style="font-size:1rem;font-weight:700;color:#555">{html.escape(label)}</div>'
        f'<div style="font-size:1.9rem;font-weight:800;color:#222">'
        f"{html.escape(' · '.join(parts))}</div>"
        f'<div style="font-size:1.3rem;color:{ink};font-weight:600">{html.escape(together)}</div>'
        f"{_now_headline_html(evaluation, found)}</div>",
        unsafe_allow_html=True,
    )
    if found is not None:  # the windows are in the headline's label; the notes go below the cards (`notes`)
        return
    st.caption(" ".join([baseline_note(evaluation), *registration_notes(evaluation)[-1:]]))
    st.caption(
        t(
            "headline.period",
            after_months=w.after_months,
            after_start=fmt_date(w.start),
            after_end=fmt_date(w.after_end - pd.Timedelta(days=1)),
            before_months=w.before_months,
            before_start=fmt_date(w.before_start),
            before_end=fmt_date(w.start - pd.Timedelta(days=1)),
        )
    )


def notes(evaluation: Evaluation, found: Holding | None) -> None:
    """Draw the baseline's caveat and the latest registration note (with "now": below the cards, in view).

    Without ``found`` the headline has drawn them already.
    """
    if found is not None:
        text = " ".join([baseline_note(evaluation), *registration_notes(evaluation)[-1:]])
        st.caption(text, help=t("now.method"))


def now_headline(evaluation: Evaluation, found: Holding) -> str:
    """Return the targets together over the latest 12 complete months against the same baseline, in words."""
    item, w = found.items[ALL], found.windows
    return t(
        "now.headline",
        start=f"{w.after_start:%m/%Y}",
        end=f"{w.last_day:%m/%Y}",
        n=len(evaluation.targets),
        change=change_phrase(item.change_pct("t")),
        control=change_phrase(item.change_pct("c")),
        meaning=t(f"meaning.{item.verdict}"),
    )


def _now_headline_html(evaluation: Evaluation, found: Holding | None) -> str:
    if found is None:
        return f'<div class="antt-now" style="font-size:1rem;color:#555">{html.escape(t("now.none"))}</div>'
    item = found.items[ALL]
    ink = VERDICT_STYLE[item.verdict][2]
    return (
        f'<div class="antt-now" data-verdict="{item.verdict}" style="font-size:1.1rem;color:{ink};'
        f'font-weight:600;border-top:1px solid #ddd;margin-top:2px">'
        f"{html.escape(now_headline(evaluation, found))}</div>"
    )


def window_incidents(evaluation: Evaluation, *, after: bool) -> pd.DataFrame | MapCounts:
    """Return the incidents of the before or after window, as a map draws them (`geo.maps.district.build_map`).

    The rows (read-only: shared per process and store version), or with push-down their counts per
    unit from the database (the verdict and before/after maps draw a choropleth and boundaries only).
    """
    if source.pushdown():
        return _window_counts(*loaders.key(), after=after)
    return _window_incidents(*loaders.key(), after=after)


@st.cache_data(show_spinner=False, max_entries=2 * loaders.VERSIONS)
def _window_counts(url: str, version: str, *, after: bool) -> MapCounts:
    w = current().windows
    start, end = (w.start, w.after_end) if after else (w.before_start, w.start)
    flt = IncidentFilter(start=start, end=end - timedelta(days=1))
    counted = source.unit_counts(flt, by=("commune_code",))
    per_unit = pd.Series(
        counted["n"].to_numpy(dtype="int64"), index=counted["commune_code"].astype(str).to_numpy()
    )
    return MapCounts(
        per_unit=per_unit,
        n=int(per_unit.sum()),
        n_located=0,
        cells=pd.DataFrame({"lon": [], "lat": [], "count": []}),
        points=None,
    )


@st.cache_resource(show_spinner=False, max_entries=2 * loaders.VERSIONS)
def _window_incidents(url: str, version: str, *, after: bool) -> pd.DataFrame:
    incidents = loaders.incidents()
    w = current().windows
    start, end = (w.start, w.after_end) if after else (w.before_start, w.start)
    times = incidents["occurred_at"]
    return loaders.freeze(incidents[(times >= pd.Timestamp(start)) & (times < pd.Timestamp(end))])


@st.cache_resource(show_spinner=False, max_entries=8)
def _rendered(url: str, version: str, language: str, key: str) -> mapview.Rendered:
    return mapview.render(verdict_map(current()).map, key=key)


def show_verdict_map(*, key: str, height: int) -> None:
    """Show the verdict map (`verdict_map`), rendered once per process, store version and language."""
    mapview.show(_rendered(*loaders.key(), lang(), key), key=key, height=height)


def verdict_map(evaluation: Evaluation) -> MapBuild:
    """Build the district map with each target filled by its verdict and the buffers outlined."""
    fills = {target.key: VERDICT_STYLE[target.primary.verdict][1] for target in evaluation.targets}
    outlines = dict.fromkeys(evaluation.combined.areas.buffer, BUFFER_OUTLINE)
    build = build_map(
        loaders.communes(),
        window_incidents(evaluation, after=True),
        targets=evaluation.plan.targets,
        layers=("boundaries",),
        days=evaluation.windows.after_days,
        lang=lang(),
        texts=widgets.map_texts(),
        fills=fills,
        outlines=outlines,
    )
    return without_controls(build)


def verdict_legend() -> None:
    """Draw the key of the verdict map: verdict swatches with icon and word, targets, buffers."""
    swatches = " &nbsp; ".join(
        f"{widgets.swatch(fill, border='2px solid #b2182b')} {icon} {html.escape(verdict_word(key))}"
        for key, (icon, fill, _) in VERDICT_STYLE.items()
    )
    notes = [t("overview.verdict_map")]
    if bool(loaders.communes()["approximate"].any()):
        notes.append(t("map.approximate"))
    st.markdown(
        f'<div style="font-size:1rem">{swatches}</div><div style="font-size:0.95rem;color:#555">'
        f"{html.escape(' '.join(note if note.endswith('.') else note + '.' for note in notes))}</div>",
        unsafe_allow_html=True,
    )
