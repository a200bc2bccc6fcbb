"""Streamlit glue of the set-up path on /data: what is done and missing, area settings, population tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd
import streamlit as st

from geo import AppError, DataError
from geo.auth.roles import Permission
from geo.history import UnitHistory
from geo.io.population_import import import_population
from geo.io.taxonomy_file import COLUMNS as TAXONOMY_COLUMNS
from geo.io.taxonomy_file import read_taxonomy_file, taxonomy_csv
from geo.store.boundaries import update_population
from geo.taxonomy import Offence, base
from geo.unit_changes import COLUMNS
from ui import auth, loaders
from ui.i18n import fmt_int, lang, md, t

_PREFIX = "setup."
_FLASH = f"{_PREFIX}flash"
STEPS = ("boundaries", "population", "plan", "incidents")
"""The set-up path, in the order a new area goes through it."""


def missing_steps() -> list[str]:
    """Return the set-up steps the store still lacks (empty once the area is fully set up)."""
    communes = loaders.communes()
    done = {
        "boundaries": not communes.empty,
        "population": not communes.empty and bool((communes["population"] > 0).all()),
        "plan": loaders.plan().is_set,
        "incidents": loaders.count() > 0,
    }
    return [step for step in STEPS if not done[step]]


def steps_section() -> None:
    """Show the set-up path — boundaries → population → plan → incidents — with what each still needs."""
    communes = loaders.communes()
    known = int((communes["population"] > 0).sum()) if len(communes) else 0
    plan = loaders.plan()
    details = {
        "boundaries": t(
            "setup.detail.boundaries", n=fmt_int(len(communes)), unit=md(loaders.area().unit_word)
        ),
        "population": t("setup.detail.population", known=fmt_int(known), n=fmt_int(len(communes))),
        "plan": t("setup.detail.plan", n=len(plan.targets), start=f"{plan.start:%d/%m/%Y}")
        if plan.is_set
        else t("setup.detail.no_plan"),
        "incidents": t("setup.detail.incidents", n=fmt_int(loaders.count())),
    }
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)
    missing = missing_steps()
    st.subheader(t("setup.header"))
    st.caption(t("setup.caption") if missing else t("setup.complete"))
    for number, step in enumerate(STEPS, start=1):
        mark = "✔" if step not in missing else "○"
        st.markdown(f"{mark} **{number}. {t(f'setup.step.{step}')}** — {details[step]}")
        if step in missing and step == missing[0]:
            st.caption(t(f"setup.how.{step}"))


def area_section() -> None:
    """A small form for the area's name and the word for its units."""
    if not auth.allowed(Permission.SETTINGS):
        return
    area = loaders.area()
    with st.form(f"{_PREFIX}area"):
        name = st.text_input(t("setup.area.name"), value=area.name, max_chars=200)
        word = st.text_input(t("setup.area.unit_word"), value=area.unit_word, max_chars=40)
        saved = st.form_submit_button(t("setup.area.save"))
    if saved:
        try:
            loaders.store().save_area(
                replace(area, name=name.strip(), unit_word=word.strip()), user=auth.user_name()
            )
        except AppError as error:
            st.error(t("error.data", msg=md(error)))
            return
        st.session_state[_FLASH] = t("setup.area.saved")
        st.rerun()


def population_section() -> None:
    """Upload a population table (code or name, population, year), check it, show the report, write it."""
    if not auth.allowed(Permission.BOUNDARIES):
        return
    communes = loaders.communes()
    st.caption(t("setup.pop.hint"))
    if communes.empty:
        st.info(t("setup.pop.no_area"))
        return
    upload = st.file_uploader(t("setup.pop.upload"), type=["csv", "txt", "xlsx"], key=f"{_PREFIX}pop.file")
    if upload is None:
        return
    year = st.number_input(
        t("setup.pop.year"), min_value=1990, max_value=2100, value=None, key=f"{_PREFIX}pop.year"
    )
    try:
        checked = import_population(
            upload.getvalue(), communes, name=upload.name, year=int(year) if year else None
        )
    except AppError as error:
        st.error(t("error.data", msg=md(error)))
        return
    cols = st.columns(3)
    cols[0].metric(t("setup.pop.matched"), fmt_int(len(checked.table)))
    cols[1].metric(t("setup.pop.rejected"), fmt_int(len({i.row for i in checked.errors})))
    cols[2].metric(t("setup.pop.missing"), fmt_int(len(checked.missing)))
    if checked.issues:
        st.dataframe(checked.report(lang=lang()).astype(str), hide_index=True, width="stretch")
    if len(checked.table):
        view = pd.DataFrame(
            {
                t("col.code"): checked.table["code"],
                t("col.commune"): checked.table["name"],
                t("setup.pop.population"): [fmt_int(v) for v in checked.table["population"]],
                t("setup.pop.year"): checked.table["population_year"].astype(str),
            }
        )
        st.dataframe(view, hide_index=True, width="stretch")
    if not checked.ok:
        st.error(t("setup.pop.blocked"))
        return
    if st.button(t("setup.pop.commit", n=len(checked.table)), type="primary", key=f"{_PREFIX}pop.commit"):
        try:
            outcome = update_population(loaders.store(), checked, user=auth.user_name())
        except AppError as error:
            st.error(t("error.data", msg=md(error)))
            return
        st.session_state[_FLASH] = t("setup.pop.done", n=fmt_int(outcome.updated), batch=outcome.batch_id)
        st.session_state.pop(f"{_PREFIX}pop.file", None)
        st.rerun()


_HISTORY_MAX_BYTES = 5 * 1024 * 1024
"""A unit history is a short table: anything larger is not one."""


def history_section() -> None:
    """Show the area's unit history and let an admin replace it from a CSV (the columns of `geo.history`)."""
    if not auth.can(Permission.SETTINGS):  # `area_section` has said so in this tab already
        return
    st.subheader(t("setup.his.header"))
    st.caption(t("setup.his.hint", columns=", ".join(COLUMNS)))
    current = loaders.store().unit_history()
    if current.changes:
        st.caption(t("setup.his.current", n=fmt_int(len(current.changes)), units=fmt_int(len(current.units))))
        _history_table(current)
    else:
        st.caption(t("setup.his.none"))
    upload = st.file_uploader(t("setup.his.upload"), type=["csv", "txt"], key=f"{_PREFIX}his.file")
    if upload is None:
        return
    try:
        if upload.size > _HISTORY_MAX_BYTES:
            raise DataError(t("setup.his.too_big"), file=upload.name)
        history = UnitHistory.from_csv(upload.getvalue(), name=upload.name)
        if not history.changes:
            raise DataError(t("setup.his.empty"), file=upload.name)
    except AppError as error:
        st.error(t("error.data", msg=md(error)))
        return
    st.caption(t("setup.his.read", n=fmt_int(len(history.changes)), units=fmt_int(len(history.units))))
    _history_table(history)
    if st.button(t("setup.his.commit", n=len(history.changes)), type="primary", key=f"{_PREFIX}his.commit"):
        try:
            loaders.store().save_unit_history(history, user=auth.user_name())
        except AppError as error:
            st.error(t("error.data", msg=md(error)))
            return
        st.session_state[_FLASH] = t("setup.his.saved", n=fmt_int(len(history.changes)))
        st.rerun()


def _history_table(history: UnitHistory) -> None:
    table = history.to_frame()
    view = pd.DataFrame(
        {
            t("setup.his.col.day"): [f"{pd.Timestamp(d):%d/%m/%Y}" for d in table["date"]],
            t("setup.his.col.old"): table["old_name"] + " (" + table["old_code"] + ")",
            t("setup.his.col.new"): table["new_name"] + " (" + table["new_code"] + ")",
            t("setup.his.col.act"): table["act"],
        }
    )
    st.dataframe(view, hide_index=True, width="stretch", height=min(36 * (len(view) + 1) + 2, 400))


_TAXONOMY_MAX_BYTES = 5 * 1024 * 1024
"""A taxonomy is a short table: anything larger is not one."""


def taxonomy_section() -> None:
    """Show the area's offence categories and let an admin add its own from a taxonomy file."""
    if not auth.can(Permission.SETTINGS):
        return
    st.subheader(t("setup.tax.header"))
    st.caption(t("setup.tax.hint", columns=", ".join(TAXONOMY_COLUMNS)))
    current = loaders.store().taxonomy()
    own = [o for o in current.offences if o.code not in {b.code for b in base().offences}]
    st.caption(
        t(
            "setup.tax.current",
            n=fmt_int(len(current.offences)),
            groups=fmt_int(len(current.groups)),
            own=fmt_int(len(own)),
        )
    )
    _taxonomy_table(current.offences, current.groups)
    st.download_button(
        t("setup.tax.download"),
        taxonomy_csv(current),
        file_name="danh_muc_toi_danh.csv",
        mime="text/csv",
        key=f"{_PREFIX}tax.download",
    )
    upload = st.file_uploader(t("setup.tax.upload"), type=["csv", "txt", "xlsx"], key=f"{_PREFIX}tax.file")
    if upload is None:
        return
    try:
        if upload.size > _TAXONOMY_MAX_BYTES:
            raise DataError(t("setup.tax.too_big"), file=upload.name)
        found = read_taxonomy_file(upload.getvalue(), name=upload.name, current=current)
    except AppError as error:
        st.error(t("error.data", msg=md(error)))
        return
    if not found.offences:
        st.info(t("setup.tax.nothing", repeated=fmt_int(found.repeated)))
        return
    st.caption(t("setup.tax.read", n=fmt_int(len(found.offences)), repeated=fmt_int(found.repeated)))
    _taxonomy_table(found.offences, current.groups | found.groups)
    if st.button(t("setup.tax.commit", n=len(found.offences)), type="primary", key=f"{_PREFIX}tax.commit"):
        try:
            added = loaders.store().save_taxonomy(found, user=auth.user_name())
        except AppError as error:
            st.error(t("error.data", msg=md(error)))
            return
        st.session_state[_FLASH] = t("setup.tax.saved", n=fmt_int(added))
        st.rerun()


def _taxonomy_table(offences: Sequence[Offence], groups: Mapping[str, tuple[str, str]]) -> None:
    vi = lang() == "vi"
    view = pd.DataFrame(
        {
            t("setup.tax.col.group"): [
                groups.get(o.group, (o.group, o.group))[0 if vi else 1] for o in offences
            ],
            t("setup.tax.col.code"): [o.code for o in offences],
            t("setup.tax.col.name"): [o.name_vi if vi else o.name_en for o in offences],
            t("setup.tax.col.article"): [o.article for o in offences],
        }
    )
    st.dataframe(view, hide_index=True, width="stretch", height=min(36 * (len(view) + 1) + 2, 320))
