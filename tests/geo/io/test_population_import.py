"""Population tables: matched by code or by a name written any common way; every bad row reported."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo._errors import DataError
from geo.io.population_import import import_population


def _units() -> gpd.GeoDataFrame:
    """Four stored units, two whose names fold alike (Vĩnh Hùng / Vĩnh Hưng)."""
    return gpd.GeoDataFrame(
        {
            "code": ["15379", "15367", "15349", "35"],
            "name": ["Vĩnh Hùng", "Vĩnh Hưng", "Thị trấn Vĩnh Lộc", "Tây Đô"],
            "population": [0, 0, 0, 0],
            "population_year": [0, 0, 0, 0],
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)],
        crs=4326,
    )


def test_rows_match_by_code_or_by_any_spelling_of_the_name() -> None:
    csv = (
        "Mã xã,Tên xã,Dân số,Năm\n"
        "15379,,8.285,2022\n"
        ",TT Vĩnh Lộc,10235,2022\n"
        ',VĩnhHưng,"7,400",2021\n'
        "35,Tây Đô,5000,\n"
    ).encode()
    result = import_population(csv, _units(), name="dan_so.csv", year=2023)
    assert result.ok, result.issues
    got = result.table.set_index("code")
    assert got.loc["15379", "population"] == 8285
    assert got.loc["15349", "population"] == 10235
    assert got.loc["15367", "population"] == 7400
    assert got.loc["15367", "population_year"] == 2021
    assert got.loc["35", "population_year"] == 2023  # the default year where the table has none
    assert result.missing == ()


def test_ambiguous_unknown_and_bad_rows_are_reported_not_guessed() -> None:
    csv = (
        "ten,dan so\n"
        "Vinh Hung,100\n"  # Vĩnh Hùng or Vĩnh Hưng: both named
        "Xã Không Có,200\n"
        "Tây Đô,nhiều\n"
        "Tây Đô,300\n"
        "Tay Do,400\n"
    ).encode()
    result = import_population(csv, _units(), name="x.csv")
    errors = {i.row: i.message for i in result.errors}
    assert "Vĩnh Hùng (15379) hoặc Vĩnh Hưng (15367)" in errors[2]
    assert "Không có đơn vị này" in errors[3]
    assert "số" in errors[4].lower()
    assert "đã có ở dòng 5" in errors[6]
    assert result.table["code"].tolist() == ["35"]
    assert set(result.missing) == {"15379", "15367", "15349"}


def test_a_table_without_the_needed_columns_names_them() -> None:
    with pytest.raises(DataError, match="Dân số"):
        import_population(b"ma xa,ghi chu\n15379,x\n", _units(), name="x.csv")
    with pytest.raises(DataError, match="Mã đơn vị hoặc Tên đơn vị"):
        import_population(b"dan so\n100\n", _units(), name="x.csv")
    mapped = import_population(
        b"A,B\n15379,9\n", _units(), name="x.csv", mapping={"code": "A", "population": "B"}
    )
    assert mapped.table["population"].tolist() == [9]
