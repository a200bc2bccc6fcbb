"""Page furniture shared by every page: the title, the demo-data banner and the print stylesheet."""

from __future__ import annotations

import json

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


TOOLBAR_LABELS = (
    "Download as CSV",
    "Search",
    "Fullscreen",
    "Close fullscreen",
    "Show/hide columns",
    "Clear selection",
    "Show data",
    "Show chart",
)
"""The English words of Streamlit's table and chart toolbars (it has no locale), translated in the page."""

_TOOLBAR_JS = """<script>(function () {
  var words = WORDS;
  var done = window.__anttToolbarWords;
  window.__anttToolbarWords = words;
  if (done) { return; }
  function swap(root) {
    var table = window.__anttToolbarWords;
    root.querySelectorAll('[data-testid="stElementToolbar"] button[aria-label]').forEach(function (button) {
      var label = button.getAttribute("aria-label");
      Object.keys(table).forEach(function (english) {
        if (label === english || label.indexOf(english + " ") === 0) {
          button.setAttribute("aria-label", table[english] + label.slice(english.length));
        }
      });
    });
    root.querySelectorAll('[data-baseweb="tooltip"], [role="tooltip"]').forEach(function (tip) {
      var walker = document.createTreeWalker(tip, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var text = node.nodeValue.trim();
        if (Object.prototype.hasOwnProperty.call(table, text)) { node.nodeValue = table[text]; }
      }
    });
  }
  new MutationObserver(function () { swap(document); }).observe(document.body, { childList: true, subtree: true });
  swap(document);
})();</script>"""


def toolbar_words() -> None:
    """Put Streamlit's table and chart toolbars (tooltips, button labels) in the UI's language.

    Only Streamlit's own fixed words are replaced, inside its toolbars and tooltips; data shown in
    tables is never touched (a table draws its cells on a canvas, and tooltips hold no data).
    """
    table = {english: t(f"toolbar.{index}") for index, english in enumerate(TOOLBAR_LABELS)}
    st.html(_TOOLBAR_JS.replace("WORDS", json.dumps(table, ensure_ascii=False)), unsafe_allow_javascript=True)
