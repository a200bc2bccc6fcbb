"""The boundary flow of the Dữ liệu page: upload official commune boundaries, check and preview them, replace on request.

The new units are compared with the current ones (matches by name, the district's outline, the
incidents that would change unit) before anything is written; the replacement is one batch
(`geo.store.boundaries.replace_communes`), undoable on the same page.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import streamlit as st

from geo import AppError
from geo.auth.roles import Permission
from geo.communes import district_outline
from geo.io.boundary_fields import BOUNDARY_FIELDS
from geo.io.boundary_import import import_boundaries
from geo.io.incident_import import CRS_CHOICES
from geo.io.layers import read_layer_file
from geo.maps.previews import preview_figure
from geo.store.boundaries import preview_communes
from ui import auth, loaders, widgets
from ui.i18n import fmt_int, lang, md, t
from ui.uploads import PREFIX, crs_name, file_upload, finish, issue_table, show_error


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
    upload = file_upload(t("data.bnd.upload"), ["geojson", "json", "zip", "gpkg"], f"{PREFIX}bnd.file")
    if upload is None:
        return
    data, name = upload
    left, middle, right = st.columns(3)
    crs_options = ["", *CRS_CHOICES]
    crs = left.selectbox(
        t("data.bnd.crs"),
        crs_options,
        format_func=lambda c: f"{c} — {crs_name(c)}" if c else t("data.bnd.crs_file"),
        key=f"{PREFIX}bnd.crs",
    )
    layer = middle.text_input(t("data.bnd.layer"), key=f"{PREFIX}bnd.layer").strip() or None
    known_year = int(communes["population_year"].max()) if len(communes) else 0
    year = right.number_input(
        t("data.bnd.year"),
        min_value=1990,
        max_value=2100,
        value=known_year if known_year >= 1990 else date.today().year,
        key=f"{PREFIX}bnd.year",
    )
    new_area = communes.empty or st.checkbox(t("data.bnd.new_area"), key=f"{PREFIX}bnd.new_area")
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
        show_error(error)
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
        issue_table(checked.report(lang=lang()))
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
    if st.button(t("data.bnd.commit", n=len(checked.communes)), type="primary", key=f"{PREFIX}bnd.commit"):
        try:
            outcome = loaders.store().replace_communes(checked, user=auth.user_name())
        except AppError as error:
            show_error(error)
            return
        message = t(
            "data.bnd.done",
            batch=outcome.batch_id,
            changed=fmt_int(outcome.changed),
            outside=fmt_int(outcome.outside),
        )
        if outcome.cleared_targets:
            message += " " + t("data.bnd.targets_cleared", codes=md(", ".join(outcome.cleared_targets)))
        finish(message)


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
                key=f"{PREFIX}bnd.field.{file_key}.{field}",
            )
            if value:
                chosen[field] = value
    return chosen
