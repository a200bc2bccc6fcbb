"""Plan settings form: start date, target communes and window lengths, saved in the store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from geo import AppError
from geo.auth.roles import Permission
from geo.dates import shift_months
from ui import auth, loaders
from ui.i18n import fmt_date, md, t

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
        incidents = loaders.incidents()
        last = incidents["occurred_at"].max().date() if len(incidents) else date.today()
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
