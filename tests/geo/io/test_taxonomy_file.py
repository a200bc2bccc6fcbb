"""An area's own offence categories: the taxonomy file, every rule of it."""

from __future__ import annotations

import io

import openpyxl
import pytest

from geo._errors import DataError
from geo.io.offences import offence_code, parse_offence
from geo.io.taxonomy_file import ROWS_MAX, read_taxonomy_file
from geo.taxonomy import activate, base, group_name, groups, offence_name

HEADER = "code,group,name_vi,name_en,penal_code_article,group_name_vi,group_name_en\n"


@pytest.fixture(autouse=True)
def _base_taxonomy() -> object:
    activate(None)
    yield
    activate(None)


def read(text: str, **kwargs: object) -> object:
    return read_taxonomy_file(text.encode("utf-8"), name="danh_muc.csv", **kwargs)  # type: ignore[arg-type]


def test_the_base_has_the_groups_of_an_antt_report() -> None:
    names = {code: vi for code, (vi, _en) in base().groups.items()}
    assert names["kinh_te"] == "Tội phạm về kinh tế"
    assert names["giao_thong"] == "Tai nạn giao thông"
    assert names["chay_no"] == "Cháy, nổ"
    by_code = {o.code: o for o in base().offences}
    assert (by_code["buon_lau"].group, by_code["buon_lau"].article) == ("kinh_te", "188")
    assert (by_code["vi_pham_giao_thong_duong_bo"].article, by_code["vi_pham_pccc"].article) == ("260", "313")
    assert by_code["tai_nan_giao_thong"].article == ""  # an accident is counted, not a crime
    assert {o.group for o in base().offences} == set(base().groups)
    assert offence_code("Tai nạn giao thông") == "tai_nan_giao_thong"
    assert offence_code("Điều 313") == "vi_pham_pccc"
    assert offence_code("vụ cháy") == "vu_chay"


def test_a_new_group_and_a_category_in_an_existing_group() -> None:
    found = read(
        HEADER
        + "other_crime,khac,Tội phạm khác,Other crime,,Khác,Other\n"
        + "trom_cho,ttxh,Trộm chó,Dog theft,173,,\n"
        + "\n"
        + "buon_lau,kinh_te,Buôn lậu,Smuggling,188,,\n"  # a base row re-listed unchanged
    )
    assert [o.code for o in found.offences] == ["other_crime", "trom_cho"]
    assert found.groups == {"khac": ("Khác", "Other")}
    assert found.repeated == 1
    assert found.offences[1].article == "173"


def test_vietnamese_headers_and_an_xlsx_file() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã", "Nhóm", "Tên", "Tên tiếng Anh", "Điều", "Tên nhóm", "Tên nhóm tiếng Anh"])
    sheet.append(["hanh_vi_khac", "khac", "Hành vi vi phạm khác", "", None, "Khác", "Other"])
    out = io.BytesIO()
    book.save(out)
    found = read_taxonomy_file(out.getvalue(), name="danh_muc.xlsx")
    assert [(o.code, o.group, o.name_en) for o in found.offences] == [
        ("hanh_vi_khac", "khac", "Hành vi vi phạm khác")  # no English name: the Vietnamese one
    ]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (",ttxh,Tên,,,,", "dòng 2, cột code: thiếu mã"),
        ("mã có dấu,ttxh,Tên,,,,", "dòng 2, cột code: mã «mã có dấu»"),
        ("x" * 65 + ",ttxh,Tên,,,,", "tối đa 64 ký tự"),
        ("a,,Tên,,,,", "dòng 2, cột group: thiếu nhóm"),
        ("a,nhom_moi,Tên,,,,", "nhóm «nhom_moi» chưa có trong danh mục, hãy ghi tên nhóm"),
        ("a,ttxh,,,,,", "dòng 2, cột name_vi: thiếu tên"),
        ("buon_lau,ttxh,Buôn lậu,,,,", "mã «buon_lau» đã có trong danh mục (Buôn lậu, nhóm kinh_te)"),
        ("trom_khac,ttxh,Trộm cắp tài sản,,,,", "tên «Trộm cắp tài sản» đã là tên của mã «trom_cap_tai_san»"),
        ("a,ttxh,Tên,,12345678901234567,,", "điều luật dài quá"),
    ],
)
def test_each_bad_row_is_named_and_nothing_is_taken(row: str, words: str) -> None:
    with pytest.raises(DataError) as info:
        read(HEADER + row + "\n")
    assert words in info.value.message
    assert info.value.file == "danh_muc.csv"
    assert "chưa lưu gì" in info.value.message


def test_every_problem_is_listed_at_once_and_duplicates_are_caught() -> None:
    with pytest.raises(DataError) as info:
        read(
            HEADER
            + "a,ttxh,Loại A,,,,\na,ttxh,Loại A khác,,,,\nb,,Loại B,,,,\nc,g1,Loại C,,,Nhóm 1,\nd,g1,Loại D,,,Nhóm một,\n"
        )
    message = info.value.message
    assert message.startswith("3 lỗi")
    assert "dòng 3, cột code: mã «a» đã có ở dòng 2" in message
    assert "dòng 4, cột group: thiếu nhóm" in message
    assert "nhóm «g1» có hai tên khác nhau" in message


def test_missing_columns_and_too_many_rows() -> None:
    with pytest.raises(DataError, match="thiếu: group, name_vi"):
        read("code,ten_sai\na,b\n")
    with pytest.raises(DataError, match=f"quá {ROWS_MAX} dòng"):
        read(HEADER + "".join(f"c{i},ttxh,Loại {i},,,,\n" for i in range(ROWS_MAX + 1)))


def test_an_active_extension_is_read_everywhere_and_replaced_whole() -> None:
    found = read(HEADER + "other_crime,khac,Tội phạm khác,Other crime,,Khác,Other\n")
    activate(base().extended(found.offences, found.groups))
    assert offence_code("Other crime") == "other_crime"
    assert parse_offence("toi pham khac") == "other_crime"
    assert offence_name("other_crime", lang="en") == "Other crime"
    assert group_name("khac") == "Khác"
    assert list(groups())[-1] == "khac"
    # Read against the active taxonomy, the same row is a repeat, not a clash.
    assert (
        read(
            HEADER + "other_crime,khac,Tội phạm khác,,,,\n",
            current=base().extended(found.offences, found.groups),
        ).repeated
        == 1
    )
    activate(None)
    assert offence_code("Other crime") is None
    assert group_name("khac") == "khac"
