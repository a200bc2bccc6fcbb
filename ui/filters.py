"""Shared sidebar filters: widgets that own their session-state keys, mirrored in the URL."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.filters import CUSTOM, PRESETS, IncidentFilter, default_filter, preset_period
from geo.taxonomy import group_name, load_offences, offence_name
from geo.taxonomy import groups as offence_groups
from ui import loaders
from ui.i18n import fmt_date, lang, t

_PREFIX = "flt."
KEY_PERIOD = f"{_PREFIX}period"
KEY_PRESET = f"{_PREFIX}preset"
DEFAULT_PRESET = "12m"
KEY_GROUPS = f"{_PREFIX}groups"
KEY_OFFENCES = f"{_PREFIX}offences"
KEY_COMMUNES = f"{_PREFIX}communes"
KEY_VALUE = f"{_PREFIX}value"
KEY_INIT = f"{_PREFIX}init"
KEY_SEEN = f"{_PREFIX}seen"
"""The store version the filters were last checked against (pages follow the store)."""
URL_KEYS = ("period", "from", "to", "group", "offence", "commune")


CALENDAR_LOCALES = {"vi": "vi-VN", "en": "en-GB"}
"""The calendar's locale per UI language: Vietnamese month and day names, and weeks from Monday in both.

Streamlit's date picker takes its calendar locale from the browser (``navigator.language``) and has no
parameter for it; `calendar_locale` sets what the page reports as the browser's language.
"""

_LOCALE_JS = """<script>(function () {{
  var want = {locale!r};
  try {{
    Object.defineProperty(Navigator.prototype, "language", {{ get: function () {{ return want; }}, configurable: true }});
    Object.defineProperty(Navigator.prototype, "languages", {{ get: function () {{ return [want]; }}, configurable: true }});
  }} catch (e) {{}}
}})();</script>"""


def calendar_locale() -> None:
    """Make the date pickers' calendar Vietnamese with Monday first (English UI: English, Monday first)."""
    st.html(_LOCALE_JS.format(locale=CALENDAR_LOCALES.get(lang(), "vi-VN")), unsafe_allow_javascript=True)


@st.cache_data(show_spinner=False, max_entries=4)
def _bounds(url: str, version: str) -> tuple[date, date] | None:
    return loaders.coverage()


def data_bounds() -> tuple[date, date] | None:
    """Return the first and last day the data cover (`ui.loaders.coverage`): presets count back from the last.

    Cached per store version: the coverage reads every incident (0.1 s at 1M), and a rerun asks for it
    several times.
    """
    return _bounds(*loaders.key())


def _default() -> IncidentFilter:
    bounds = data_bounds()
    if bounds is None:  # no incident stored (reading them costs nothing): the last 12 months to today
        return default_filter(loaders.incidents())
    first, last = bounds
    start, end = preset_period(DEFAULT_PRESET, last, first=first)
    return IncidentFilter(start=start, end=end, preset=DEFAULT_PRESET)


def _preset_range(preset: str) -> tuple[date, date] | None:
    bounds = data_bounds()
    if bounds is None or preset == CUSTOM:
        return None
    return preset_period(preset, bounds[1], first=bounds[0])


def _apply_preset() -> None:
    """The preset changed: the period follows it (a custom preset keeps the dates shown)."""
    found = _preset_range(str(st.session_state.get(KEY_PRESET, CUSTOM)))
    if found is not None:
        st.session_state[KEY_PERIOD] = found


def _to_custom() -> None:
    """The dates were edited by hand: the preset becomes custom, unless they are the preset's own range."""
    period = st.session_state.get(KEY_PERIOD)
    found = _preset_range(str(st.session_state.get(KEY_PRESET, CUSTOM)))
    if found is None or tuple(period or ()) != found:
        st.session_state[KEY_PRESET] = CUSTOM


def _initialise(commune_codes: set[str]) -> None:
    """Seed the widget state once per session from the URL (validated) or the defaults."""
    if st.session_state.get(KEY_INIT):
        return
    params = {k: st.query_params[k] for k in URL_KEYS if k in st.query_params}
    bounds = data_bounds()
    flt = IncidentFilter.from_params(
        params,
        default=_default(),
        commune_codes=commune_codes,
        last_day=bounds[1] if bounds else None,
        first_day=bounds[0] if bounds else None,
    )
    st.session_state[KEY_PERIOD] = (flt.start, flt.end)
    st.session_state[KEY_PRESET] = flt.preset or CUSTOM
    st.session_state[KEY_GROUPS] = list(flt.groups)
    st.session_state[KEY_OFFENCES] = list(flt.offences)
    st.session_state[KEY_COMMUNES] = list(flt.communes)
    st.session_state[KEY_INIT] = True


def _reset() -> None:
    flt = _default()
    st.session_state[KEY_PERIOD] = (flt.start, flt.end)
    st.session_state[KEY_PRESET] = flt.preset or CUSTOM
    st.session_state[KEY_GROUPS] = []
    st.session_state[KEY_OFFENCES] = []
    st.session_state[KEY_COMMUNES] = []


def _follow_store(names: dict[str, str], first: date, last: date) -> None:
    """After an import, undo or boundary change, keep the filters meaningful for the new data.

    A preset (the last 28 days, …) moves to the new data's end. A custom period that no longer
    meets the data (e.g. the demo period after the first real import) is reset to the default;
    communes that no longer exist are dropped. A custom period that still overlaps the data is the
    analyst's choice and stays.
    """
    version = loaders.key()[1]
    seen = st.session_state.get(KEY_SEEN)
    st.session_state[KEY_SEEN] = version
    if seen is None or seen == version:
        return  # the first run keeps what a shared link asked for
    seeded = st.session_state.get(KEY_PERIOD)
    ends = [d for d in seeded if isinstance(d, date)] if isinstance(seeded, tuple | list) else []
    moved = _preset_range(str(st.session_state.get(KEY_PRESET, CUSTOM)))
    if moved is not None:
        st.session_state[KEY_PERIOD] = moved
    elif len(ends) == 2 and (ends[1] < first or ends[0] > last):
        flt = _default()
        st.session_state[KEY_PERIOD] = (flt.start, flt.end)
        st.session_state[KEY_PRESET] = flt.preset or CUSTOM
    chosen = st.session_state.get(KEY_COMMUNES, [])
    st.session_state[KEY_COMMUNES] = [c for c in chosen if c in names]


def sidebar() -> IncidentFilter:
    """Draw the filters in the sidebar, store the result for pages and mirror it in the URL."""
    communes = loaders.communes()
    stored = loaders.span()  # the first and last incident, read without reading the incidents
    names = dict(zip(communes["code"], communes["name"], strict=True))
    _initialise(set(names))
    bounds = data_bounds()
    first = stored.first.date() if stored.first else date(2000, 1, 1)
    last = max(stored.last.date(), bounds[1] if bounds else first) if stored.last else date.today()
    _follow_store(names, first, last)
    current = st.session_state.get(KEY_VALUE) or _default()
    # A shared link may carry a period outside the data (e.g. before the first incident): widen the
    # calendar to include it, or Streamlit refuses the seeded value with a traceback.
    seeded = st.session_state.get(KEY_PERIOD)
    ends = [d for d in seeded if isinstance(d, date)] if isinstance(seeded, tuple | list) else []
    language = lang()
    with st.sidebar:
        st.subheader(t("filter.header"))
        # Labels fixed in this run's language: AppTest calls format_func outside the run (in Vietnamese).
        preset_names = {key: t(f"compstat.preset.{key}") for key in PRESETS}
        preset = st.selectbox(
            t("compstat.label"),
            PRESETS,
            key=KEY_PRESET,
            format_func=preset_names.__getitem__,
            on_change=_apply_preset,
            help=t("compstat.help"),
        )
        period = st.date_input(
            t("filter.period"),
            key=KEY_PERIOD,
            min_value=min([first, current.start, *ends]),
            max_value=max([last, current.end, *ends]),
            format="DD/MM/YYYY",
            on_change=_to_custom,
        )
        note = st.empty()
        groups = st.multiselect(
            t("filter.groups"),
            list(offence_groups()),
            key=KEY_GROUPS,
            placeholder=t("filter.all"),
            format_func=lambda g: group_name(g, lang=language),
        )
        choices = [o.code for o in load_offences() if not groups or o.group in groups]
        st.session_state[KEY_OFFENCES] = [c for c in st.session_state.get(KEY_OFFENCES, []) if c in choices]
        offences = st.multiselect(
            t("filter.offences"),
            choices,
            key=KEY_OFFENCES,
            placeholder=t("filter.all"),
            format_func=lambda c: offence_name(c, lang=language),
        )
        chosen_communes = st.multiselect(
            t("filter.communes"),
            sorted(names, key=lambda c: names[c]),
            key=KEY_COMMUNES,
            placeholder=t("filter.all"),
            format_func=lambda c: names.get(c, c),
        )
        st.button(t("filter.reset"), on_click=_reset, width="stretch")
        calendar_locale()
    if isinstance(period, tuple) and len(period) == 2:
        start, end = period
    else:
        st.sidebar.caption(t("filter.pick_range"))
        start, end = current.start, current.end
    flt = IncidentFilter(
        start=start,
        end=end,
        groups=tuple(sorted(groups)),
        offences=tuple(sorted(offences)),
        communes=tuple(sorted(chosen_communes)),
        preset=str(preset or CUSTOM),
    )
    earlier = flt.year_earlier()
    note.caption(
        t(
            "compstat.note",
            end=fmt_date(bounds[1] if bounds else last),
            start_prev=fmt_date(earlier.start),
            end_prev=fmt_date(earlier.end),
        )
    )
    st.session_state[KEY_VALUE] = flt
    _sync_url(flt)
    return flt


def _sync_url(flt: IncidentFilter) -> None:
    params = flt.to_params()
    for key in URL_KEYS:
        if key in params:
            if st.query_params.get(key) != params[key]:
                st.query_params[key] = params[key]
        elif key in st.query_params:
            del st.query_params[key]


def preset_label(flt: IncidentFilter) -> str:
    """Return the period's preset in words ("28 ngày gần nhất"), or "" for a custom range."""
    return t(f"compstat.preset.{flt.preset}") if flt.preset and flt.preset != CUSTOM else ""


def current() -> IncidentFilter:
    """Return the filter drawn by the router in this run (the defaults if none was drawn)."""
    value = st.session_state.get(KEY_VALUE)
    return value if isinstance(value, IncidentFilter) else _default()
