"""Store writes as batches, on SQLite and PostGIS: import with upsert, undo, demo replacement, boundaries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo._errors import ConfigError, DataError
from geo.demo import read_outline
from geo.io.boundary_import import import_boundaries
from geo.io.incident_import import Validation, validate_incidents
from geo.io.tables import read_table
from geo.store.batches import plan_import
from geo.store.boundaries import preview_communes
from geo.store.store import INCIDENT_COLUMNS, Store

NOW = datetime(2026, 11, 27, 12, 0)
DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ,Mô tả\n"


def checked(store: Store, text: str, *, name: str = "t.csv") -> Validation:
    """Validate a small CSV against the store's communes."""
    return validate_incidents(read_table(text.encode(), name=name), store.communes(), now=NOW)


def messy(store: Store) -> Validation:
    """The messy Vietnamese test file, validated (5 rows accepted, 6 rejected)."""
    return validate_incidents(read_table(DATA / "vu_viec_lon_xon.csv"), store.communes(), now=NOW)


def test_import_writes_one_batch_and_reimport_changes_nothing(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    before = store.version()
    first = store.import_incidents(messy(store), user="analyst")
    assert (first.accepted, first.updated, first.unchanged, first.rejected) == (5, 0, 0, 6)
    assert not first.replaced_demo
    assert store.version() != before
    incidents = store.incidents()
    assert list(incidents.columns) == INCIDENT_COLUMNS
    assert incidents["incident_id"].tolist() == ["VL-001", "VL-002", "VL-003", "VL-006", "VL-010"]
    assert set(incidents["batch_id"]) == {first.batch_id}
    assert incidents["description"].iloc[3] == '=HYPERLINK("http://x.example","bấm")'
    details = store.incidents(details=True)
    assert details["address"].tolist() == ["Chợ thị trấn", "Thôn 3", "", "", ""]
    batch = store.batches().iloc[0]
    assert (
        batch["batch_id"],
        batch["file_name"],
        batch["accepted"],
        batch["rejected"],
        batch["user_name"],
    ) == (
        first.batch_id,
        "vu_viec_lon_xon.csv",
        5,
        6,
        "analyst",
    )
    again = messy(store)
    preview = plan_import(store, again)
    assert (preview.new, preview.updated, preview.unchanged, preview.same_file) == (
        0,
        0,
        5,
        (first.batch_id,),
    )
    second = store.import_incidents(again)
    assert (second.accepted, second.updated, second.unchanged) == (0, 0, 5)
    pd.testing.assert_frame_equal(store.incidents(), incidents)


def test_same_id_updates_the_row_and_undo_restores_it(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    first = store.import_incidents(checked(store, HEADER + "A,15/01/2024,Đánh bạc,105.6163,20.06,cũ\n"))
    original = store.incidents()
    update = checked(
        store, HEADER + "A,15/01/2024,Đánh bạc,105.6163,20.06,mới\nB,16/01/2024,Trộm,105.6163,20.06,\n"
    )
    assert (plan_import(store, update).new, plan_import(store, update).updated) == (1, 1)
    second = store.import_incidents(update)
    assert (second.accepted, second.updated) == (1, 1)
    assert store.incidents()["description"].tolist() == ["mới", ""]
    with pytest.raises(ConfigError, match="hoàn tác lô đó trước"):
        store.undo(first.batch_id)
    undone = store.undo(second.batch_id, user="analyst")
    assert (undone.removed, undone.restored) == (2, 1)
    pd.testing.assert_frame_equal(store.incidents(), original)
    with pytest.raises(ConfigError, match="đã được hoàn tác"):
        store.undo(second.batch_id)
    store.undo(first.batch_id)
    assert store.incidents().empty
    with pytest.raises(ConfigError, match="Không có lô nhập"):
        store.undo("nope")


def test_a_file_without_valid_rows_writes_nothing(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    before = (store.version(), len(store.batches()))
    bad = checked(store, HEADER + "A,hôm qua,Mua bán người,1,2,\n")
    with pytest.raises(DataError, match="Không có dòng hợp lệ"):
        store.import_incidents(bad)
    assert (store.version(), len(store.batches())) == before


def test_real_data_replaces_the_demo_data_and_undo_brings_it_back(store_url: str) -> None:
    store = Store.open(store_url, demo=True)
    demo = store.incidents()
    assert store.is_demo()
    preview = plan_import(store, messy(store))
    assert preview.replaces_demo
    first = store.import_incidents(messy(store))
    assert first.replaced_demo
    assert not store.is_demo()
    assert len(store.incidents()) == 5
    second = store.import_incidents(checked(store, HEADER + "Z,15/01/2024,Đánh bạc,105.6163,20.06,\n"))
    with pytest.raises(ConfigError, match="không lẫn với dữ liệu thật"):
        store.undo(first.batch_id)
    store.undo(second.batch_id)
    store.undo(first.batch_id)
    assert store.is_demo()
    pd.testing.assert_frame_equal(store.incidents(), demo)
    with pytest.raises(ConfigError, match="minh họa không hoàn tác"):
        store.undo("demo")


def test_boundary_replacement_reassigns_incidents_and_undo_restores(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    store.import_incidents(messy(store))
    approximate = store.communes()
    codes = store.incidents()["commune_code"].tolist()
    boundaries = import_boundaries(
        DATA / "ranh_gioi_vn2000.geojson", outline=read_outline(), previous=approximate
    )
    preview = preview_communes(store, boundaries)
    outcome = store.replace_communes(boundaries, user="analyst")
    assert (outcome.communes, outcome.changed, outcome.outside) == (13, preview.changed, preview.outside)
    replaced = store.communes()
    assert not replaced["approximate"].any()
    assert replaced["code"].tolist() == approximate["code"].tolist()
    assert store.batches().iloc[0]["kind"] == "boundaries"
    moved = boundaries.communes.copy()
    moved.loc[moved["code"] == "15349", "geometry"] = moved.loc[
        moved["code"] == "15352", "geometry"
    ].to_numpy()
    shifted = import_boundaries(moved.to_json().encode(), name="sai.geojson", previous=approximate)
    second = store.replace_communes(shifted)
    assert second.changed == 1
    assert second.outside == 1
    assert store.incidents().set_index("incident_id").loc["VL-001", "commune_code"] == ""
    with pytest.raises(ConfigError, match="hoàn tác lô đó trước"):
        store.undo(outcome.batch_id)
    store.undo(second.batch_id)
    store.undo(outcome.batch_id)
    assert store.communes()["approximate"].all()
    assert store.incidents()["commune_code"].tolist() == codes


def test_boundaries_without_a_target_clear_it_from_the_plan_and_undo_never_deadlocks(store_url: str) -> None:
    """Replacing boundaries that no longer hold a target removes it from the plan (a warning), in one step."""
    store = Store.open(store_url, demo=False)
    boundaries = import_boundaries(DATA / "ranh_gioi_vn2000.geojson")
    smaller = boundaries.communes[boundaries.communes["code"] != "15379"]
    partial = import_boundaries(smaller.to_json().encode(), name="thieu.geojson")
    outcome = store.replace_communes(partial)
    assert outcome.cleared_targets == ("15379",)
    assert store.plan().targets == ("15361", "15388")
    assert "15379" not in set(store.communes()["code"])
    # The plan now names only units the restored boundaries hold too: undo goes through.
    store.undo(outcome.batch_id)
    assert "15379" in set(store.communes()["code"])
    assert store.plan().targets == ("15361", "15388")


def test_targets_follow_their_units_to_new_codes(store_url: str) -> None:
    """A file with other codes for the same units: matched by name, the plan's targets follow."""
    store = Store.open(store_url, demo=False)
    current = store.communes()
    recoded = current[["name", "population", "geometry"]].assign(code=[f"N{i}" for i in range(len(current))])
    checked = import_boundaries(recoded.to_json().encode(), name="ma_moi.geojson", previous=current)
    outcome = store.replace_communes(checked)
    position = {code: i for i, code in enumerate(current["code"])}
    assert store.plan().targets == tuple(f"N{position[c]}" for c in ("15361", "15379", "15388"))
    assert outcome.cleared_targets == ()
    assert len(outcome.renamed_targets) == 3


def test_a_new_store_has_no_area_until_boundaries_are_imported(store_url: str) -> None:
    """Any area: a store other than the demo starts empty; its first boundaries are taken as they are."""
    store = Store.open(store_url)
    assert store.communes().empty
    assert not store.plan().is_set
    far = gpd.GeoDataFrame(
        {"ward": ["Centre", "Harbour"], "pop": [1200, 800]},
        geometry=[shapely.box(-0.2, 51.4, -0.1, 51.5), shapely.box(-0.1, 51.4, 0.0, 51.5)],
        crs=4326,
    )
    checked = import_boundaries(far.to_json().encode(), name="london.geojson")
    assert checked.ok
    store.replace_communes(checked)
    assert sorted(store.communes()["name"]) == ["Centre", "Harbour"]


def test_a_population_table_updates_units_as_one_undoable_batch(store_url: str) -> None:
    from geo.io.population_import import import_population
    from geo.store.boundaries import update_population

    store = Store.open(store_url, demo=False)
    before = store.communes()[["code", "population", "population_year"]]
    table = "Tên xã,Dân số,Năm\nVĩnh Hùng,9000,2024\nTT Vĩnh Lộc,10235,2022\n".encode()
    checked = import_population(table, store.communes(), name="dan_so.csv")
    assert checked.ok
    outcome = update_population(store, checked, user="an")
    assert (outcome.updated, outcome.unchanged) == (1, 1)
    after = store.communes().set_index("code")
    assert (after.loc["15379", "population"], after.loc["15379", "population_year"]) == (9000, 2024)
    kinds = store.batches().set_index("batch_id")["kind"]
    assert kinds[outcome.batch_id] == "population"
    store.undo(outcome.batch_id)
    assert store.communes()[["code", "population", "population_year"]].equals(before)


def test_the_precision_of_each_time_is_stored_and_read_back(store_url: str) -> None:
    from geo.io.incident_import import validate_incidents
    from geo.io.tables import read_table

    store = Store.open(store_url, demo=False)
    csv = "incident_id,occurred_at,offence,lon,lat\nA,2024-05,trom_cap_tai_san,105.6163,20.06\nB,03/05/2024,danh_bac,105.6163,20.06\n"
    checked = validate_incidents(read_table(csv.encode(), name="m.csv"), store.communes())
    store.import_incidents(checked)
    got = store.incidents().set_index("incident_id")["precision"].to_dict()
    assert got == {"A": "month", "B": "day"}


def test_a_declared_end_of_the_data_holds_until_a_later_import_or_its_undo(store_url: str) -> None:
    """--complete-to: the ledger is complete to a day the incidents do not show (issue 10)."""
    from datetime import date

    from geo.evaluation.periods import windows_for
    from geo.plan import Plan

    store = Store.open(store_url, demo=False)
    rows = "".join(f"M{m},15/{m:02d}/2024,Trộm cắp tài sản,105.6163,20.06,\n" for m in range(1, 13))
    first = store.import_incidents(checked(store, HEADER + rows), complete_to=date(2024, 12, 31))
    assert store.declared_end() == date(2024, 12, 31)
    plan = Plan(
        name="x", start=date(2024, 7, 1), targets=(store.communes()["code"].iloc[0],), after_months=12
    )
    # Without the declaration December would be incomplete (last incident 15/12): the after window
    # would end with November; declared complete, December counts.
    assert windows_for(store.incidents(), plan).after_months == 5
    assert windows_for(store.incidents(), plan, through=store.declared_end()).after_months == 6
    # Importing the same file again with a declaration records it without a new batch.
    store.import_incidents(checked(store, HEADER + rows), complete_to=date(2024, 12, 20))
    assert store.declared_end() == date(2024, 12, 20)
    later = store.import_incidents(
        checked(store, HEADER + "N1,03/01/2025,Trộm cắp tài sản,105.6163,20.06,\n")
    )
    assert store.declared_end() is None  # the next month's file, without a declaration: what the data shows
    store.undo(later.batch_id)
    assert store.declared_end() is None  # an older declaration does not come back by itself
    assert first.batch_id


@pytest.mark.parametrize(
    ("day", "words"), [(datetime(2099, 1, 1).date(), "tương lai"), (datetime(2023, 1, 1).date(), "sớm nhất")]
)
def test_an_impossible_declared_end_is_refused_and_nothing_is_written(store_url: str, day, words) -> None:
    store = Store.open(store_url, demo=False)
    version = store.version()
    with pytest.raises(ConfigError, match=words):
        store.import_incidents(checked(store, HEADER + "A,15/05/2024,Trộm cắp tài sản,105.6163,20.06,\n"),
                               complete_to=day)  # fmt: skip
    assert store.version() == version
    assert store.incidents().empty


def test_offence_mappings_are_saved_with_an_import_and_reused_next_month(store_url: str) -> None:
    """352 local names mapped once are not mapped again (issue 10): saved in the store, in any spelling."""
    store = Store.open(store_url, demo=False)
    january = HEADER + "A,05/01/2024,Trộm xe máy,105.6163,20.06,\nB,06/01/2024,Đánh bạc,105.6163,20.06,\n"
    first = validate_incidents(read_table(january.encode(), name="t1.csv"), store.communes(), now=NOW,
                               offence_map={"Trộm xe máy": "trom_cap_tai_san"})  # fmt: skip
    store.import_incidents(first, offence_map={"Trộm xe máy": "trom_cap_tai_san"})
    assert store.offence_map() == {"Trộm xe máy": "trom_cap_tai_san"}
    february = HEADER + "C,05/02/2024,TROM XE MAY,105.6163,20.06,\n"
    unmapped = checked(store, february)
    assert unmapped.unknown_offences == {"TROM XE MAY": 1}
    reused = validate_incidents(read_table(february.encode(), name="t2.csv"), store.communes(), now=NOW,
                                offence_map=store.offence_map())  # fmt: skip
    assert reused.incidents["offence_code"].tolist() == ["trom_cap_tai_san"]
    # A name given again in another spelling replaces the saved one; a bad code is refused whole.
    store.import_incidents(reused, offence_map={"TROM XE MAY": "cuop_giat_tai_san"})
    assert store.offence_map() == {"TROM XE MAY": "cuop_giat_tai_san"}
    version = store.version()
    with pytest.raises(ConfigError, match="khong_co"):
        store.import_incidents(checked(store, HEADER + "D,07/02/2024,Đánh bạc,105.6163,20.06,\n"),
                               offence_map={"X": "khong_co"})  # fmt: skip
    assert store.version() == version
    assert len(store.incidents()) == 3
    assert store.forget_offence_map(["TROM XE MAY", "absent"], user="a") == 1
    assert store.offence_map() == {}
    from geo.store import audit

    latest = audit.entries(store, limit=1)[0]
    assert (latest.action, latest.detail) == ("offence_map", {"forgotten": ["TROM XE MAY"]})


def test_rows_placed_by_commune_are_stored_without_coordinates_and_keep_their_commune(store_url: str) -> None:
    """Issue 10: a ledger with communes and no GPS; official boundaries replace the approximate ones."""
    store = Store.open(store_url, demo=False)
    assert store.unit_history().changes  # the district's own history ships with it
    ledger = (
        "STT,Tháng,Tội danh,Xã\n1,T5/2024,Trộm cắp tài sản,Vĩnh Minh\n2,T5/2024,Đánh bạc,15361\n"
        "3,T9/2025,Đánh bạc,Xã Tây Đô\n"
    )
    checked = validate_incidents(read_table(ledger.encode(), name="so.csv"), store.communes(), now=NOW,
                                 history=store.unit_history())  # fmt: skip
    first = store.import_incidents(checked)
    stored = store.incidents().set_index("commune_code")
    # Vĩnh Minh (before 2019) → Minh Tân; xã Tây Đô (2025, over four stored units) kept at its level.
    assert sorted(stored.index) == ["15361", "15361@2025-07-01", "15382"]
    assert stored["lon"].isna().all()
    again = store.import_incidents(checked)
    # No coordinates on either side: still the same rows.
    assert (again.accepted, again.updated, again.unchanged) == (0, 0, 3)
    boundaries = import_boundaries(DATA / "ranh_gioi_vn2000.geojson", outline=read_outline(),
                                   previous=store.communes())  # fmt: skip
    preview = preview_communes(store, boundaries)
    outcome = store.replace_communes(boundaries)
    assert (preview.changed, outcome.changed, outcome.outside) == (0, 0, 0)
    assert sorted(store.incidents()["commune_code"]) == ["15361", "15361@2025-07-01", "15382"]
    store.undo(outcome.batch_id)
    store.undo(first.batch_id)
    assert store.incidents().empty


def test_a_bulk_insert_in_several_slices_writes_every_row(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:

    import geo.store.writes as writes

    monkeypatch.setattr(writes, "_INSERT_CHUNK", 2)
    store = Store.open(store_url, demo=False)
    outcome = store.import_incidents(messy(store))
    assert outcome.accepted == 5
    assert sorted(store.incidents()["incident_id"]) == sorted(messy(store).incidents["incident_id"])
