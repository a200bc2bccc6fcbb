"""The plan's settings: the form (start date, targets, windows), how the targets were chosen, their history.

The settings form and the evaluation settings (how the targets were chosen, the primary outcome) are
saved in the store; `baseline_note` and `registration_notes` say in words how the baseline was chosen
and when the settings were registered and changed (the verdicts' captions, `ui.evaluation`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from geo import AppError, settings
from geo.auth.roles import Permission
from geo.dates import shift_months
from geo.evaluation.registration import registration
from geo.evaluation.results import Evaluation
from geo.plan import SELECTIONS
from geo.store import audit
from geo.store.counts import Window
from geo.taxonomy import group_name, group_of
from ui import auth, loaders, source
from ui.i18n import fmt_date, lang, md, t

_PREFIX = "plan."


def plan_form() -> None:
    """Draw the current plan and a form that validates and saves a new one (pages and CLI use it)."""
    plan = loaders.plan()
    communes = loaders.communes()
    names = dict(zip(communes["code"], communes["name"], strict=True))
    if plan.is_set:
        st.markdown(
            t(
                "plan.current",
                name=md(plan.name),
                start=fmt_date(plan.start),
                targets=md(", ".join(names.get(code, code) for code in plan.targets)),
            )
        )
        default_start = plan.start
    else:
        st.info(t("plan.none"))
        newest = loaders.span().last  # the latest incident, read without the rows
        last = newest.date() if newest is not None else date.today()
        default_start = shift_months(last, -12)
    if not auth.can(Permission.PLAN):  # viewers read the plan, analysts change it
        return
    st.caption(t("plan.help"))
    with st.form(f"{_PREFIX}form"):
        name = st.text_input(t("plan.name"), value=plan.name or t("plan.default_name"), key=f"{_PREFIX}name")
        start = st.date_input(
            t("plan.start"), value=default_start, format="DD/MM/YYYY", key=f"{_PREFIX}start"
        )
        targets = st.multiselect(
            t("plan.targets"),
            sorted(names, key=lambda code: names[code]),
            default=[code for code in plan.targets if code in names],
            format_func=lambda code: f"{names[code]} ({code})",
            key=f"{_PREFIX}targets",
        )
        left, right = st.columns(2)
        before = left.number_input(
            t("plan.before"), min_value=1, max_value=60, value=plan.before_months, key=f"{_PREFIX}before"
        )
        after = right.number_input(
            t("plan.after"), min_value=1, max_value=60, value=plan.after_months, key=f"{_PREFIX}after"
        )
        note = st.text_area(t("plan.note"), value=plan.note, key=f"{_PREFIX}note")
        submitted = st.form_submit_button(t("plan.save"), type="primary")
    if not submitted:
        return
    # replace(): what this form does not show (how the targets were chosen, the primary outcome) is kept.
    new = replace(
        plan,
        name=name.strip() or plan.name or t("plan.default_name"),
        start=start,
        targets=tuple(targets),
        before_months=int(before),
        after_months=int(after),
        note=note,
    )
    try:
        loaders.store().save_plan(new, user=auth.user_name())
    except AppError as exc:
        st.error(md(exc))
        return
    st.success(t("plan.saved"))
    st.rerun()


def baseline_note(evaluation: Evaluation) -> str:
    """Return how the baseline was chosen and, unless the plan says otherwise, the regression-to-the-mean caveat."""
    plan, w = evaluation.plan, evaluation.windows
    if plan.selection == "counts":
        return t(
            "calib.rtm_counts",
            months=w.before_months,
            start=fmt_date(w.before_start),
            end=fmt_date(w.start - pd.Timedelta(days=1)),
        )
    if plan.selection == "other":
        return t("calib.rtm_other", months=w.before_months)
    return t("calib.rtm_unknown", months=settings.SELECTED_BASELINE_MONTHS)


def _setting_value(field: str, value: object, names: dict[str, str]) -> str:
    if field == "start":
        return fmt_date(date.fromisoformat(str(value)))
    if field == "targets":
        return (
            ", ".join(names.get(str(code), str(code)) for code in value)
            if isinstance(value, tuple)
            else str(value)
        )
    if field == "selection":
        return t(f"calib.selection.{value or 'unknown'}")
    if field == "primary":
        return t("calib.primary_all") if value == "all" else group_name(str(value), lang=lang())
    return str(value)


def registration_notes(evaluation: Evaluation) -> list[str]:
    """Return when the evaluation settings were first saved and every later change, in words."""
    saves = [
        (entry.local_time().replace(tzinfo=None), entry.user, entry.detail)
        for entry in reversed(audit.entries(loaders.store(), action="plan"))
    ]
    found = registration(saves)
    if found is None:
        return []
    notes = [t("calib.registered", date=fmt_date(found.time), user=md(found.user))]
    for revision in found.revisions:
        changes = "; ".join(
            t(
                "calib.change",
                field=t(f"calib.field.{field}"),
                old=md(_setting_value(field, old, evaluation.names)),
                new=md(_setting_value(field, new, evaluation.names)),
            )
            for field, (old, new) in revision.changes.items()
        )
        key = "calib.revised_after" if revision.after_start else "calib.revised"
        notes.append(t(key, date=fmt_date(revision.time), user=md(revision.user), changes=changes))
    return notes


@st.cache_data(show_spinner=False, max_entries=4)
def _offence_groups(url: str, version: str, pushdown: bool = False) -> list[str]:
    """The offence groups the incidents carry, sorted (read once per store version, not on every rerun).

    With push-down, from the offence codes the store's per-unit counts hold (no incident row read).
    """
    if not pushdown:
        return sorted(loaders.incidents()["offence_group"].dropna().astype(str).unique().tolist())
    found = loaders.span()
    if found.first is None or found.last is None:
        return []
    codes = loaders.store().unit_counts(Window(found.first.date(), found.last.date()), by=("offence_code",))
    names = group_of()
    return sorted({names.get(str(code), "") for code in codes["offence_code"]})


def selection_form() -> None:
    """Draw how the targets were chosen and the primary outcome, saved into the plan (analysts only)."""
    plan = loaders.plan()
    if not plan.is_set or not auth.can(Permission.PLAN):
        return
    st.markdown(f"**{t('calib.settings')}**")
    outcomes = ["all", *_offence_groups(*loaders.key(), source.pushdown())]
    with st.form("eval.settings"):
        selection = st.radio(
            t("calib.selection_label"),
            list(SELECTIONS),
            index=list(SELECTIONS).index(plan.selection),
            format_func=lambda key: t(f"calib.selection.{key or 'unknown'}"),
            help=t(
                "calib.selection_help", months=settings.SELECTED_BASELINE_MONTHS, before=plan.before_months
            ),
            key="eval.selection",
        )
        primary = st.selectbox(
            t("calib.primary_label"),
            outcomes,
            index=outcomes.index(plan.primary) if plan.primary in outcomes else 0,
            format_func=lambda key: t("calib.primary_all") if key == "all" else group_name(key, lang=lang()),
            key="eval.primary",
        )
        submitted = st.form_submit_button(t("calib.save"))
    if not submitted:
        return
    try:
        loaders.store().save_plan(replace(plan, selection=selection, primary=primary), user=auth.user_name())
    except AppError as exc:
        st.error(md(exc))
        return
    st.success(t("calib.saved"))
    st.rerun()
