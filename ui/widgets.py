"""Reusable display pieces: the map component and the per-commune table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler
from streamlit_folium import st_folium

from geo.maps.district import MapBuild, MapTexts
from geo.plan import marked
from ui.i18n import number_format, t


def map_texts() -> MapTexts:
    """Return the map's words in the current language."""
    return MapTexts(
        boundaries=t("map.boundaries"),
        choropleth=t("map.choropleth"),
        points=t("map.points"),
        heat=t("map.heat"),
        target=t("map.target"),
        commune=t("map.commune"),
        incidents_unit=t("map.unit"),
        approximate=t("map.approximate"),
        aggregated=t("map.aggregated"),
    )


def swatch(colour: str, *, border: str = "1px solid #999") -> str:
    """Return the HTML of a small colour box for a legend drawn with ``st.markdown`` (colours are ours)."""
    return (
        f'<span style="display:inline-block;width:1.1em;height:0.9em;background:{colour};'
        f'border:{border};vertical-align:-1px"></span>'
    )


def show_map(build: MapBuild, *, key: str, height: int = 620) -> None:
    """Render a built map; it returns nothing to Python, so panning never reruns the page."""
    st_folium(build.map, key=key, height=height, use_container_width=True, returned_objects=[])


def localized(view: pd.DataFrame, formats: Mapping[str, Callable[[float], str]]) -> Styler:
    """Return ``view`` styled so its numbers read in the UI language (1.234,5 in Vietnamese).

    Only the displayed text changes: sorting and the values a test reads stay numeric.
    """
    present: dict[Any, Any] = {column: fmt for column, fmt in formats.items() if column in view.columns}
    return view.style.format(present, na_rep="")


def commune_table(table: pd.DataFrame, *, targets: tuple[str, ...], show_code: bool = True) -> None:
    """Show the per-commune counts (from `geo.aggregate.commune_counts`) with translated headers.

    Every commune is shown without an inner scroll bar; ``show_code=False`` hides the GSO code (meeting view).
    """
    view = pd.DataFrame(
        {
            t("col.commune"): [
                marked(n, target=c in targets) for c, n in zip(table["code"], table["name"], strict=True)
            ],
            t("col.code"): table["code"],
            t("col.count"): table["count"],
        }
    )
    formats = {t("col.count"): number_format()}
    if "previous" in table:
        view[t("col.previous")] = table["previous"]
        view[t("col.change")] = table["change"]
        view[t("col.change_pct")] = table["change_pct"]
        formats[t("col.previous")] = number_format()
        formats[t("col.change")] = number_format(signed=True)
        formats[t("col.change_pct")] = number_format(1, signed=True, suffix="%")
    view[t("col.rate")] = table["rate"]
    view[t("col.population")] = table["population"]
    formats[t("col.rate")] = number_format(1)
    formats[t("col.population")] = number_format()
    if not show_code:
        view = view.drop(columns=t("col.code"))
    st.dataframe(localized(view, formats), hide_index=True, width="stretch", height="content")
