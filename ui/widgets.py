"""Reusable display pieces: the map component and the per-commune table."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.maps import MapBuild, MapTexts
from ui.i18n import t


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


def commune_table(table: pd.DataFrame, *, targets: tuple[str, ...]) -> None:
    """Show the per-commune counts (from `geo.aggregate.commune_counts`) with translated headers."""
    view = pd.DataFrame(
        {
            t("col.commune"): [
                ("★ " if c in targets else "") + n for c, n in zip(table["code"], table["name"], strict=True)
            ],
            t("col.code"): table["code"],
            t("col.count"): table["count"],
        }
    )
    config: dict[str, object] = {}
    if "previous" in table:
        view[t("col.previous")] = table["previous"]
        view[t("col.change")] = table["change"]
        view[t("col.change_pct")] = table["change_pct"].round(1)
        config[t("col.change_pct")] = st.column_config.NumberColumn(format="%+.1f%%")
        config[t("col.change")] = st.column_config.NumberColumn(format="%+d")
    view[t("col.rate")] = table["rate"].round(1)
    view[t("col.population")] = table["population"]
    st.dataframe(view, hide_index=True, width="stretch", column_config=config)
