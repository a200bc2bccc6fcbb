"""The uploads of the Dữ liệu page, shared by its import flows: the uploader, an error in the UI's language, the outcome after the rerun.

Every uploader says our words and our real limit (`localize_uploaders`); a file over the limit is
refused before it is read (`file_upload`). A write ends with `finish`: its message is kept across
the rerun (`flash`) and every uploader starts empty again.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import AppError, settings
from geo.formatting import format_megabytes
from geo.io.incident_import import CRS_CHOICES
from geo.messages import english
from geo.words import keys as word_keys
from ui import widgets
from ui.i18n import lang, md, t

PREFIX = "data."
"""The session-state keys of the page's import flows start with this."""
FLASH = f"{PREFIX}flash"
NONCE = f"{PREFIX}nonce"
CACHE = f"{PREFIX}cache"
"""The checked incident file of this session (`ui.importer`), forgotten after a write."""
_FULL_TABLE_ROWS = 50


def flash() -> None:
    """Show the outcome of the last write (kept across the rerun that follows it)."""
    message = st.session_state.pop(FLASH, None)
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


def show_error(error: Exception) -> None:
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


def crs_name(code: str) -> str:
    """Return the name of a CRS choice (``"EPSG:32648"``) in the UI's language."""
    key = f"import.choice.crs.{code.partition(':')[2]}"
    return t(key) if key in word_keys() else CRS_CHOICES[code]


def finish(message: str) -> None:
    """Remember ``message``, reset the uploaders and rerun."""
    st.session_state[FLASH] = message
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
    st.session_state.pop(CACHE, None)
    st.rerun()


def file_upload(
    label: str, types: list[str], key: str, help_text: str | None = None
) -> tuple[bytes, str] | None:
    """Draw an uploader; return the file's bytes and name once one is chosen and small enough."""
    nonce = st.session_state.get(NONCE, 0)
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


def issue_table(report: pd.DataFrame) -> None:
    """Show a report: a plain table with whole messages while short, a scrolling grid when long."""
    if len(report) <= _FULL_TABLE_ROWS:
        widgets.text_table(report)
        return
    config = {
        t("report.problem"): st.column_config.TextColumn(width="large"),
        t("report.row"): st.column_config.TextColumn(width="small"),
    }
    st.dataframe(report, hide_index=True, width="stretch", column_config=config)
