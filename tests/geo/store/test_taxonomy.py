"""The store keeps an area's own offence categories; opening a store makes its taxonomy the active one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from geo.io.incident_import import validate_incidents
from geo.io.tables import read_table
from geo.io.taxonomy_file import read_taxonomy_file
from geo.store import audit
from geo.store.store import Store
from geo.taxonomy import activate, active, group_name, groups

FILE = (
    "code,group,name_vi,name_en,penal_code_article,group_name_vi,group_name_en\n"
    "other_crime,khac,Tội phạm khác,Other crime,,Khác,Other\n"
).encode()


@pytest.fixture(autouse=True)
def _base_taxonomy() -> Iterator[None]:
    activate(None)
    yield
    activate(None)


def test_categories_are_saved_used_by_imports_and_kept_on_reopen(store_url: str) -> None:
    store = Store.open(store_url, demo=False)
    before = store.version()
    found = read_taxonomy_file(FILE, name="danh_muc.csv", current=store.taxonomy())
    assert store.save_taxonomy(found, user="admin") == 1
    assert store.version() != before
    assert group_name("khac", lang="en") == "Other"  # active at once

    ledger = "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ\nA1,05/01/2024,Other crime,105.6163,20.06\n"
    checked = validate_incidents(
        read_table(ledger.encode(), name="s.csv"), store.communes(), now=datetime(2026, 1, 1)
    )
    assert len(checked.incidents) == 1, checked.issues
    store.import_incidents(checked, user="analyst")

    activate(None)
    again = Store.open(store_url)
    assert "khac" in groups()  # opening the store activated its taxonomy
    frame = again.incidents()
    assert frame.loc[frame["incident_id"] == "A1", ["offence_code", "offence_group"]].values.tolist() == [
        ["other_crime", "khac"]
    ]
    entries = audit.entries(again, action="taxonomy")
    assert [e.detail["offences"] for e in entries] == [["other_crime"]]
    # The same file again adds nothing and writes no entry.
    repeat = read_taxonomy_file(FILE, name="danh_muc.csv", current=again.taxonomy())
    assert (repeat.offences, repeat.repeated) == ((), 1)
    assert again.save_taxonomy(repeat) == 0
    assert len(audit.entries(again, action="taxonomy")) == 1


def test_a_new_store_has_only_the_base(store_url: str, tmp_path: object) -> None:
    store = Store.open(store_url, demo=False)
    store.save_taxonomy(read_taxonomy_file(FILE, name="danh_muc.csv"))
    other = Store.open(f"sqlite:///{tmp_path}/khac.sqlite", demo=False)  # type: ignore[str-bytes-safe]
    assert "other_crime" not in {o.code for o in other.taxonomy().offences}
    assert "khac" not in active().groups
    assert {"kinh_te", "giao_thong", "chay_no"} <= set(other.taxonomy().groups)
