"""Tests of geo.history: codes and names read with the record's date, carried to the stored units."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo._errors import DataError
from geo.history import UnitHistory

DISTRICT = Path(__file__).resolve().parents[2] / "data" / "reference" / "unit_history.csv"

# A tiny area: A and B merge into AB in 2019 (AB keeps B's code 2); AB, C and D merge into
# "Xã Lớn" on 01/07/2025, which reuses C's code 3. Two units fold alike: Hùng and Hưng.
TINY = """old_code,old_name,new_code,new_name,date,act,note
1,Xã An,2,Xã An Bình,2019-12-01,NQ 1,
2,Xã Bình,2,Xã An Bình,2019-12-01,NQ 1,AB keeps B's code
2,Xã An Bình,3,Xã Lớn,01/07/2025,NQ 2,
3,Xã Vĩnh Hùng,3,Xã Lớn,01/07/2025,NQ 2,reuses Hùng's code
4,Xã Vĩnh Hưng,3,Xã Lớn,01/07/2025,NQ 2,
"""
LAYER_2020 = [("2", "An Bình"), ("3", "Vĩnh Hùng"), ("4", "Vĩnh Hưng")]
LAYER_2025 = [("3", "Xã Lớn")]


@pytest.fixture
def tiny() -> UnitHistory:
    return UnitHistory.from_csv(TINY.encode())


@pytest.mark.parametrize(
    ("value", "by", "day", "codes"),
    [
        ("Xã An", "name", date(2018, 5, 1), ("2",)),  # an older unit maps to its successor
        ("an", "name", date(2022, 5, 1), ("2",)),  # an older name used after the merger, too
        ("1", "code", date(2018, 5, 1), ("2",)),
        ("2", "code", date(2018, 5, 1), ("2",)),  # Bình's code, carried on by An Bình
        ("3", "code", date(2024, 5, 1), ("3",)),  # Vĩnh Hùng until 30/06/2025 …
        ("Vĩnh Hưng", "name", date(2024, 5, 1), ("4",)),
        ("TT. An Bình", "name", date(2024, 5, 1), ("2",)),
    ],
)
def test_a_place_is_read_with_its_date_and_carried_to_a_stored_unit(tiny, value, by, day, codes):
    place = tiny.resolve(value, day, LAYER_2020, by=by)
    assert (place.kind, place.codes) == ("unit", codes)


def test_a_reused_code_read_after_the_merger_is_the_new_unit_kept_at_its_level(tiny):
    place = tiny.resolve("3", date(2025, 9, 1), LAYER_2020, by="code")  # … and Xã Lớn from 01/07/2025
    assert (place.kind, place.codes, place.name) == ("group", ("2", "3", "4"), "Xã Lớn")
    assert place.key == "3@2025-07-01"  # not "3": that is Vĩnh Hùng's code in the stored layer
    assert tiny.resolve("Xa Lon", date(2025, 9, 1), LAYER_2020).codes == ("2", "3", "4")


def test_over_the_2025_layer_every_older_unit_is_its_new_commune(tiny):
    for value, by in (("Xã An", "name"), ("Vinh Hung", "name"), ("4", "code"), ("3", "code")):
        place = tiny.resolve(value, date(2021, 1, 1), LAYER_2025, by=by)
        assert (place.kind, place.codes) == ("unit", ("3",)), value


def test_an_ambiguous_spelling_names_both_candidates(tiny):
    with pytest.raises(DataError) as error:
        tiny.resolve("Vinh Hung", date(2024, 5, 1), LAYER_2020)
    assert "Xã Vĩnh Hùng (3)" in error.value.message
    assert "Xã Vĩnh Hưng (4)" in error.value.message
    # With its diacritics the name is not ambiguous.
    assert tiny.resolve("vĩnh hùng", date(2024, 5, 1), LAYER_2020).codes == ("3",)


def test_a_place_in_no_unit_is_refused_naming_it(tiny):
    with pytest.raises(DataError, match="«Xã Đông Sơn» không thuộc đơn vị nào"):
        tiny.resolve("Xã Đông Sơn", date(2024, 5, 1), LAYER_2020)


def test_units_missing_from_the_history_are_still_found_by_name():
    place = UnitHistory().resolve("quartier 7", date(2024, 1, 1), [("7", "Quartier 7"), ("8", "Quartier 8")])
    assert place.codes == ("7",)


def test_the_district_history_reads_its_reused_codes_by_date():
    history = UnitHistory.from_csv(DISTRICT)
    layer = [
        ("15349", "Thị trấn Vĩnh Lộc"), ("15352", "Vĩnh Quang"), ("15355", "Vĩnh Yên"), ("15358", "Vĩnh Tiến"),
        ("15361", "Vĩnh Long"), ("15364", "Vĩnh Phúc"), ("15367", "Vĩnh Hưng"), ("15376", "Vĩnh Hòa"),
        ("15379", "Vĩnh Hùng"), ("15382", "Minh Tân"), ("15385", "Ninh Khang"), ("15388", "Vĩnh Thịnh"),
        ("15391", "Vĩnh An"),
    ]  # fmt: skip
    assert history.resolve("15361", date(2024, 3, 1), layer, by="code").codes == ("15361",)
    tay_do = history.resolve("15361", date(2025, 8, 1), layer, by="code")
    assert (tay_do.kind, tay_do.codes) == ("group", ("15352", "15355", "15358", "15361"))
    assert history.resolve("Vĩnh Minh", date(2018, 6, 1), layer).codes == ("15382",)
    assert history.resolve("Xã Vĩnh Thành", date(2019, 1, 1), layer).codes == ("15349",)
    assert history.resolve("15346", date(2019, 1, 1), layer, by="code").codes == ("15349",)
    # "Vĩnh Lộc": the town until 30/06/2025, the new commune of five units after.
    assert history.resolve("TT Vĩnh Lộc", date(2024, 1, 1), layer).codes == ("15349",)
    commune = history.resolve("xã Vĩnh Lộc", date(2025, 7, 2), layer)
    assert commune.codes == ("15349", "15364", "15367", "15376", "15385")
    assert history.resolve("Biện Thượng", date(2026, 1, 1), layer).codes == (
        "15379",
        "15382",
        "15388",
        "15391",
    )
    three = [("15349", "Xã Vĩnh Lộc"), ("15361", "Xã Tây Đô"), ("15382", "Xã Biện Thượng")]
    assert history.resolve("Vĩnh Hùng", date(2023, 1, 1), three).codes == ("15382",)
    assert history.resolve("15361", date(2023, 1, 1), three, by="code").codes == ("15361",)
    assert history.resolve("15382", date(2018, 1, 1), three, by="code").codes == ("15382",)
    assert history.resolve("Thị trấn Vĩnh Lộc", date(2023, 1, 1), three).codes == ("15349",)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("old_code,old_name\n1,A\n", "thiếu cột"),
        ("old_code,old_name,new_code,new_name,date\n1,A,2,B,31/13/2019\n", "dòng 2"),
        ("old_code,old_name,new_code,new_name,date\n1,,2,B,2019-01-01\n", "old_name"),
    ],
)
def test_a_bad_history_table_is_refused_naming_row_and_column(text, words):
    with pytest.raises(DataError, match=words):
        UnitHistory.from_csv(text.encode(), name="h.csv")


def test_the_table_round_trips():
    history = UnitHistory.from_csv(TINY.encode())
    again = UnitHistory.from_csv(history.to_frame().to_csv(index=False).encode())
    assert again.changes == history.changes


def test_the_stored_units_group_into_the_communes_of_a_later_day():
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geo.history import grouping, regroup

    history = UnitHistory.from_csv(TINY.encode())
    assert grouping(history, LAYER_2020, date(2024, 1, 1)) == {
        "2": ("2", "An Bình"),
        "3": ("3", "Vĩnh Hùng"),
        "4": ("4", "Vĩnh Hưng"),
    }
    groups = grouping(history, LAYER_2020, date(2025, 7, 1))
    assert set(groups.values()) == {("3", "Xã Lớn")}
    communes = gpd.GeoDataFrame(
        {"code": ["2", "3", "4"], "name": ["An Bình", "Vĩnh Hùng", "Vĩnh Hưng"], "kind": "xa",
         "population": [100, 200, 300], "population_year": 2024, "approximate": False, "note": ""},
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)], crs=4326,
    )  # fmt: skip
    incidents = pd.DataFrame({"commune_code": ["2", "4", "", "3"]})
    merged, recoded = regroup(communes, incidents, groups)
    assert merged[["code", "name", "population"]].values.tolist() == [["3", "Xã Lớn", 600]]
    assert merged.geometry.iloc[0].area == pytest.approx(3)
    assert recoded["commune_code"].tolist() == ["3", "3", "", "3"]
