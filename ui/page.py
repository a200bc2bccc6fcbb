"""Page furniture shared by every page: the title, the demo-data banner and the print stylesheet."""

from __future__ import annotations

import streamlit as st

from geo import settings
from ui import loaders, theme
from ui.i18n import fmt_date, t


def header(title_key: str, *, caption: str | None = None) -> None:
    """Draw the page title and, while demo data is loaded, the demo banner."""
    st.title(t(title_key))
    if caption:
        st.caption(caption)
    span = loaders.coverage()
    if span is not None:
        st.caption(t("page.coverage", start=fmt_date(span[0]), end=fmt_date(span[1])))
    if loaders.is_demo():
        st.warning(f"**{t('banner.demo')}**. {t('banner.demo_detail')}", icon="⚠️")


def assets_ready() -> bool:
    """Return True when the offline map assets are installed; otherwise show how to install them."""
    if (settings.STATIC_DIR / "vendor" / "leaflet" / "leaflet.js").exists():
        return True
    st.error(t("assets.missing"))
    return False


def print_style() -> None:
    """Add the print stylesheet (`ui.theme.PRINT_CSS`): the browser's print keeps maps and tables whole."""
    st.html(f"<style>{theme.PRINT_CSS}</style>")
