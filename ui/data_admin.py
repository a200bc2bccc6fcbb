"""Import history with undo, and exports of the filtered incidents and per-commune table (Dữ liệu page)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial

import pandas as pd
import streamlit as st

from geo import ConfigError, settings
from geo.aggregate import commune_counts
from geo.auth.roles import Permission
from geo.dates import now_local
from geo.filters import IncidentFilter, apply_filter
from geo.io.export import commune_table, describe, export_bytes, file_name, incident_table, to_csv
from geo.prepared import count_table
from geo.store import rows as store_rows
from geo.store.rows import Selection
from geo.store.store import DEMO_BATCH, Store
from ui import auth, counts, filters, loaders, source, widgets
from ui.i18n import fmt_date, fmt_int, lang, md, number_format, t

_PREFIX = "data."
_VIETNAM = timedelta(hours=7)  # audit times are stored in UTC; Vietnam has no daylight saving
_MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXPORT_MAX_ROWS = {"csv": 1_000_000, "xlsx": 100_000}
"""Most incidents one export holds with push-down (the file is built in this process's memory):
past it the page asks for a narrower filter. A CSV is written a slice at a time (`geo.store.rows.slices`)."""


def _local(value: pd.Timestamp) -> str:
    return "" if pd.isna(value) else (value + _VIETNAM).strftime("%d/%m/%Y %H:%M")


def history_section() -> None:
    """Show every import (newest first) and let the analyst undo one."""
    batches = loaders.store().batches()
    if batches.empty:
        st.info(t("data.hist.empty"))
        return
    undone = batches["undone_at"].notna()
    view = pd.DataFrame(
        {
            t("data.hist.batch"): batches["batch_id"],
            t("data.hist.kind"): batches["kind"].map(lambda k: t(f"data.hist.kind.{k}")),
            t("data.hist.file"): batches["file_name"],
            t("data.hist.time"): batches["created_at"].map(_local),
            t("data.hist.user"): batches["user_name"],
            t("data.inc.new"): batches["accepted"],
            t("data.inc.updated"): batches["updated"],
            t("data.inc.rejected"): batches["rejected"],
            t("data.hist.status"): [
                t("data.hist.undone", time=_local(when)) if gone else t("data.hist.active")
                for gone, when in zip(undone, batches["undone_at"], strict=True)
            ],
        }
    )
    counts = {t(key): number_format() for key in ("data.inc.new", "data.inc.updated", "data.inc.rejected")}
    st.dataframe(widgets.localized(view, counts), hide_index=True, width="stretch")
    active = batches[~undone & (batches["batch_id"] != DEMO_BATCH) & batches["kind"].map(auth.may_undo)]
    st.subheader(t("data.hist.undo"))
    if active.empty:
        st.caption(t("data.hist.nothing"))
        return
    labels: dict[str, str] = {
        str(batch): f"{batch} — {name} — {_local(created)}"
        for batch, name, created in zip(
            active["batch_id"], active["file_name"], active["created_at"], strict=True
        )
    }
    with st.form(f"{_PREFIX}hist.form"):
        batch = st.selectbox(
            t("data.hist.pick"), list(labels), format_func=labels.__getitem__, key=f"{_PREFIX}hist.pick"
        )
        sure = st.checkbox(t("data.hist.confirm"), key=f"{_PREFIX}hist.sure")
        submitted = st.form_submit_button(t("data.hist.undo_button"), disabled=False)
    if not (submitted and sure and batch):
        return
    try:
        outcome = loaders.store().undo(batch, user=auth.user_name())
    except ConfigError as error:
        st.error(md(error))
        return
    st.session_state[f"{_PREFIX}flash"] = t(
        "data.hist.undone_ok",
        batch=outcome.batch_id,
        removed=fmt_int(outcome.removed),
        restored=fmt_int(outcome.restored),
    )
    st.rerun()


@st.cache_data(show_spinner=False, max_entries=8)
def _export(
    url: str,
    version: str,
    flt: IncidentFilter,
    *,
    what: str,
    fmt: str,
    sheet: str,
    language: str,
    now: datetime,
) -> bytes:
    """Build an export file, cached on plain values (it runs when the button is pressed, off the page).

    The XLSX starts with its description: title, filter, coverage, source, the demo notice.
    """
    store = Store.open(url)
    if settings.pushdown(url):
        return _pushed_export(store, flt, what=what, fmt=fmt, sheet=sheet, language=language, now=now)
    incidents = store.incidents(details=True)
    communes = store.communes()
    chosen = apply_filter(incidents, flt)
    if what == "incidents":
        table = incident_table(chosen, communes, lang=language)
    else:
        before = apply_filter(incidents, flt.year_earlier())
        counted = commune_counts(chosen, communes, days=flt.days, previous=before)
        table = commune_table(counted, lang=language)
    return _described(
        store,
        flt,
        table,
        what=what,
        span=incidents,
        communes=communes,
        fmt=fmt,
        sheet=sheet,
        language=language,
        now=now,
    )


def _pushed_export(
    store: Store, flt: IncidentFilter, *, what: str, fmt: str, sheet: str, language: str, now: datetime
) -> bytes:
    """`_export` without reading every incident: the rows a slice at a time, the counts from the aggregates."""
    communes = store.communes()
    selection = Selection(source.window(flt))
    with store.engine.connect() as conn:
        span = store_rows.coverage_frame(conn, store.tables)
        if what == "incidents" and fmt == "csv":
            none = store_rows.page(conn, store.tables, selection, limit=0, details=True)
            tables = (
                incident_table(part, communes, lang=language)
                for part in store_rows.slices(conn, store.tables, selection)
            )
            if store_rows.has_seconds(conn, store.tables, selection):
                tables = (_with_seconds(table) for table in tables)
            return _csv(tables, empty=incident_table(none, communes, lang=language))
        if what == "incidents":
            parts = list(store_rows.slices(conn, store.tables, selection))
            chosen = (
                pd.concat(parts, ignore_index=True)
                if parts
                else store_rows.page(conn, store.tables, selection, limit=0, details=True)
            )
            table = incident_table(chosen, communes, lang=language)
    if what != "incidents":
        # No status counts: the per-unit export has no clearance column (`geo.io.export.commune_table`).
        counted = count_table(
            communes, _per_unit(store, flt), days=flt.days, previous=_per_unit(store, flt.year_earlier())
        )
        table = commune_table(counted, lang=language)
    return _described(
        store,
        flt,
        table,
        what=what,
        span=span,
        communes=communes,
        fmt=fmt,
        sheet=sheet,
        language=language,
        now=now,
    )


def _described(
    store: Store,
    flt: IncidentFilter,
    table: pd.DataFrame,
    *,
    what: str,
    span: pd.DataFrame,
    communes: pd.DataFrame,
    fmt: str,
    sheet: str,
    language: str,
    now: datetime,
) -> bytes:
    """The export file of ``table`` with its description sheet (``span``: what the data's coverage is read from)."""
    about = describe(
        flt,
        what=what,
        incidents=span,
        communes=communes,
        area=store.area().name,
        demo=store.is_demo(),
        now=now,
        rows=len(table),
        lang=language,
    )
    return export_bytes({sheet: table}, fmt=fmt, describe={sheet: about})


def _per_unit(store: Store, flt: IncidentFilter) -> pd.Series:
    counted = store.unit_counts(source.window(flt), by=("commune_code",))
    return pd.Series(counted["n"].to_numpy(), index=counted["commune_code"].astype(str).to_numpy())


def _with_seconds(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its times written as `geo.io.export.to_csv` writes them when any has seconds."""
    out = table.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.strftime("%d/%m/%Y %H:%M:%S")
    return out


def _csv(tables: Iterator[pd.DataFrame], *, empty: pd.DataFrame) -> bytes:
    """One CSV of the tables one after the other, as `geo.io.export.to_csv` writes their concatenation.

    Each table is written (neutralised) and appended as it comes; the BOM and the header row come
    once (``empty``'s when there is no table).
    """
    out = io.BytesIO()
    for table in tables:
        text = to_csv(table)
        out.write(text if not out.tell() else text.split(b"\r\n", 1)[1])
    if not out.tell():
        out.write(to_csv(empty))
    return out.getvalue()


def export_section() -> None:
    """Offer the incidents matching the sidebar filters, and their per-commune table, as CSV or XLSX."""
    if not auth.allowed(Permission.EXPORT):
        return
    flt = filters.current()
    matched = counts.total(flt)  # the prepared arrays or, with push-down, the aggregates: no copy of the rows
    st.markdown(t("data.exp.scope", n=fmt_int(matched), start=fmt_date(flt.start), end=fmt_date(flt.end)))
    fmt = st.radio(
        t("data.exp.format"),
        ["xlsx", "csv"],
        format_func=lambda f: "Excel (.xlsx)" if f == "xlsx" else "CSV (UTF-8)",
        horizontal=True,
        key=f"{_PREFIX}exp.format",
    )
    store = loaders.store()
    url, version, language = store.url, store.version(), lang()
    demo, now = store.is_demo(), now_local().replace(second=0, microsecond=0)
    left, right = st.columns(2)
    for column, what, label, stem, sheet in (
        (left, "incidents", t("data.exp.incidents"), "vu_viec", t("export.sheet.incidents")),
        (right, "communes", t("data.exp.communes"), "theo_xa", t("export.sheet.communes")),
    ):
        rows = matched if what == "incidents" else len(loaders.communes())
        if what == "incidents" and source.pushdown() and rows > EXPORT_MAX_ROWS[fmt]:
            most = fmt_int(EXPORT_MAX_ROWS[fmt])
            column.caption(t("data.exp.too_many", n=fmt_int(rows), most=most, fmt=fmt.upper()))
            continue
        build = auth.audited(
            partial(_export, url, version, flt, what=what, fmt=fmt, sheet=sheet, language=language, now=now),
            what=what,
            fmt=fmt,
            flt=flt,
            rows=rows,
        )
        column.download_button(
            label,
            data=build,
            file_name=file_name(stem, flt, fmt=fmt, demo=demo),
            mime=_MIME[fmt],
            key=f"{_PREFIX}exp.{what}",
            width="stretch",
        )
    st.caption(t("data.exp.note"))
