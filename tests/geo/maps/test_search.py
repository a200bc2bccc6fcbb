"""The map's place search: coordinates in decimal degrees or DMS, communes in any spelling, address parts."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.maps.search import address_index, find_places, parse_coordinate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19.98, 105.63", (19.98, 105.63)),
        ("19.98 105.63", (19.98, 105.63)),
        ("19,98; 105,63", (19.98, 105.63)),
        ("19,98 105,63", (19.98, 105.63)),
        ("105.63, 19.98", (19.98, 105.63)),  # longitude first
        ("-33.5, 151.2", (-33.5, 151.2)),
        ("19°58'48\"N 105°37'48\"E", (19.98, 105.63)),
        ("19°58′48″B, 105°37′48″Đ", (19.98, 105.63)),  # Bắc, Đông
        ("105°37'48\"E 19°58'48\"N", (19.98, 105.63)),
        ("19° 58.8' N 105° 37.8' E", (19.98, 105.63)),
        ("33°30'S 151°12'E", (-33.5, 151.2)),
    ],
)
def test_a_coordinate_is_read_in_every_usual_form(text: str, expected: tuple[float, float]) -> None:
    found = parse_coordinate(text)
    assert found == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("text", ["Vĩnh Hùng", "thôn 3", "", "19.98", "200, 300", "1, 2, 3", "19°N"])
def test_text_that_is_no_coordinate_gives_none(text: str) -> None:
    assert parse_coordinate(text) is None


def _communes() -> gpd.GeoDataFrame:
    """Two communes side by side."""
    return gpd.GeoDataFrame(
        {"code": ["15388", "15391"], "name": ["Xã Vĩnh Hùng", "Thị trấn Vĩnh Lộc"]},
        geometry=[box(105.60, 20.00, 105.65, 20.05), box(105.65, 20.00, 105.70, 20.05)],
        crs="EPSG:4326",
    )


def _incidents() -> pd.DataFrame:
    """Three incidents with addresses in two hamlets, one without coordinates."""
    return pd.DataFrame(
        {
            "address": ["Thôn Đông, xã Vĩnh Hùng", "thôn Đông, Vĩnh Hùng", "Thôn Tây, Vĩnh Lộc", "Thôn Bắc"],
            "lat": [20.01, 20.03, 20.04, None],
            "lon": [105.61, 105.63, 105.68, None],
        }
    )


@pytest.mark.parametrize("text", ["Vĩnh Hùng", "vinh hung", "xã Vĩnh Hùng", "VĩnhHùng", "VINH HUNG"])
def test_a_commune_is_found_in_any_spelling(text: str) -> None:
    places = find_places(text, _communes())
    assert places[0].kind == "commune"
    assert places[0].label == "Xã Vĩnh Hùng"
    assert places[0].bounds == pytest.approx((105.60, 20.00, 105.65, 20.05))


def test_a_hamlet_is_found_at_the_middle_of_its_incidents() -> None:
    index = address_index(_incidents())
    assert "thon bac" not in set(index["key"])  # no coordinates: nowhere to centre on
    places = find_places("thon dong", _communes(), index)
    assert places[0].kind == "address"
    assert places[0].count == 2
    assert (places[0].lat, places[0].lon) == pytest.approx((20.02, 105.62))


def test_a_coordinate_comes_before_any_name_and_nothing_found_is_empty() -> None:
    places = find_places("20.02, 105.62", _communes(), address_index(_incidents()))
    assert [p.kind for p in places] == ["coordinate"]
    assert find_places("Hà Nội", _communes(), address_index(_incidents())) == []
    assert find_places("   ", _communes()) == []


def test_a_partial_name_finds_every_commune_it_starts() -> None:
    places = find_places("Vĩnh", _communes(), address_index(_incidents()))
    assert {p.label for p in places if p.kind == "commune"} == {"Xã Vĩnh Hùng", "Thị trấn Vĩnh Lộc"}
