"""AppTest of the Dữ liệu page: upload, report, commit, boundaries, history with undo, exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/data.py").run()  # straight to the page (no overview run first)
    assert not at.exception, at.exception
    return at


def _upload(
    at: AppTest, index: int, path: Path, *, name: str | None = None, data: bytes | None = None
) -> None:
    at.file_uploader[index].set_value(
        (name or path.name, data if data is not None else path.read_bytes(), "")
    ).run()
    assert not at.exception, at.exception


def _frame(at: AppTest, column: str):
    """The first table on the page that has ``column`` (tabs draw tables in their own order)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_page_shows_tabs_history_and_exports(fresh_store: str) -> None:
    at = _page()
    assert at.title[0].value == "Dữ liệu"
    assert [tab.label for tab in at.tabs] == [
        "Nhập vụ việc",
        "Ranh giới xã",
        "Dân số",
        "Khu vực",
        "Lịch sử nhập",
        "Xuất dữ liệu",
    ]
    history = _frame(at, "Mã lô")
    assert history["Mã lô"].tolist() == ["demo"]
    assert history["Loại"].tolist() == ["Minh họa"]
    assert any("vụ việc từ" in m.value for m in at.markdown)
    downloads = [d.label for d in at.get("download_button")]
    assert downloads[0].startswith("Tải mẫu sổ vụ việc")
    assert "Tải danh mục đang dùng (CSV, dùng làm mẫu để bổ sung)" in downloads
    assert len(downloads) == 4  # the template, the taxonomy and the two exports


def test_importing_the_messy_file_reports_every_problem_then_commits(fresh_store: str) -> None:
    at = _page()
    _upload(at, 0, DATA / "vu_viec_lon_xon.csv")
    metrics = _metrics(at)
    assert (metrics["Dòng hợp lệ"], metrics["Dòng lỗi (bỏ qua)"], metrics["Vụ mới"]) == ("5", "6", "5")
    report = at.table[0].value
    assert report["Dòng"].tolist() == ["6", "7", "8", "11", "12", "13", "14"]
    assert "Ngày 31/02/2024 không có trên lịch." in report["Vấn đề"].tolist()
    assert any("dữ liệu minh họa được gỡ bỏ" in w.value for w in at.warning)
    preview = _frame(at, "Mã vụ")
    assert preview["Mã vụ"].tolist() == ["VL-001", "VL-002", "VL-003", "VL-006", "VL-010"]
    assert preview["Mô tả"].iloc[3] == '=HYPERLINK("http://x.example","bấm")'
    expander = [e.label for e in at.expander]
    assert "Tội danh chưa nhận ra (1)" in expander
    commit = next(b for b in at.button if b.label.startswith("Ghi vào kho"))
    assert commit.label == "Ghi vào kho: 5 vụ mới, 0 cập nhật"
    commit.click().run()
    assert not at.exception, at.exception
    assert any("Đã ghi lô" in s.value for s in at.success)
    store = Store.open(fresh_store)
    assert not store.is_demo()
    assert len(store.incidents()) == 5
    assert _frame(at, "Mã lô")["Loại"].tolist()[0] == "Vụ việc"
    # The open session follows the store: the demo's period (2025–2026) no longer meets the data (2024),
    # so the filter moves to the new data instead of showing "0 vụ việc".
    start, end = at.session_state["flt.period"]
    times = store.incidents()["occurred_at"]
    assert start <= times.max().date()
    assert end >= times.min().date()
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    assert next(m.value for m in at.metric) == "5"


def test_the_ledger_can_be_declared_complete_to_a_later_day_on_import(fresh_store: str) -> None:
    """The /data form of --complete-to: coverage on every page follows the declared day (issue 10)."""
    from datetime import date

    at = _page()
    _upload(at, 0, DATA / "vu_viec_lon_xon.csv")
    declare = next(c for c in at.checkbox if c.label.startswith("Sổ đã ghi đủ mọi vụ việc"))
    assert "11/01/2024" in declare.label  # the file's own last incident
    declare.check().run()
    at.date_input(key="data.inc.complete_to").set_value(date(2024, 6, 30)).run()
    assert not at.exception, at.exception
    next(b for b in at.button if b.label.startswith("Ghi vào kho")).click().run()
    assert not at.exception, at.exception
    store = Store.open(fresh_store)
    assert store.declared_end() == date(2024, 6, 30)
    at.switch_page("pages/overview.py").run()
    assert any("đến hết 30/06/2024" in c.value for c in at.caption)


def test_a_mapping_confirmed_on_the_page_is_saved_and_reused_by_the_next_file(fresh_store: str) -> None:
    at = _page()
    _upload(at, 0, DATA / "vu_viec_lon_xon.csv")
    at.selectbox(key=next(s.key for s in at.selectbox if s.label.startswith("«Mua bán người»"))).set_value(
        "gay_roi_trat_tu"
    ).run()
    next(b for b in at.button if b.label.startswith("Ghi vào kho")).click().run()
    assert not at.exception, at.exception
    assert Store.open(fresh_store).offence_map() == {"Mua bán người": "gay_roi_trat_tu"}
    at = _page()
    february = "Mã vụ,Ngày,Tội danh,Kinh độ,Vĩ độ\nF-1,03/02/2024,BUON LAU,105.6354,20.0598\n".encode()
    _upload(at, 0, DATA / "x.csv", name="thang2.csv", data=february)
    assert _metrics(at)["Dòng hợp lệ"] == "1"
    assert not any(e.label.startswith("Tội danh chưa nhận ra (1)") for e in at.expander)
    assert any(e.label == "Ánh xạ tội danh đã lưu từ các lần nhập trước (1)" for e in at.expander)
    at.multiselect(key="data.offmap.forget").set_value(["Mua bán người"]).run()
    next(b for b in at.button if b.label == "Bỏ 1 ánh xạ").click().run()
    assert not at.exception, at.exception
    assert Store.open(fresh_store).offence_map() == {}


def test_a_ledger_without_coordinates_goes_in_by_commune_and_the_map_says_so(fresh_store: str) -> None:
    """The same commune-level rules as the command line (issue 10), and /map counts what it cannot draw."""
    at = _page()
    ledger = (
        "STT,Tháng,Loại vụ việc,Xã/Phường/Thị trấn\n1,T5/2024,Trộm cắp tài sản,Xã Vĩnh An\n"
        "2,T5/2024,Trộm cắp tài sản,Vĩnh Khang\n3,T5/2024,Đánh bạc,Vinh Hung\n4,T9/2026,Đánh bạc,xã Tây Đô\n"
    ).encode()
    _upload(at, 0, DATA / "x.csv", name="so_theo_xa.csv", data=ledger)
    metrics = _metrics(at)
    assert (metrics["Dòng hợp lệ"], metrics["Dòng lỗi (bỏ qua)"]) == ("3", "1")
    report = at.table[0].value
    assert any("Vĩnh Hùng (15379) hoặc Xã Vĩnh Hưng (15367)" in v for v in report["Vấn đề"])
    next(b for b in at.button if b.label.startswith("Ghi vào kho")).click().run()
    assert not at.exception, at.exception
    assert sorted(Store.open(fresh_store).incidents()["commune_code"]) == [
        "15361@2025-07-01",
        "15385",
        "15391",
    ]
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    # The default period is the last 12 months: the 2026 row, named by its 2025 commune.
    assert any("1 vụ việc không có tọa độ" in c.value and "Xã Tây Đô 1" in c.value for c in at.caption)
    # xã Tây Đô (2025) covers four stored units: its row is its own, in the table by commune.
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    names = [
        str(n)
        for d in at.dataframe
        for col in d.value.columns
        if "Xã" in str(col) or "xã" in str(col)
        for n in d.value[col]
    ]
    assert any("Tây Đô" in n for n in names), names


def test_the_unit_history_is_shown_and_replaced_on_the_page(fresh_store: str) -> None:
    """The district's history ships with it; an area imports its own (the same CSV as the command line)."""
    at = _page()
    assert any("Đang dùng: 19 thay đổi" in c.value for c in at.caption)
    uploader = next(i for i, u in enumerate(at.file_uploader) if u.label.startswith("Tải lên bảng lịch sử"))
    bad = b"old_code,old_name,new_code,new_name,date\n1,A,2,B,31/13/2019\n"
    _upload(at, uploader, DATA / "x.csv", name="lich_su.csv", data=bad)
    assert any("dòng 2" in e.value and "lich_su.csv" in e.value for e in at.error)
    assert Store.open(fresh_store).unit_history().changes  # nothing replaced
    good = "old_code,old_name,new_code,new_name,date,act\n15379,Xã Vĩnh Hùng,15391,Xã Vĩnh An,2026-01-01,NQ thử\n"
    _upload(at, uploader, DATA / "x.csv", name="lich_su.csv", data=good.encode())
    next(b for b in at.button if b.label == "Lưu lịch sử đơn vị (1 thay đổi)").click().run()
    assert not at.exception, at.exception
    history = Store.open(fresh_store).unit_history()
    assert [(c.old_code, c.new_code, c.act) for c in history.changes] == [("15379", "15391", "NQ thử")]


def test_mapping_an_unknown_offence_rechecks_the_rows(fresh_store: str) -> None:
    at = _page()
    _upload(at, 0, DATA / "vu_viec_lon_xon.csv")
    at.selectbox(key=next(s.key for s in at.selectbox if s.label.startswith("«Mua bán người»"))).set_value(
        "gay_roi_trat_tu"
    ).run()
    assert not at.exception, at.exception
    assert _metrics(at)["Dòng hợp lệ"] == "6"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.csv", b"", "Tệp rỗng"),
        ("x.xlsx", b"PK\x03\x04 broken", "Không mở được tệp Excel"),
        ("x.csv", "Ngày,Loại\n05/01/2024,Trộm\n".encode(), "Không tìm thấy cột cho: «Kinh độ»"),
    ],
)
def test_bad_files_get_a_vietnamese_message_not_a_traceback(
    fresh_store: str, name: str, data: bytes, message: str
) -> None:
    at = _page()
    _upload(at, 0, DATA / name, name=name, data=data)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_large_uploads_are_refused_with_a_message(fresh_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "IMPORT_MAX_BYTES", 100)
    at = _page()
    _upload(at, 0, DATA / "vu_viec_lon_xon.csv")
    assert any("quá lớn" in e.value and "tối đa 0 MB" in e.value for e in at.error)
    assert not at.metric


def test_boundaries_preview_replace_and_undo(fresh_store: str) -> None:
    at = _page()
    _upload(at, 1, DATA / "ranh_gioi_vn2000.geojson")
    metrics = _metrics(at)
    assert (metrics["Số xã"], metrics["Hệ tọa độ của tệp"]) == ("13", "EPSG:5897")
    assert metrics["Lệch so với khu vực đang lưu"].endswith(" m")
    replace = next(b for b in at.button if b.label.startswith("Thay ranh giới"))
    replace.click().run()
    assert not at.exception, at.exception
    assert any("Đã thay ranh giới" in s.value for s in at.success)
    assert not Store.open(fresh_store).communes()["approximate"].any()
    at.checkbox(key="data.hist.sure").check()
    form_button = next(b for b in at.button if b.label == "Hoàn tác")
    form_button.click().run()
    assert not at.exception, at.exception
    assert any("Đã hoàn tác lô" in s.value for s in at.success)
    assert Store.open(fresh_store).communes()["approximate"].all()


def test_an_area_adds_its_own_offence_categories_on_the_page(fresh_store: str) -> None:
    """A taxonomy file adds a group and a category; the filters offer them at once; a bad file changes nothing."""
    from geo.taxonomy import activate

    try:
        at = _page()
        assert any(
            "Đang dùng 38 loại vụ việc trong 7 nhóm, trong đó 0 loại riêng" in c.value for c in at.caption
        )
        uploader = next(
            i for i, u in enumerate(at.file_uploader) if u.label.startswith("Tải lên tệp danh mục")
        )
        bad = b"code,group,name_vi\nbuon_lau,ttxh,X\n"
        _upload(at, uploader, DATA / "x.csv", name="danh_muc.csv", data=bad)
        assert any("danh_muc.csv" in e.value and "dòng 2, cột code" in e.value for e in at.error)
        good = "code,group,name_vi,name_en,group_name_vi,group_name_en\nother_crime,khac,Tội phạm khác,Other crime,Khác,Other\n"
        _upload(at, uploader, DATA / "x.csv", name="danh_muc.csv", data=good.encode())
        next(b for b in at.button if b.label == "Thêm 1 loại vụ việc vào danh mục").click().run()
        assert not at.exception, at.exception
        assert "other_crime" in {o.code for o in Store.open(fresh_store).taxonomy().offences}
        assert any("trong 8 nhóm, trong đó 1 loại riêng" in c.value for c in at.caption)
        groups = next(m for m in at.multiselect if m.key == "flt.groups")
        assert "khac" in groups.options or "Khác" in groups.options
    finally:
        activate(None)
