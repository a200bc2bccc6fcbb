"""The incident import of the Dữ liệu page: upload, read options, column mapping, report, preview, commit.

Every row is checked before anything is written (`geo.io.incident_import.validate_incidents`, once
per file and options); the report, the offence names to map and a preview come first, the commit
is one batch. The boundary flow is `ui.boundary_importer`, the shared upload helpers `ui.uploads`;
the page's entry points are importable from here.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from geo import AppError, DataError, settings
from geo.auth.roles import Permission
from geo.dates import now_local
from geo.formatting import format_megabytes
from geo.incidents import covered_until
from geo.io.export import to_csv
from geo.io.incident_import import CRS_CHOICES, Validation, validate_incidents
from geo.io.parsing import DATE_FORMATS
from geo.io.tables import FIELDS, REQUIRED, RawTable, guess_columns, missing_fields, read_table
from geo.io.template import ledger_template
from geo.store.batches import plan_import
from geo.taxonomy import load_offences, offence_name
from geo.words import keys as word_keys
from ui import auth, loaders
from ui.boundary_importer import boundaries_section
from ui.i18n import fmt_date, fmt_int, lang, md, t
from ui.uploads import (
    CACHE,
    PREFIX,
    crs_name,
    file_upload,
    finish,
    flash,
    issue_table,
    localize_uploaders,
    show_error,
)

__all__ = ["boundaries_section", "flash", "incidents_section", "localize_uploaders"]

_ENCODINGS = ("", "utf-8", "cp1258", "cp1252", "utf-16")
_DATE_KEYS = {"auto": "auto", "dd/mm/yyyy": "dmy", "mm/dd/yyyy": "mdy", "yyyy-mm-dd": "ymd"}
"""Date format choice → its words (``import.choice.date.<key>``)."""


def _date_format(choice: str) -> str:
    return t(f"import.choice.date.{_DATE_KEYS[choice]}") if choice in _DATE_KEYS else DATE_FORMATS[choice]


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
        key=f"{PREFIX}inc.template",
    )
    upload = file_upload(
        t("data.inc.upload"),
        ["csv", "txt", "xlsx", "geojson", "json"],
        f"{PREFIX}inc.file",
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
            key=f"{PREFIX}inc.date",
        )
        crs = middle.selectbox(
            t("data.inc.crs"),
            list(CRS_CHOICES),
            format_func=lambda code: f"{code} — {crs_name(code)}",
            key=f"{PREFIX}inc.crs",
        )
        encoding = right.selectbox(
            t("data.inc.encoding"),
            _ENCODINGS,
            format_func=lambda e: e or t("data.auto"),
            key=f"{PREFIX}inc.enc",
        )
        sheet = st.text_input(t("data.inc.sheet"), key=f"{PREFIX}inc.sheet").strip() or None
    try:
        table = read_table(data, name=name, encoding=encoding or None, sheet=sheet)
    except DataError as error:
        show_error(error)
        return
    mapping = _mapping(table)
    offence_map: dict[str, str] = st.session_state.setdefault(f"{PREFIX}inc.offmap.{table.sha256[:12]}", {})
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
        show_error(error)
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
                key=f"{PREFIX}inc.map.{table.sha256[:12]}.{field}",
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
            key = f"{PREFIX}inc.off.{file_key}.{hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:10]}"
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
        forget = st.multiselect(t("offmap.forget_pick"), list(saved), key=f"{PREFIX}offmap.forget")
        if forget and st.button(t("offmap.forget", n=len(forget)), key=f"{PREFIX}offmap.forget_go"):
            try:
                dropped = loaders.store().forget_offence_map(forget, user=auth.user_name())
            except AppError as error:
                show_error(error)
                return
            finish(t("offmap.forgotten", n=fmt_int(dropped)))


def _validated(table: RawTable, key: tuple[Any, ...], **options: Any) -> Validation:
    """Check the file (once per file and options: the result is kept in the session)."""
    cached = st.session_state.get(CACHE)
    if cached and cached[0] == key:
        return cached[1]
    bar = st.progress(0.0, text=t("data.inc.checking", n=fmt_int(len(table.rows))))

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=t("data.inc.checking", n=fmt_int(total)))

    checked = validate_incidents(table, loaders.communes(), progress=progress, **options)
    bar.progress(1.0, text=t("data.inc.checked", n=fmt_int(checked.rows)))
    st.session_state[CACHE] = (key, checked)
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
        issue_table(report)
        st.download_button(
            t("data.inc.report_download"),
            data=to_csv(report),
            file_name=f"bao_cao_loi_{checked.file_name}.csv",
            mime="text/csv",
            key=f"{PREFIX}inc.report",
        )


def _order_name(order: str) -> str:
    key = f"import.choice.order.{order}"
    return t(key) if key in word_keys() else order


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
        t("coverage.declare", day=fmt_date(shown)), key=f"{PREFIX}inc.declare", help=t("coverage.help")
    )
    if not declare:
        return None
    day = st.date_input(
        t("coverage.day"),
        value=shown,
        min_value=checked.incidents["occurred_at"].min().date(),
        max_value=now_local().date(),
        format="DD/MM/YYYY",
        key=f"{PREFIX}inc.complete_to",
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
    if not st.button(label, type="primary", key=f"{PREFIX}inc.commit"):
        return
    try:
        with st.spinner(t("data.inc.writing")):
            outcome = loaders.store().import_incidents(
                checked, user=auth.user_name(), complete_to=complete_to, offence_map=offence_map
            )
    except AppError as error:
        show_error(error)
        return
    finish(
        t(
            "data.inc.done",
            batch=outcome.batch_id,
            new=fmt_int(outcome.accepted),
            updated=fmt_int(outcome.updated),
            rejected=fmt_int(outcome.rejected),
        )
    )
