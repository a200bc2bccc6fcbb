"""Counting without copying: the incidents as prepared arrays, once per process and store version (issue 14).

The pages other than /map count the filter's incidents per unit, month, offence, weekday and hour.
`geo.prepared.prepare` turns the shared incidents frame into small integer arrays once per store
version (``st.cache_resource``: one read-only object per process, shared by every session), so a
rerun selects positions (`positions`) and counts them with ``bincount`` instead of copying the
matched rows (`geo.filters.apply_filter`) and scanning their texts. The numbers are the same as
counting the frame (``tests/geo/test_aggregate.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geo.filters import IncidentFilter
from geo.prepared import Prepared, prepare, select, unit_codes
from ui import loaders


@st.cache_resource(show_spinner=False, max_entries=loaders.VERSIONS)
def _prepared(url: str, version: str, frame: int, _incidents: pd.DataFrame) -> Prepared:
    return prepare(_incidents)


def prepared() -> Prepared:
    """Return the incidents as prepared arrays (one read-only object per process and store version).

    Keyed on the shared frame itself as well (its ``id``: `ui.loaders` keeps one per store version),
    so the arrays are always those of the frame the loaders hand out.
    """
    incidents = loaders.incidents()
    return _prepared(*loaders.key(), id(incidents), incidents)


def positions(flt: IncidentFilter) -> np.ndarray:
    """Return the positions of the incidents ``flt`` matches (`geo.prepared.select`)."""
    return select_in(prepared(), flt)


def select_in(found: Prepared, flt: IncidentFilter) -> np.ndarray:
    """Return the positions in ``found`` of the incidents ``flt`` matches."""
    return select(
        found, start=flt.start, end=flt.end, groups=flt.groups, offences=flt.offences, communes=flt.communes
    )


def codes_frame(found: Prepared, at: np.ndarray) -> pd.DataFrame:
    """One row per unit code the incidents at ``at`` carry (what `ui.units.choose` needs)."""
    return pd.DataFrame({"commune_code": unit_codes(found, at)}, dtype=object)
