"""The meeting brief's download buttons (Word and PDF) for every role, built on click and cached on the store's version.

The brief is made by `geo.brief` from the cached frames (with push-down, from counts asked of the database:
`geo.brief.source.StoreCounted`) and the cached evaluation (`ui.evaluation`), for
the period of the sidebar filter, in the page's language; each download is recorded in the audit trail
(``export``, what ``brief``).
"""

from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st

from geo import AppError
from geo.brief.compose import compose, file_stem
from geo.brief.content import Inputs, empty_incidents
from geo.brief.docx_file import render_docx
from geo.brief.pdf_file import render_pdf
from geo.brief.source import StoreCounted
from geo.evaluation.assess import Evaluation
from geo.filters import IncidentFilter
from geo.hotspots import series
from ui import auth, counts, evaluation, loaders, source
from ui.i18n import lang, t

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
RENDERERS = {"docx": render_docx, "pdf": render_pdf}


def _evaluation() -> Evaluation | None:
    if not loaders.plan().is_set:
        return None
    try:
        return evaluation.current()
    except AppError:
        return None  # the brief says why, in its own words (compose evaluates and reports the message)


@st.cache_data(show_spinner=False, max_entries=4)
def _brief(
    url: str,
    version: str,
    *,
    start: date,
    end: date,
    groups: tuple[str, ...],
    offences: tuple[str, ...],
    communes: tuple[str, ...],
    fmt: str,
    language: str,
) -> bytes:
    shapes = loaders.communes()
    pushed = source.pushdown()  # the counts asked of the database: no incident row is read
    inputs = Inputs(
        incidents=empty_incidents() if pushed else loaders.incidents(),
        communes=shapes,
        plan=loaders.plan(),
        area=loaders.area(),
        is_demo=loaders.is_demo(),
        batches=loaders.store().batches(),
        declared_end=loaders.declared_end(),
        stored=StoreCounted(loaders.store(), grid_crs=series.grid_frame(shapes).grid.crs) if pushed else None,
    )
    period = IncidentFilter(start=start, end=end, groups=groups, offences=offences, communes=communes)
    found = _evaluation()
    brief = compose(
        inputs,
        period=period,
        lang=language,
        evaluation=found,
        found_now=evaluation.now() if found is not None else None,
    )
    return RENDERERS[fmt](brief)


def build(flt: IncidentFilter, fmt: str) -> bytes:
    """Return the brief of the filter's period as ``fmt`` (``"docx"`` or ``"pdf"``), cached until the store changes."""
    url, version = loaders.key()
    return _brief(
        url,
        version,
        start=flt.start,
        end=flt.end,
        groups=flt.groups,
        offences=flt.offences,
        communes=flt.communes,
        fmt=fmt,
        language=lang(),
    )


def download_buttons(flt: IncidentFilter) -> None:
    """Draw "Tải báo cáo (Word)" and "(PDF)": the brief is made when clicked, and the download audited."""
    rows = counts.total(flt)  # counted on the prepared arrays or in the database: no copy of the rows
    stem = file_stem(flt)
    word_column, pdf_column, note = st.columns([2, 2, 5], vertical_alignment="center")
    for column, fmt in ((word_column, "docx"), (pdf_column, "pdf")):
        column.download_button(
            t(f"brief.download_{fmt}"),
            data=auth.audited(partial(build, flt, fmt), what="brief", fmt=fmt, flt=flt, rows=rows),
            file_name=f"{stem}.{fmt}",
            mime=MIME[fmt],
            key=f"brief.download.{fmt}",
            icon=":material/description:",
            width="stretch",
        )
    note.caption(t("brief.download_caption"))
