"""Setting up another area from the command line: boundaries → population → plan → incidents → evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.cli.main import main
from geo.store.store import Store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _wards(folder: Path) -> Path:
    """Nine square wards near Lyon (UTM 31N), numeric codes written 1..9, no population."""
    boxes = [shapely.box(4.80 + 0.02 * (i % 3), 45.74 + 0.02 * (i // 3), 4.82 + 0.02 * (i % 3), 45.76 + 0.02 * (i // 3))
             for i in range(9)]  # fmt: skip
    layer = gpd.GeoDataFrame({"ward_code": list(range(1, 10)), "ward": [f"Quartier {i}" for i in range(1, 10)]},
                             geometry=boxes, crs=4326)  # fmt: skip
    path = folder / "wards.geojson"
    path.write_text(layer.to_json(), encoding="utf-8")
    return path


def _incidents(folder: Path) -> Path:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(1500):
        ward = int(rng.integers(0, 9))
        day = pd.Timestamp("2022-01-01") + pd.Timedelta(days=int(rng.integers(0, 3 * 365)))
        if ward == 0 and day >= pd.Timestamp("2023-06-01") and rng.random() < 0.6:
            continue  # the target ward falls after the start
        lon = 4.80 + 0.02 * (ward % 3) + 0.02 * rng.random()
        lat = 45.74 + 0.02 * (ward // 3) + 0.02 * rng.random()
        rows.append(
            {"ID": f"L{i}", "Date": day.strftime("%d/%m/%Y"), "Crime type": "Theft", "X": lon, "Y": lat}
        )
    path = folder / "crimes.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_an_area_on_another_continent_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'lyon.sqlite'}"
    code, _, err = run(capsys, "area", "show", "--db", url)
    assert code == 2  # a mistyped --db never becomes a new store silently
    assert "init" in err
    code, _, _ = run(capsys, "init", "--db", url)
    assert code == 0
    code, out, _ = run(capsys, "area", "show", "--db", url, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["units"] == 0
    assert [s["done"] for s in shown["steps"]] == [False, False, False, False]

    code, _, err = run(capsys, "import", "incidents", str(_incidents(tmp_path)), "--db", url)
    assert code == 2
    assert "chưa có ranh giới" in err

    code, out, _ = run(capsys, "import", "boundaries", str(_wards(tmp_path)), "--db", url, "--json")
    data = json.loads(out)  # valid JSON: no NaN even without an outline to compare with
    assert code == 0, data
    assert data["accepted"] == 9
    assert data["offset_m"] is None
    assert sorted(Store.open(url).communes()["code"], key=int) == [str(i) for i in range(1, 10)]

    code, out, _ = run(capsys, "area", "set", "--db", url, "--name", "Lyon 7e", "--unit-word", "quartier")
    assert code == 0
    code, out, _ = run(capsys, "area", "show", "--db", url, "--json")
    shown = json.loads(out)
    assert shown["metric_crs_used"] == "EPSG:32631"  # UTM 31N, chosen from the area, not Vietnam's 48N
    assert shown["unit_word"] == "quartier"

    table = tmp_path / "pop.csv"
    table.write_text(
        "ward,population\n" + "".join(f"QUARTIER {i},{1000 * i}\n" for i in range(1, 10)), encoding="utf-8"
    )
    code, out, _ = run(capsys, "import", "population", str(table), "--db", url, "--year", "2021", "--json")
    assert code == 0, out
    assert json.loads(out)["updated"] == 9
    assert Store.open(url).communes()["population"].sum() == 45_000

    code, out, _ = run(capsys, "import", "incidents", str(_incidents(tmp_path)), "--db", url, "--json",
                       "--offence-map", "Theft=trom_cap_tai_san")  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["rejected"] == 0

    code, out, _ = run(capsys, "plan", "show", "--db", url, "--json")
    assert json.loads(out)["is_set"] is False
    code, out, err = run(capsys, "plan", "set", "--db", url, "--targets", "1", "--start", "2023-06-01",
                         "--name", "Plan Lyon", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["target_names"] == ["Quartier 1"]
    code, _, err = run(capsys, "plan", "set", "--db", url, "--targets", "99")
    assert code == 2
    assert "99" in err
    # How the targets were chosen and the primary outcome are set here too, and kept by later changes.
    code, out, err = run(
        capsys, "plan", "set", "--db", url, "--selection", "counts", "--primary", "ttxh", "--json"
    )
    assert code == 0, err
    assert (json.loads(out)["selection"], json.loads(out)["primary"]) == ("counts", "ttxh")
    code, out, err = run(capsys, "plan", "set", "--db", url, "--name", "Plan Lyon 2", "--json")
    assert (json.loads(out)["selection"], json.loads(out)["primary"]) == ("counts", "ttxh")
    code, _, err = run(capsys, "plan", "set", "--db", url, "--primary", "vol")
    assert code == 2
    assert "vol" in err
    code, out, err = run(
        capsys, "plan", "set", "--db", url, "--selection", "unknown", "--primary", "all", "--json"
    )
    assert (json.loads(out)["selection"], json.loads(out)["primary"]) == ("", "all")

    code, out, err = run(capsys, "evaluate", "--db", url, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert [t["code"] for t in result["targets"]] == ["1"]
    assert result["targets"][0]["after"] < result["targets"][0]["before"]
    assert "NaN" not in out


def test_vietnamese_units_without_codes_and_names_without_spaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Real commune layers may carry only names such as "XãVĩnhLộc": codes come from the names."""
    demo = gpd.read_file(Path(__file__).resolve().parents[3] / "data" / "demo_communes.geojson")
    layer = gpd.GeoDataFrame(
        {
            "TenXa": [
                ("Xã" if k == "xa" else "") + n.replace(" ", "")
                for k, n in zip(demo["kind"], demo["name"], strict=True)
            ]
        },
        geometry=demo.geometry,
        crs=demo.crs,
    )
    path = tmp_path / "xa.geojson"
    path.write_text(layer.to_json(), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    run(capsys, "init", "--db", url)
    code, out, _ = run(capsys, "import", "boundaries", str(path), "--db", url, "--json")
    data = json.loads(out)
    assert code == 0, data
    assert data["codes_from_names"] is True
    codes = set(Store.open(url).communes()["code"])
    assert {"vinhhung", "vinhhung-2", "vinhloc", "vinhthinh"} <= codes  # Vĩnh Hùng and Vĩnh Hưng fold alike
    table = tmp_path / "ds.csv"
    table.write_text("Xã,Dân số\nVĩnh Thịnh,7400\nThị trấn Vĩnh Lộc,10235\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", "population", str(table), "--db", url, "--year", "2022", "--json")
    assert code == 0, out
    assert json.loads(out)["updated"] == 2


def test_import_taxonomy_adds_a_foreign_category_then_a_ledger_uses_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from geo.taxonomy import activate

    db = f"sqlite:///{tmp_path / 'khu_vuc.sqlite'}"
    Store.open(db, demo=False)
    table = tmp_path / "danh_muc.csv"
    table.write_text(
        "code,group,name_vi,name_en,group_name_vi,group_name_en\nother_crime,khac,Tội phạm khác,Other crime,Khác,Other\n",
        encoding="utf-8",
    )
    try:
        code, out, _ = run(capsys, "import", "taxonomy", str(table), "--db", db, "--dry-run", "--json")
        assert code == 0
        assert json.loads(out)["codes"] == ["other_crime"]
        assert "other_crime" not in {o.code for o in Store.open(db).taxonomy().offences}  # dry run
        code, out, _ = run(capsys, "import", "taxonomy", str(table), "--db", db)
        assert code == 0
        assert "Đã thêm 1 loại vụ việc vào danh mục, nhóm mới: khac" in out
        code, out, _ = run(capsys, "import", "taxonomy", str(table), "--db", db)
        assert "Đã thêm 0 loại vụ việc" in out
        assert "1 dòng đã có sẵn" in out
        bad = tmp_path / "sai.csv"
        bad.write_text("code,group,name_vi\nx y,khac,Tên\n", encoding="utf-8")
        code, _, err = run(capsys, "import", "taxonomy", str(bad), "--db", db)
        assert code != 0
        assert "sai.csv" in err
        assert "dòng 2, cột code" in err
        ledger = tmp_path / "so.csv"
        ledger.write_text(
            "Mã vụ,Ngày xảy ra,Crime type,Kinh độ,Vĩ độ\nA1,05/01/2024,Other crime,105.6163,20.06\n",
            encoding="utf-8",
        )
        code, out, err = run(capsys, "import", "incidents", str(ledger), "--db", db, "--json")
        assert code == 0, err
        assert json.loads(out)["accepted"] == 1
    finally:
        activate(None)
