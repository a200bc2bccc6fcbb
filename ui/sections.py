"""Secondary sections built only while open: an expander that reruns its fragment when opened or closed.

A closed section costs nothing on a rerun (issue 14): the page draws only its label. Its state is the
expander's own (``st.session_state[key]``, True while open), so it stays open across reruns and pages.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import get_script_run_ctx


def lazy(label: str, key: str) -> DeltaGenerator | None:
    """Draw an expander that reruns when opened or closed; return it while open, else None.

    Call it inside an ``st.fragment``: opening, closing and the widgets inside rerun only that fragment.
    """
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


def fragment_rerun() -> bool:
    """True while only a fragment reruns (not the whole page): a section that opened a list reruns the page."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)
