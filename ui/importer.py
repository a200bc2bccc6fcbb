"""Import flows of the Dữ liệu page: upload, read options, column mapping, report, preview, commit."""

from __future__ import annotations

import hashlib
import math
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from geo import AppError, DataError, settings
from geo.auth.roles import Permission
from geo.communes import district_outline
from geo.dates import now_local
from geo.formatting import format_megabytes
from geo.incidents import covered_until
from geo.io.boundary_fields import BOUNDARY_FIELDS
from geo.io.boundary_import import import_boundaries
from geo.io.export import to_csv
from geo.io.incident_import import CRS_CHOICES, Validation, validate_incidents
from geo.io.layers import read_layer_file
from geo.io.parsing import DATE_FORMATS
from geo.io.tables import FIELDS, REQUIRED, RawTable, guess_columns, missing_fields, read_table
from geo.io.template import ledger_template
from geo.maps.previews import preview_figure
from geo.messages import english
from geo.store.batches import plan_import
from geo.store.boundaries import preview_communes
from geo.taxonomy import load_offences, offence_name
from geo.words import keys as word_keys
from ui import auth, loaders, widgets
from ui.i18n import fmt_date, fmt_int, lang, md, t

_PREFIX = "data."
_FLASH = f"{_PREFIX}flash"
_NONCE = f"{_PREFIX}nonce"
_CACHE = f"{_PREFIX}cache"
_ENCODINGS = ("", "utf-8", "cp1258", "cp1252", "utf-16")
_FULL_TABLE_ROWS = 50
_DATE_KEYS = {"auto": "auto", "dd/mm/yyyy": "dmy", "mm/dd/yyyy": "mdy", "yyyy-mm-dd": "ymd"}
"""Date format choice → its words (``import.choice.date.<key>``)."""


def flash() -> None:
    """Show the outcome of the last write (kept across the rerun that follows it)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


_UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{button}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{hint}"; font-size: 0.875rem; }}
</style>"""


def localize_uploaders() -> None:
    """Replace Streamlit's English uploader words ("Upload", "200MB per file") with ours and our real limit."""
    mb = format_megabytes(settings.IMPORT_MAX_BYTES, 0, lang=lang())
    words = {"button": t("data.upload.button"), "hint": t("data.upload.hint", mb=mb)}
    st.html(_UPLOADER_CSS.format(**{k: v.replace("\\", "").replace('"', "'") for k, v in words.items()}))


def _error(error: Exception) -> None:
    """Show why a file cannot be used, as one sentence ("tệp «x»: …" from geo/ starts with a capital)."""
    text = _in_language(error)
    st.error(t("data.error", msg=md(text[:1].upper() + text[1:])))


def _in_language(error: Exception) -> str:
    """Return an error of geo/ in the UI's language: where (file, row, column), then the message."""
    if lang() == "vi" or not isinstance(error, AppError):
        return str(error)
    where = []
    if error.file:
        where.append(t("import.choice.where.file", name=error.file))
    if error.row is not None:
        where.append(t("import.choice.where.row", n=error.row))
    if error.field:
        where.append(t("import.choice.where.column", name=error.field))
    message = english(error.message)
    return t("import.choice.where", where=", ".join(where), message=message) if where else message


def _date_format(choice: str) -> str:
    return t(f"import.choice.date.{_DATE_KEYS[choice]}") if choice in _DATE_KEYS else DATE_FORMATS[choice]


def _crs_name(code: str) -> str:
    key = f"import.choice.crs.{code.partition(':')[2]}"
    return t(key) if key in word_keys() else CRS_CHOICES[code]


def _done(message: str) -> None:
    """Remember ``message``, reset the uploaders and rerun."""
    st.session_state[_FLASH] = message
    st.session_state[_NONCE] = st.session_state.get(_NONCE, 0) + 1
    st.session_state.pop(_CACHE, None)
    st.rerun()


def _upload(label: str, types: list[str], key: str, help_text: str | None = None) -> tuple[bytes, str] | None:
    """Draw an uploader; return the file's bytes and name once one is chosen and small enough."""
    nonce = st.session_state.get(_NONCE, 0)
    uploaded = st.file_uploader(label, type=types, key=f"{key}.{nonce}", help=help_text)
    if uploaded is None:
        return None
    if uploaded.size > settings.IMPORT_MAX_BYTES:
        st.error(
            t(
                "data.too_big",
                name=md(uploaded.name),
                size=format_megabytes(uploaded.size, lang=lang()),
                limit=format_megabytes(settings.IMPORT_MAX_BYTES, 0, lang=lang()),
            )
        )
        return None
    return uploaded.getvalue(), uploaded.name


def incidents_section() -> None:
    """Upload an incident file, check every row, show the report and preview, and commit on request."""
    if not auth.allowed(Permission.IMPORT):
        return
    if loaders.communes().empty:
        st.info(t("data.inc.no_area"))
        return
    st.download_button(
        t("data.inc.template"),
        data=lambda: ledger_template(loaders.communes()),
        file_name="mau_so_vu_viec.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{_PREFIX}inc.template",
    )
    upload = _upload(
        t("data.inc.upload"),
        ["csv", "txt", "xlsx", "geojson", "json"],
        f"{_PREFIX}inc.file",
        t("data.inc.upload_help", mb=format_megabytes(settings.IMPORT_MAX_BYTES, 0, lang=lang())),
    )
    if upload is None:
        st.caption(t("data.inc.hint"))
        return
    data, name = upload
    with st.expander(t("data.inc.options")):
        left, middle, right = st.columns(3)
        date_format = left.selectbox(
            t("data.inc.date_format"),
            list(DATE_FORMATS),
            format_func=_date_format,
            key=f"{_PREFIX}inc.date",
        )
        crs = middle.selectbox(
            t("data.inc.crs"),
            list(CRS_CHOICES),
            format_func=lambda code: f"{code} — {_crs_name(code)}",
            key=f"{_PREFIX}inc.crs",
        )
        encoding = right.selectbox(
            t("data.inc.encoding"),
            _ENCODINGS,
            format_func=lambda e: e or t("data.auto"),
            key=f"{_PREFIX}inc.enc",
        )
        sheet = st.text_input(t("data.inc.sheet"), key=f"{_PREFIX}inc.sheet").strip() or None
    try:
        table = read_table(data, name=name, encoding=encoding or None, sheet=sheet)
    except DataError as error:
        _error(error)
        return
    mapping = _mapping(table)
    offence_map: dict[str, str] = st.session_state.setdefault(f"{_PREFIX}inc.offmap.{table.sha256[:12]}", {})
    options = (
        date_format,
        crs,
        encoding,
        sheet,
        tuple(sorted(mapping.items())),
        tuple(sorted(offence_map.items())),
    )
    key = (table.sha256, options, loaders.store().version())
    saved_map = loaders.store().offence_map()  # names mapped on earlier imports; this file's choices win
    try:
        checked = _validated(
            table,
            key,
            mapping=mapping,
            date_format=date_format,
            crs=crs,
            offence_map=saved_map | offence_map,
            history=loaders.store().unit_history(),
        )
    except AppError as error:
        _error(error)
        return
    _report(checked)
    _offence_choices(checked, offence_map, table.sha256[:12])
    _saved_offences(saved_map)
    _preview_rows(checked)
    _commit(checked, offence_map)


def _mapping(table: RawTable) -> dict[str, str]:
    """Let the analyst confirm or change which column holds each field; return field → column."""
    guess = guess_columns(table.columns)
    missing = missing_fields(guess)
    choices = ["", *table.columns]
    chosen: dict[str, str] = {}
    with st.expander(t("data.inc.mapping", n=len(table.columns)), expanded=bool(missing)):
        st.caption(t("data.inc.mapping_help"))
        columns = st.columns(3)
        for index, (field, label) in enumerate(FIELDS.items()):
            column = columns[index % 3].selectbox(
                f"{t(f'import.choice.field.{field}') if f'import.choice.field.{field}' in word_keys() else label}"
                f"{' *' if field in REQUIRED else ''}",
                choices,
                index=choices.index(guess[field]) if field in guess else 0,
                format_func=lambda c: c or t("data.none"),
                key=f"{_PREFIX}inc.map.{table.sha256[:12]}.{field}",
            )
            chosen[field] = column
    return chosen


def _offence_choices(checked: Validation, chosen: dict[str, str], file_key: str) -> None:
    """Let the analyst map offence names the taxonomy does not know; ``chosen`` (name → code) is updated."""
    unknown = checked.unknown_offences
    shown = [*unknown, *(name for name in chosen if name not in unknown)][:30]
    if not shown:
        return
    codes = ["", *(o.code for o in load_offences())]
    names = {o.code: (o.name_vi if lang() == "vi" else o.name_en) for o in load_offences()}

    def pick(name: str, key: str) -> None:
        code = st.session_state.get(key, "")
        if code:
            chosen[name] = code
        else:
            chosen.pop(name, None)

    with st.expander(t("data.inc.unknown", n=len(unknown)), expanded=bool(unknown)):
        st.caption(t("data.inc.unknown_help"))
        for name in shown:
            key = f"{_PREFIX}inc.off.{file_key}.{hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:10]}"
            st.selectbox(
                t("data.inc.unknown_row", name=md(name), n=fmt_int(unknown.get(name, 0))),
                codes,
                index=codes.index(chosen[name]) if chosen.get(name) in codes else 0,
                format_func=lambda c: names.get(c, t("data.none")),
                key=key,
                on_change=pick,
                args=(name, key),
            )


def _saved_offences(saved: dict[str, str]) -> None:
    """Show the offence names mapped on earlier imports, which this import reuses."""
    if not saved:
        return
    with st.expander(t("offmap.saved", n=fmt_int(len(saved)))):
        st.caption(t("offmap.saved_help"))
        st.dataframe(
            pd.DataFrame(
                {
                    t("offmap.col_name"): list(saved),
                    t("offmap.col_offence"): [offence_name(code, lang=lang()) for code in saved.values()],
                }
            ),
            hide_index=True,
            use_container_width=True,
        )
        forget = st.multiselect(t("offmap.forget_pick"), list(saved), key=f"{_PREFIX}offmap.forget")
        if forget and st.button(t("offmap.forget", n=len(forget)), key=f"{_PREFIX}offmap.forget_go"):
            try:
                dropped = loaders.store().forget_offence_map(forget, user=auth.user_name())
            except AppError as error:
                _error(error)
                return
            _done(t("offmap.forgotten", n=fmt_int(dropped)))


def _validated(table: RawTable, key: tuple[Any, ...], **options: Any) -> Validation:
    """Check the file (once per file and options: the result is kept in the session)."""
    cached = st.session_state.get(_CACHE)
    if cached and cached[0] == key:
        return cached[1]
    bar = st.progress(0.0, text=t("data.inc.checking", n=fmt_int(len(table.rows))))

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=t("data.inc.checking", n=fmt_int(total)))

    checked = validate_incidents(table, loaders.communes(), progress=progress, **options)
    bar.progress(1.0, text=t("data.inc.checked", n=fmt_int(checked.rows)))
    st.session_state[_CACHE] = (key, checked)
    return checked


def _report(checked: Validation) -> None:
    plan = plan_import(loaders.store(), checked)
    cols = st.columns(5)
    cols[0].metric(t("data.inc.valid"), fmt_int(len(checked.incidents)))
    cols[1].metric(t("data.inc.rejected"), fmt_int(checked.rejected))
    cols[2].metric(t("data.inc.new"), fmt_int(plan.new))
    cols[3].metric(t("data.inc.updated"), fmt_int(plan.updated))
    cols[4].metric(t("data.inc.unchanged"), fmt_int(plan.unchanged))
    notes = [t("data.inc.read_as", order=_order_name(checked.date_order), crs=checked.crs)]
    if checked.empty_rows:
        notes.append(t("data.inc.empty_rows", n=fmt_int(checked.empty_rows)))
    st.caption(" ".join(notes))
    if plan.replaces_demo:
        st.warning(t("data.inc.replaces_demo"), icon="⚠️")
    if plan.same_file:
        st.info(t("data.inc.same_file", batches=md(", ".join(plan.same_file))))
    if not checked.issues:
        st.success(t("data.inc.no_issues"))
    else:
        report = checked.report(lang=lang())
        st.subheader(t("data.inc.report", n=fmt_int(len(report))))
        _issue_table(report)
        st.download_button(
            t("data.inc.report_download"),
            data=to_csv(report),
            file_name=f"bao_cao_loi_{checked.file_name}.csv",
            mime="text/csv",
            key=f"{_PREFIX}inc.report",
        )


def _order_name(order: str) -> str:
    key = f"import.choice.order.{order}"
    return t(key) if key in word_keys() else order


def _issue_table(report: pd.DataFrame) -> None:
    """Show a report: a plain table with whole messages while short, a scrolling grid when long."""
    if len(report) <= _FULL_TABLE_ROWS:
        widgets.text_table(report)
        return
    config = {
        t("report.problem"): st.column_config.TextColumn(width="large"),
        t("report.row"): st.column_config.TextColumn(width="small"),
    }
    st.dataframe(report, hide_index=True, width="stretch", column_config=config)


def _preview_rows(checked: Validation) -> None:
    if len(checked.incidents):
        rows = min(settings.IMPORT_PREVIEW_ROWS, len(checked.incidents))
        st.subheader(t("data.inc.preview", n=rows))
        st.dataframe(_preview(checked.incidents.head(rows)), hide_index=True, width="stretch")


def _preview(incidents: pd.DataFrame) -> pd.DataFrame:
    communes = loaders.communes()
    names = dict(zip(communes["code"], communes["name"], strict=True))
    language = lang()
    return pd.DataFrame(
        {
            t("data.col.id"): incidents["incident_id"],
            t("data.col.when"): incidents["occurred_at"].dt.strftime("%d/%m/%Y %H:%M"),
            t("data.col.offence"): incidents["offence_code"].map(lambda c: offence_name(c, lang=language)),
            t("data.col.commune"): incidents["commune_code"].map(names).fillna(""),
            t("data.col.lon"): incidents["lon"],
            t("data.col.lat"): incidents["lat"],
            t("data.col.description"): incidents["description"],
        }
    )


def _complete_to(checked: Validation) -> date | None:
    """Ask whether the ledger is complete to a day its incidents do not show (``--complete-to``)."""
    shown = covered_until(checked.incidents)
    if shown is None:
        return None
    declare = st.checkbox(
        t("coverage.declare", day=fmt_date(shown)), key=f"{_PREFIX}inc.declare", help=t("coverage.help")
    )
    if not declare:
        return None
    day = st.date_input(
        t("coverage.day"),
        value=shown,
        min_value=checked.incidents["occurred_at"].min().date(),
        max_value=now_local().date(),
        format="DD/MM/YYYY",
        key=f"{_PREFIX}inc.complete_to",
    )
    return day if isinstance(day, date) else None


def _commit(checked: Validation, offence_map: dict[str, str]) -> None:
    plan = plan_import(loaders.store(), checked)
    if plan.new + plan.updated == 0 and not (plan.replaces_demo and len(checked.incidents)):
        if len(checked.incidents):
            st.info(t("data.inc.nothing"))
        return
    complete_to = _complete_to(checked)
    label = t("data.inc.commit", new=fmt_int(plan.new), updated=fmt_int(plan.updated))
    if not st.button(label, type="primary", key=f"{_PREFIX}inc.commit"):
        return
    try:
        with st.spinner(t("data.inc.writing")):
            outcome = loaders.store().import_incidents(
                checked, user=auth.user_name(), complete_to=complete_to, offence_map=offence_map
            )
    except AppError as error:
        _error(error)
        return
    _done(
        t(
            "data.inc.done",
            batch=outcome.batch_id,
            new=fmt_int(outcome.accepted),
            updated=fmt_int(outcome.updated),
            rejected=fmt_int(outcome.rejected),
        )
    )


def boundaries_section() -> None:
    """Upload official commune boundaries, preview them against the current ones, and replace on request."""
    if not auth.allowed(Permission.BOUNDARIES):
        return
    communes = loaders.communes()
    if communes.empty:
        st.caption(t("data.bnd.hint_new"))
    else:
        kind = t("data.bnd.approximate") if communes["approximate"].any() else t("data.bnd.official")
        st.caption(t("data.bnd.hint", kind=kind))
    upload = _upload(t("data.bnd.upload"), ["geojson", "json", "zip", "gpkg"], f"{_PREFIX}bnd.file")
    if upload is None:
        return
    data, name = upload
    left, middle, right = st.columns(3)
    crs_options = ["", *CRS_CHOICES]
    crs = left.selectbox(
        t("data.bnd.crs"),
        crs_options,
        format_func=lambda c: f"{c} — {_crs_name(c)}" if c else t("data.bnd.crs_file"),
        key=f"{_PREFIX}bnd.crs",
    )
    layer = middle.text_input(t("data.bnd.layer"), key=f"{_PREFIX}bnd.layer").strip() or None
    known_year = int(communes["population_year"].max()) if len(communes) else 0
    year = right.number_input(
        t("data.bnd.year"),
        min_value=1990,
        max_value=2100,
        value=known_year if known_year >= 1990 else date.today().year,
        key=f"{_PREFIX}bnd.year",
    )
    new_area = communes.empty or st.checkbox(t("data.bnd.new_area"), key=f"{_PREFIX}bnd.new_area")
    try:
        # The upload is read once: its attributes for the field choice, then the check itself.
        layer_file = read_layer_file(data, name=name, layer=layer, crs=crs or None)
        attributes = [str(c) for c in layer_file.frame.columns if c != "geometry"]
        fields = _boundary_fields(attributes, layer_file.sha256[:12])
        checked = import_boundaries(
            layer_file,
            fields=fields,
            outline=None if new_area else district_outline(communes),
            previous=None if new_area else communes,
            population_year=int(year),
        )
    except AppError as error:
        _error(error)
        return
    moved = preview_communes(loaders.store(), checked) if checked.ok else None
    cols = st.columns(5)
    cols[0].metric(t("data.bnd.communes"), fmt_int(len(checked.communes)))
    cols[1].metric(t("data.bnd.source_crs"), checked.source_crs)
    offset = checked.offset_m
    cols[2].metric(t("data.bnd.offset"), f"{fmt_int(offset)} m" if math.isfinite(offset) else "—")
    cols[3].metric(t("data.bnd.changed"), fmt_int(moved.changed) if moved else "—")
    cols[4].metric(t("data.bnd.outside"), fmt_int(moved.outside) if moved else "—")
    if checked.issues:
        st.subheader(t("data.bnd.issues", n=len(checked.issues)))
        _issue_table(checked.report(lang=lang()))
    if checked.matches:
        st.subheader(t("data.bnd.matches", n=len(checked.matches)))
        st.caption(t("data.bnd.matches_hint"))
        widgets.text_table(
            pd.DataFrame(
                checked.matches,
                columns=[
                    t("data.bnd.old_code"),
                    t("data.bnd.old_name"),
                    t("data.bnd.new_code"),
                    t("data.bnd.new_name"),
                ],
            )
        )
    lost = set(loaders.plan().targets) - set(checked.renamed) - set(checked.communes["code"])
    if checked.ok and lost:
        st.warning(t("data.bnd.targets_cleared", codes=md(", ".join(sorted(lost)))))
    if len(checked.communes):
        st.caption(t("data.bnd.preview"))
        st.pyplot(preview_figure(checked.communes, None if new_area else communes), clear_figure=True)
    if not checked.ok:
        st.error(t("data.bnd.blocked"))
        return
    if st.button(t("data.bnd.commit", n=len(checked.communes)), type="primary", key=f"{_PREFIX}bnd.commit"):
        try:
            outcome = loaders.store().replace_communes(checked, user=auth.user_name())
        except AppError as error:
            _error(error)
            return
        message = t(
            "data.bnd.done",
            batch=outcome.batch_id,
            changed=fmt_int(outcome.changed),
            outside=fmt_int(outcome.outside),
        )
        if outcome.cleared_targets:
            message += " " + t("data.bnd.targets_cleared", codes=md(", ".join(outcome.cleared_targets)))
        _done(message)


def _boundary_fields(attributes: list[str], file_key: str) -> dict[str, str]:
    """Let the analyst pick the attributes for code, name and population (automatic by default)."""
    chosen = {}
    with st.expander(t("data.bnd.fields")):
        columns = st.columns(3)
        for index, field in enumerate(("code", "name", "population")):
            value = columns[index].selectbox(
                t(f"data.bnd.field.{field}") if field in BOUNDARY_FIELDS else field,
                ["", *attributes],
                format_func=lambda c: c or t("data.auto"),
                key=f"{_PREFIX}bnd.field.{file_key}.{field}",
            )
            if value:
                chosen[field] = value
    return chosen
