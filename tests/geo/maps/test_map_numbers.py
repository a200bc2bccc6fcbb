"""Map tooltips write counts and rates with the language's marks: 1.234 and 3,0 in Vietnamese."""

from __future__ import annotations

import folium

from geo.maps.district import build_map
from tests.geo.maps.test_district import _incidents, _properties, _units


def test_commune_tooltips_group_thousands_and_use_the_decimal_mark_of_the_language() -> None:
    incidents = _incidents(["L"] * 1234 + ["S"] * 3)
    vi = build_map(_units(), incidents, layers=("choropleth",), lang="vi")
    counts = {p["code"]: p["count_text"] for p in _properties(vi)}
    assert (counts["L"], counts["S"]) == ("1.234", "3")
    layer = next(c for c in vi.map._children.values() if isinstance(c, folium.GeoJson))
    tooltip = next(c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip))
    assert tooltip.fields[1] == "count_text"
    en = build_map(_units(), incidents, layers=("choropleth",), lang="en")
    assert {p["code"]: p["count_text"] for p in _properties(en)}["L"] == "1,234"
