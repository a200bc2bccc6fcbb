"""The glossary of the statistics as an expander (the /targets page; the brief prints the same words)."""

from __future__ import annotations

import streamlit as st

from geo.glossary import glossary
from ui.i18n import lang, md, t


def expander(*, expanded: bool = False) -> None:
    """Draw the glossary: each term in bold with its plain explanation."""
    with st.expander(t("glossary.title"), expanded=expanded):
        st.caption(t("glossary.intro"))
        st.markdown("\n".join(f"- **{md(term)}**: {md(text)}" for term, text in glossary(lang())))
