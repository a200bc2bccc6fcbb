"""Presentation mode: the verdicts in large type beside the verdict map, one slide per target, stepped by keys.

Slide 0 is the targets together on the whole district; then one slide per target, its card large
and the map zoomed on it. ← / → and PageUp / PageDown (what a presentation clicker sends) step
through them, Esc leaves: Streamlit's own button shortcuts, so no script of ours runs in the page.
The map forwards those keys to the page, so they still work after a click on the map.
"""

from __future__ import annotations

import html
from typing import NamedTuple

import folium
import pandas as pd
import streamlit as st
from branca.element import MacroElement
from folium.template import Template

from geo.evaluation.assess import Assessment, Evaluation, TargetEvaluation
from geo.evaluation.current import Holding
from geo.maps.district import MapBuild
from ui import evaluation, loaders, mapview, theme, widgets
from ui.i18n import fmt_date, lang, t

SLIDE_KEY = "present.slide"
"""Session-state key of the slide shown (0: the targets together when there are several)."""

_DAY = pd.Timedelta(days=1)

ROWS_AT_FULL_SIZE = 4
"""Most targets listed below the card in full-size type; beyond, the lines shrink to fit the same height."""

ZOOM_MARGIN = 0.75
"""Room left around the current target when the map zooms on it, as a share of its width and height."""


class Slide(NamedTuple):
    """One slide: the target it is about (None: the targets together) and its title."""

    target: TargetEvaluation | None
    title: str


def slides(result: Evaluation) -> list[Slide]:
    """Return the slides of ``result``: the targets together (if several), then each target."""
    each = [Slide(target, target.name) for target in result.targets]
    if len(each) < 2:
        return each
    return [Slide(None, t("present.together", n=len(each))), *each]


def current(count: int) -> int:
    """Return the slide shown, kept within ``0 … count - 1``."""
    value = st.session_state.get(SLIDE_KEY, 0)
    if not isinstance(value, int) or not 0 <= value < count:
        value = 0
    st.session_state[SLIDE_KEY] = value
    return value


def _step(delta: int, count: int) -> None:
    st.session_state[SLIDE_KEY] = (current(count) + delta) % count


def style() -> None:
    """Hide the sidebar and header, and size type and map to the window (for this page only)."""
    st.html(f"<style>{theme.PRESENT_CSS}</style>")


def bar(result: Evaluation) -> int:
    """Draw the top bar (title, slide number, Trước / Tiếp / Thoát); return the slide shown."""
    shown = slides(result)
    index = current(len(shown))
    n = len(shown)
    with st.container(horizontal=True, vertical_alignment="center", key="present-bar"):
        demo = (
            f'<span class="antt-present-demo">{html.escape(t("present.demo"))}</span>'
            if loaders.is_demo()
            else ""
        )
        place = " · ".join(
            part for part in (loaders.area().name, t("present.counter", i=index + 1, n=n)) if part
        )
        st.markdown(
            f'<div class="antt-present-title" data-slide="{index}">{html.escape(t("headline.title"))}</div>'
            f'<div class="antt-present-place">{html.escape(place)} {demo}</div>',
            unsafe_allow_html=True,
            width="stretch",
        )
        st.button(
            t("present.prev"),
            key="present.prev",
            shortcut="Left",
            on_click=_step,
            args=(-1, n),
            width="content",
        )
        st.button(
            t("present.next"),
            key="present.next",
            shortcut="Right",
            type="primary",
            on_click=_step,
            args=(1, n),
            width="content",
        )
        if st.button(t("present.exit"), key="present.exit", shortcut="Escape", width="content"):
            st.switch_page("pages/overview.py")
    # A clicker sends PageUp / PageDown; a button has one shortcut, so these two stay out of sight.
    with st.container(key="present-keys"):
        st.button(t("present.prev"), key="present.pageup", shortcut="PageUp", on_click=_step, args=(-1, n))
        st.button(t("present.next"), key="present.pagedown", shortcut="PageDown", on_click=_step, args=(1, n))
    return index


def exit_button() -> None:
    """Draw only the way back to the dashboard (a store with no plan has nothing to present)."""
    with st.container(horizontal=True, key="present-bar"):
        if st.button(t("present.exit"), key="present.exit", shortcut="Escape"):
            st.switch_page("pages/overview.py")


def _big_card(item: Assessment, name: str, *, key: str, window: str, found: Holding | None) -> str:
    icon, fill, ink = theme.VERDICT_STYLE[item.verdict]
    more = evaluation.reason_sentence(item)
    if key != "all":
        buffer = (
            t("card.buffer", change=evaluation.change_phrase(item.change_pct("d")))
            if item.has_buffer
            else t("card.no_buffer")
        )
        more = f"{more} {buffer}".strip()
    now = ""
    if found is not None and key in found.items:  # is the change holding over the latest 12 months?
        now_ink = theme.VERDICT_STYLE[found.items[key].verdict][2]
        now = (
            f'<div class="now" data-verdict="{found.items[key].verdict}" style="color:{now_ink}">'
            f"{html.escape(evaluation.now_sentence(found, key))}</div>"
        )
    return (
        f'<div class="antt-present-card" data-target="{html.escape(key)}" data-verdict="{item.verdict}" '
        f'style="border-left:14px solid {fill}"><div class="name">{html.escape(name)}</div>'
        f'<div class="window">{html.escape(window)}</div>'
        f'<div class="verdict" style="color:{ink}"><span aria-hidden="true">{icon}</span> '
        f"{html.escape(evaluation.verdict_word(item.verdict))}</div>"
        f'<div class="change">{html.escape(evaluation.change_sentence(item))}</div>'
        + (f'<div class="more">{html.escape(more)}</div>' if more else "")
        + now
        + "</div>"
    )


def _row(target: TargetEvaluation, *, is_current: bool) -> str:
    item = target.primary
    icon, fill, ink = theme.VERDICT_STYLE[item.verdict]
    return (
        f'<div class="antt-present-row" data-target="{html.escape(target.key)}" data-verdict="{item.verdict}" '
        f'aria-current="{str(is_current).lower()}" style="border-left:10px solid {fill}">'
        f'<span class="name">{html.escape(target.name)}</span>'
        f'<span class="verdict" style="color:{ink}"><span aria-hidden="true">{icon}</span> '
        f"{html.escape(evaluation.verdict_word(item.verdict))}</span>"
        f'<span class="change">{html.escape(evaluation.change_phrase(item.change_pct("t")))}</span></div>'
    )


def cards(result: Evaluation, index: int) -> None:
    """Draw the slide's card large, every target as one line below it, the window and the map's key."""
    slide = slides(result)[index]
    target = slide.target or result.combined
    big = _big_card(
        target.primary,
        slide.title,
        key=target.key,
        window=evaluation.card_window(result),
        found=evaluation.now(),
    )
    rows = "".join(
        _row(target, is_current=slide.target is not None and target.key == slide.target.key)
        for target in result.targets
    )
    # Up to four lines at full size; more targets share the same height.
    scale = min(1.0, ROWS_AT_FULL_SIZE / len(result.targets))
    st.markdown(
        f'{big}<div class="antt-present-rows" style="--k:{scale:.2f}">{rows}</div>', unsafe_allow_html=True
    )
    present = {target.primary.verdict for target in result.targets}
    swatches = " &nbsp; ".join(
        f"{widgets.swatch(fill, border='2px solid #b2182b')} {icon} {html.escape(evaluation.verdict_word(key))}"
        for key, (icon, fill, _) in theme.VERDICT_STYLE.items()
        if key in present
    )
    w = result.windows
    window = t(
        "present.window",
        after_start=fmt_date(w.start),
        after_end=fmt_date(w.after_end - _DAY),
        before_start=fmt_date(w.before_start),
        before_end=fmt_date(w.start - _DAY),
    )
    st.markdown(
        f'<div class="antt-present-legend">{swatches}<br>{html.escape(t("present.buffers"))}</div>'
        f'<div class="antt-present-note">{html.escape(window)} {html.escape(t("present.keys"))}</div>',
        unsafe_allow_html=True,
    )


class _Presenting(MacroElement):
    """The map fills its frame and shows ``bounds`` at its final size; it hands the slide keys to the page.

    The frame takes the window's height only after the map is drawn, so the view is fitted again on
    every resize (Leaflet keeps the centre and zoom of its first, smaller size otherwise).
    """

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "Presenting"
        self.bounds = bounds

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>html, body, #root, #parent, .float-child, #map_div { height: 100% !important; margin: 0; }
        .folium-map { height: 100% !important; }
        .antt-label { font-size: 15px !important; } .antt-label.target span { font-size: 17px !important; }</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var bounds = {{ this.bounds|tojson }};
            function fit() { map.fitBounds(bounds, {padding: [8, 8]}); }
            fit();
            map.on("resize", fit);
            map.keyboard.disable();
            var keys = ["ArrowLeft", "ArrowRight", "PageUp", "PageDown", "Escape"];
            function forward(e) {
                if (keys.indexOf(e.key) < 0) { return; }
                e.preventDefault();
                e.stopPropagation();
                try {
                    window.parent.document.dispatchEvent(
                        new KeyboardEvent(e.type, {key: e.key, code: e.code, bubbles: true})
                    );
                } catch (err) { /* a page of another origin: the keys stay with the map */ }
            }
            document.addEventListener("keydown", forward, true);
            document.addEventListener("keyup", forward, true);
        })();
        {% endmacro %}
        """
    )


def slide_map(result: Evaluation, index: int) -> MapBuild:
    """Build the verdict map of a slide: the whole district, or zoomed on its target with a dark outline."""
    build = evaluation.verdict_map(result)
    # Without zoom animation: an animated first fit (the district's) would swallow the slide's own.
    build.map.options["zoomAnimation"] = False
    communes = loaders.communes()
    target = slides(result)[index].target
    shape = communes.loc[communes["code"] == (target.key if target else None), ["geometry"]]
    if shape.empty:
        minx, miny, maxx, maxy = communes.total_bounds
        _Presenting([[miny, minx], [maxy, maxx]]).add_to(build.map)
        return build
    for colour, weight in (("#ffffff", 11), (theme.CURRENT, 6)):
        folium.GeoJson(
            shape,
            style_function=lambda _, c=colour, w=weight: {
                "color": c,
                "weight": w,
                "fill": False,
                "className": "antt-current",
            },
            interactive=False,
            control=False,  # the layer switch is drawn before these layers: listed, it breaks the map
        ).add_to(build.map)
    minx, miny, maxx, maxy = shape.total_bounds
    dx, dy = (maxx - minx) * ZOOM_MARGIN, (maxy - miny) * ZOOM_MARGIN
    _Presenting([[miny - dy, minx - dx], [maxy + dy, maxx + dx]]).add_to(build.map)
    return build


@st.cache_resource(show_spinner=False, max_entries=16)
def _rendered(url: str, version: str, language: str, index: int) -> mapview.Rendered:
    return mapview.render(slide_map(evaluation.current(), index).map, key="present-map")


def show_map(result: Evaluation, index: int) -> None:
    """Draw the slide's map as tall as the window (`theme.PRESENT_CSS`), rendered once per slide and process."""
    # One container per slide: st_folium builds its map once per frame, so a new slide needs a new frame.
    with st.container(key=f"present-map-{index}"):
        rendered = _rendered(*loaders.key(), lang(), index)
        mapview.show(rendered, key="present-map", height=theme.PRESENT_MAP_HEIGHT)
