"""Trình chiếu: the verdicts for a projector — large cards beside the map, one target per slide, keys to step."""

import streamlit as st

from ui import evaluation, page, present

present.style()
result = evaluation.checked()

if result is None:
    present.exit_button()
else:
    index = present.bar(result)
    cards, district = st.columns([5, 7], gap="medium")
    with cards:
        present.cards(result, index)
    with district:
        if page.assets_ready():
            present.show_map(result, index)
