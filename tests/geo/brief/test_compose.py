"""The brief's content: the administrative header, one verdict per target, the period table, hot spots, caveats, sources."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from geo.area import Area
from geo.brief import figures
from geo.brief.compose import compose, date_line, place_name
from geo.brief.content import Brief, Images, Inputs, Paragraph, Table, Verdict, read_inputs, roman
from geo.brief.pdf_file import render_pdf
from geo.evaluation.effects import VERDICTS
from geo.filters import IncidentFilter
from geo.store.store import Store
from tests.geo.brief.conftest import NOW, small_area

DEMO_TARGETS = {"Vĩnh Long": "unclear", "Vĩnh Hùng": "improving", "Vĩnh Thịnh": "worsening"}


def _blocks(brief: Brief, kind: type) -> list:
    return [block for section in brief.sections for block in section.blocks if isinstance(block, kind)]


def test_the_header_follows_decree_30(demo_brief: Brief) -> None:
    h = demo_brief.header
    assert (h.parent, h.issuer) == ("CÔNG AN TỈNH THANH HÓA", "CÔNG AN HUYỆN VĨNH LỘC")
    assert (h.motto, h.motto_sub) == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    assert h.place_date == "Vĩnh Lộc, ngày 01 tháng 12 năm 2026"
    assert h.title == "BÁO CÁO"
    assert "từ 01/11/2025 đến 31/10/2026" in h.subtitle
    assert h.demo == "Dữ liệu minh họa — không phải số liệu thực"


def test_each_target_has_its_verdict_in_words_numbers_and_what_the_data_could_detect(
    demo_brief: Brief,
) -> None:
    verdicts = _blocks(demo_brief, Verdict)
    assert {v.name: v.verdict for v in verdicts} == DEMO_TARGETS
    for v in verdicts:
        assert v.word == VERDICTS[v.verdict][0]
        assert v.colour == figures.VERDICT_COLOURS[v.verdict][1]
        assert "so với cùng kỳ (" in v.lines[0]
        assert "→" in v.lines[0]
        assert any(line.startswith("Chỉ phát hiện chắc được mức giảm từ ") for line in v.lines)
        assert any(line.startswith("Tỷ số so với các xã đối chứng: ") for line in v.lines)
    headings = [s.heading for s in demo_brief.sections]
    assert headings == [
        "Kết luận chung",
        "Đánh giá từng xã trọng điểm",
        "Tình hình vụ việc từ 01/11/2025 đến 31/10/2026",
        "Các điểm nóng cần chú ý",
        "Lưu ý khi đọc số liệu",
        "Nguồn số liệu",
    ]
    headline = demo_brief.sections[0].blocks[0]
    assert isinstance(headline, Paragraph)
    assert headline.text == (
        "Vĩnh Hùng: chuyển biến tích cực; Vĩnh Long: chưa rõ chuyển biến; Vĩnh Thịnh: diễn biến phức tạp hơn."
    )


def test_the_commune_table_compares_the_period_with_the_same_period_last_year(
    demo_brief: Brief, demo_inputs: Inputs
) -> None:
    table = _blocks(demo_brief, Table)[0]
    assert table.columns[:3] == ("Xã, thị trấn", "Số vụ", "Cùng kỳ năm trước")
    assert len(table.rows) == len(demo_inputs.communes)
    targets = [table.rows[i][0] for i in table.bold_rows]
    assert sorted(targets) == sorted(f"★ {name}" for name in DEMO_TARGETS)
    frame = demo_inputs.incidents
    times = frame["occurred_at"]
    in_period = frame[(times >= "2025-11-01") & (times < "2026-11-01")]
    total = sum(int(row[1].replace(".", "")) for row in table.rows)
    assert total == len(in_period)
    totals = demo_brief.sections[2].blocks[0]
    assert isinstance(totals, Paragraph)
    assert totals.text.startswith(
        f"Toàn khu vực: {len(in_period):,} vụ (cùng kỳ năm trước ".replace(",", ".")
    )


def test_hot_spots_caveats_and_sources(demo_brief: Brief) -> None:
    hot = _blocks(demo_brief, Table)[1]
    assert hot.columns[0] == "Thứ tự"
    assert 1 <= len(hot.rows) <= 8
    assert all(row[3].startswith("Điểm nóng, tin cậy") for row in hot.rows)
    text = demo_brief.text()
    assert "không chứng minh kế hoạch là nguyên nhân" in text
    assert "hồi quy về trung bình" in text
    assert "Dữ liệu từ 01/01/2021 đến hết 31/10/2026." in text
    batches = _blocks(demo_brief, Table)[2]
    assert batches.rows[0][1:4] == ("Minh họa", "demo_incidents.csv", "13.951")
    images = _blocks(demo_brief, Images)
    assert [len(i.items) for i in images] == [2, 1]
    assert all(image.png.startswith(b"\x89PNG") for i in images for image in i.items)
    assert unicodedata.is_normalized("NFC", text)


def test_a_store_without_a_plan_says_so_and_still_reports_the_period(small_brief: Brief) -> None:
    assert _blocks(small_brief, Verdict) == []
    assert [s.heading for s in small_brief.sections][0:2] == [
        "Kết luận chung",
        "Tình hình vụ việc từ 01/01/2025 đến 31/12/2025",
    ]
    first = small_brief.sections[0].blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text.startswith("Chưa đặt kế hoạch")
    assert small_brief.header.place_date == "Thanh Hóa, ngày 01 tháng 12 năm 2026"
    assert small_brief.header.issuer == "CÔNG AN THÀNH PHỐ THANH HÓA"
    assert small_brief.header.demo == ""
    table = _blocks(small_brief, Table)[0]
    assert {row[0] for row in table.rows} == {
        "Phường Đông Hải",
        "Phường $\\x$ Ba Đình",
        "Phường Ngọc Trạo",
        "Phường Điện Biên",
    }
    assert {row[5] for row in table.rows} == {"—"}  # no population: no rate, never a made-up one
    assert "Dữ liệu minh họa" not in small_brief.text()
    assert "so_vu_viec_2024_2025.xlsx" in small_brief.text()
    assert "05/01/2026" in small_brief.text()  # 02:00 UTC is 09:00 in Vietnam, the same day


def test_the_english_brief_is_english(demo_inputs: Inputs) -> None:
    brief = compose(
        demo_inputs, lang="en", now=NOW, period=IncidentFilter(date(2026, 1, 1), date(2026, 10, 31))
    )
    assert brief.header.motto == "SOCIALIST REPUBLIC OF VIETNAM"
    assert brief.header.place_date == "Vĩnh Lộc, 1 December 2026"
    verdicts = {v.name: v.word for v in _blocks(brief, Verdict)}
    assert verdicts == {name: VERDICTS[key][1] for name, key in DEMO_TARGETS.items()}
    assert brief.sections[2].heading == "Incidents from 01/01/2026 to 31/10/2026"
    assert "Demonstration data" in brief.text()
    assert brief.file_stem == "bao_cao_20260101_20261031"


def test_a_plan_that_does_not_fit_the_data_is_reported_not_raised(demo_inputs: Inputs) -> None:
    from dataclasses import replace

    late = replace(demo_inputs, plan=replace(demo_inputs.plan, start=date(2030, 1, 1)))
    brief = compose(late, now=NOW)
    first = brief.sections[0].blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text.startswith("Chưa đánh giá được kế hoạch: ")
    assert _blocks(brief, Verdict) == []


@pytest.mark.parametrize(
    ("area", "parent", "issuer"),
    [
        ("Huyện Vĩnh Lộc, tỉnh Thanh Hóa", "CÔNG AN TỈNH THANH HÓA", "CÔNG AN HUYỆN VĨNH LỘC"),
        ("Xã Vĩnh Tiến", "", "CÔNG AN XÃ VĨNH TIẾN"),
        ("", "", "BẢN ĐỒ ĐIỂM NÓNG ANTT"),
    ],
)
def test_the_issuing_body_comes_from_the_area(area: str, parent: str, issuer: str) -> None:
    from dataclasses import replace

    inputs = replace(small_area(), area=Area(name=area))
    h = compose(inputs, now=NOW).header
    assert (h.parent, h.issuer) == (parent, issuer)
    assert compose(inputs, now=NOW, issuer="Phòng Cảnh sát hình sự").header.issuer == "PHÒNG CẢNH SÁT HÌNH SỰ"


def test_place_and_date_lines() -> None:
    assert place_name("Thị xã Bỉm Sơn, tỉnh Thanh Hóa") == "Bỉm Sơn"
    assert place_name("Quận 1") == "1"
    assert place_name("Huyện") == "Huyện"
    assert date_line("Vĩnh Lộc", date(2026, 2, 9)) == "Vĩnh Lộc, ngày 09 tháng 02 năm 2026"
    assert date_line("Vĩnh Lộc", date(2026, 3, 19)) == "Vĩnh Lộc, ngày 19 tháng 3 năm 2026"
    assert [roman(n) for n in (2, 3, 5, 7, 10)] == ["II", "III", "V", "VII", "X"]


def test_verdict_colours_are_the_dashboards() -> None:
    from ui.theme import VERDICT_STYLE

    assert {k: (fill, ink) for k, (_, fill, ink) in VERDICT_STYLE.items()} == figures.VERDICT_COLOURS
    assert set(figures.VERDICT_COLOURS) == set(VERDICTS)


def test_a_long_commune_table_keeps_the_targets_and_sums_the_rest(
    demo_inputs: Inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo.brief import tables

    monkeypatch.setattr(tables, "MAX_COMMUNE_ROWS", 5)
    brief = compose(demo_inputs, now=NOW)
    table = _blocks(brief, Table)[0]
    names = [row[0] for row in table.rows]
    assert len(names) == 6
    assert names[-1] == "Các xã khác (8)"
    assert {f"★ {name}" for name in DEMO_TARGETS} <= set(names)
    total = sum(int(row[1].replace(".", "")) for row in table.rows)
    totals = brief.sections[2].blocks[0]
    assert isinstance(totals, Paragraph)
    assert totals.text.startswith(f"Toàn khu vực: {total:,} vụ".replace(",", "."))


def test_a_store_with_a_plan_but_no_incident_yet(tmp_path: Path) -> None:
    inputs = read_inputs(Store.open(f"sqlite:///{tmp_path / 'new.sqlite'}", demo=False))
    brief = compose(inputs, now=NOW)
    first = brief.sections[0]
    assert [type(b) for b in first.blocks] == [Paragraph]  # no empty chart
    assert first.blocks[0].text.startswith("Chưa đánh giá được kế hoạch: ")
    assert "Kho dữ liệu chưa có vụ việc nào." in brief.text()
    assert render_pdf(brief).startswith(b"%PDF-")


def test_the_plans_verdict_is_dated_and_followed_by_whether_it_holds_now(demo_brief: Brief) -> None:
    """Issue 13: the plan's window is not read as today's; the latest 12 complete months say "now"."""
    texts = [p.text for p in demo_brief.sections[0].blocks if isinstance(p, Paragraph)]
    now = [text for text in texts if text.startswith("Hiện nay (11/2025–10/2026, cùng mốc): tính chung 3 xã")]
    assert len(now) == 1
    assert any("26/05/2023" in text for text in texts)  # the plan's own window, in a note
    verdicts = _blocks(demo_brief, Verdict)
    for v in verdicts:
        latest = [line for line in v.lines if line.startswith("Hiện nay (11/2025–10/2026): ")]
        assert len(latest) == 1, v.lines
        assert "số vụ" in latest[0]
    hung = next(v for v in verdicts if v.name == "Vĩnh Hùng")
    assert any(
        line.startswith("Hiện nay (11/2025–10/2026): Chuyển biến tích cực, số vụ giảm") for line in hung.lines
    )
