"""The importers' Vietnamese messages read back in English (the English /data page's import report)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from geo import settings
from geo.io.incident_import import validate_incidents
from geo.io.layers import load_communes
from geo.io.tables import read_table
from geo.messages import _TEMPLATES, english, in_language

DATA = Path(__file__).resolve().parents[1] / "data"
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
"""Letters only Vietnamese writes (an English sentence has none, apart from the values it quotes)."""


@pytest.mark.parametrize(("vietnamese", "expected"), _TEMPLATES)
def test_every_template_reads_back_in_english_with_its_values(vietnamese: str, expected: str) -> None:
    names = re.findall(r"\{(\w)\}", vietnamese)
    values = {name: f"V{index}" for index, name in enumerate(names)}
    assert english(vietnamese.format(**values)) == expected.format(**values)
    assert set(re.findall(r"\{(\w)\}", expected)) == set(names)
    text = expected.format(**values)
    for place in ("Thanh Hóa", "Vĩnh Lộc"):  # names quoted as examples
        text = text.replace(place, "")
    assert not VIETNAMESE.search(text), expected


def test_the_messy_ledger_reports_every_problem_in_english() -> None:
    communes = load_communes(settings.DEMO_COMMUNES_PATH)
    checked = validate_incidents(
        read_table(DATA / "vu_viec_lon_xon.csv"), communes, now=datetime(2026, 11, 27)
    )
    vi, en = checked.report(lang="vi"), checked.report(lang="en")
    assert list(en.columns) == ["Row", "Column", "Value", "Problem", "Severity"]
    assert len(en) == len(vi) >= 7
    untranslated = [m for m in en["Problem"] if VIETNAMESE.search(m)]
    assert untranslated == []
    assert "There is no day 31/02/2024 in the calendar." in en["Problem"].tolist()
    assert vi["Vấn đề"].tolist() == [i.message for i in checked.issues]  # Vietnamese as the parsers wrote it


def test_values_inside_a_message_are_carried_and_their_words_translated() -> None:
    outside = (
        "Điểm nằm ngoài huyện (cách ranh giới khoảng 12,5 km; chấp nhận tối đa 500 m): "
        "kiểm tra tọa độ và hệ tọa độ."
    )
    assert english(outside).startswith(
        "The point lies outside the district (about 12.5 km from the boundary;"
    )
    order = "Tháng 13 không tồn tại (đang đọc theo ngày/tháng/năm); nếu tệp dùng tháng/ngày, hãy chọn định dạng ngày mm/dd/yyyy."
    assert english(order).startswith("There is no month 13 (reading day/month/year);")
    assert in_language(order, "vi") == order
    assert english("Một câu chưa có mẫu.") == "Một câu chưa có mẫu."
    polygons = "Tệp không có vùng (Polygon/MultiPolygon) nào; chỉ có: Point. Ranh giới xã phải là vùng."
    assert english(polygons) == (
        "The file has no areas (Polygon/MultiPolygon); only: Point. Commune boundaries must be areas."
    )
