"""Tests of the value parsers: dates, numbers, degrees and offence names."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo._errors import DataError
from geo.io.numbers import parse_count, parse_degrees, parse_number
from geo.io.offences import parse_offence
from geo.io.parsing import date_order, guess_date_order, parse_date
from geo.taxonomy import fold, load_offences

NOW = datetime(2026, 11, 27, 12, 0)


def _outcome(parser: Callable[..., Any], *args: object, **kwargs: object) -> tuple[Any, DataError | None]:
    """Return ``(value, None)`` or ``(None, the DataError)``: any other exception fails the test."""
    try:
        return parser(*args, **kwargs), None
    except DataError as error:
        return None, error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/01/2024", datetime(2024, 1, 5)),
        ("5/1/2024 7:05", datetime(2024, 1, 5, 7, 5)),
        ("05-01-2024 14:30:15", datetime(2024, 1, 5, 14, 30, 15)),
        ("05.01.2024", datetime(2024, 1, 5)),
        ("2024-01-05", datetime(2024, 1, 5)),
        ("2024-01-05 14:30", datetime(2024, 1, 5, 14, 30)),
        ("2024-01-05T14:30:00", datetime(2024, 1, 5, 14, 30)),
        ("2024-01-05T07:30:00Z", datetime(2024, 1, 5, 14, 30)),
        ("2024-01-05T14:30:00+07:00", datetime(2024, 1, 5, 14, 30)),
        ("14h30 ngày 05/01/2024", datetime(2024, 1, 5, 14, 30)),
        ("lúc 9 giờ 15 phút ngày 5/1/2024", datetime(2024, 1, 5, 9, 15)),
        ("05/01/2024 02:30 CH", datetime(2024, 1, 5, 14, 30)),
        ("05/01/2024 12:10 SA", datetime(2024, 1, 5, 0, 10)),
        ("45296", datetime(2024, 1, 5)),
        ("45296,75", datetime(2024, 1, 5, 18)),
    ],
)
def test_parse_date_accepts_the_usual_spellings(text: str, expected: datetime) -> None:
    assert parse_date(text, now=NOW) == expected


def test_parse_date_accepts_spreadsheet_values() -> None:
    assert parse_date(date(2024, 1, 5), now=NOW) == datetime(2024, 1, 5)
    assert parse_date(datetime(2024, 1, 5, 8), now=NOW) == datetime(2024, 1, 5, 8)
    assert parse_date(45296.5, now=NOW) == datetime(2024, 1, 5, 12)


def test_parse_date_month_first_only_when_asked() -> None:
    assert parse_date("01/05/2024", order="mdy", now=NOW) == datetime(2024, 1, 5)
    assert parse_date("01/05/2024", now=NOW) == datetime(2024, 5, 1)
    with pytest.raises(DataError, match=r"Tháng 25 không tồn tại.*mm/dd/yyyy") as info:
        parse_date("01/25/2024", row=7, field="Ngày xảy ra", now=NOW)
    assert (info.value.row, info.value.field, info.value.value) == (7, "Ngày xảy ra", "01/25/2024")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Thiếu ngày"),
        (None, "Thiếu ngày"),
        ("hôm qua", "Không đọc được ngày"),
        ("31/02/2024", "không có trên lịch"),
        ("05/01/2024 25:00", "Giờ không hợp lệ"),
        ("05/01/2024 13:00 CH", "SA/CH"),
        ("10/01/2030", "tương lai"),
        ("05/01/1999", "quá xa"),
        ("0", "Excel"),
        (True, "Không phải là ngày"),
    ],
)
def test_parse_date_rejects_with_row_and_field(value: object, message: str) -> None:
    with pytest.raises(DataError, match=message) as info:
        parse_date(value, now=NOW, file="a.csv", row=3, field="Ngày")
    assert (info.value.file, info.value.row, info.value.field) == ("a.csv", 3, "Ngày")


def test_guess_date_order_and_format_choice() -> None:
    assert guess_date_order(["13/01/2024", "01/02/2024"]).order == "dmy"
    us = guess_date_order(["01/13/2024", "02/01/2024", 45296, None])
    assert (us.order, us.month_first, us.slashed) == ("mdy", 1, 2)
    mixed = guess_date_order(["13/01/2024", "01/13/2024"])
    assert (mixed.order, mixed.day_first, mixed.month_first) == ("dmy", 1, 1)
    assert guess_date_order(["2024-01-13"]).order == "ambiguous"
    assert date_order("auto") is None
    assert date_order("mm/dd/yyyy") == "mdy"
    with pytest.raises(DataError, match="không được hỗ trợ"):
        date_order("%d/%m/%y")


@given(st.text(max_size=30))
def test_parse_date_returns_a_date_or_our_error(text: str) -> None:
    value, error = _outcome(parse_date, text, now=NOW, row=2, field="Ngày")
    if error is not None:
        assert (error.row, error.field) == (2, "Ngày")
        assert error.message
    else:
        assert datetime(2000, 1, 1) <= value <= NOW


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=NOW).map(lambda d: d.replace(microsecond=0)))
def test_parse_date_round_trips_vietnamese_and_iso_text(moment: datetime) -> None:
    assert parse_date(moment.strftime("%d/%m/%Y %H:%M:%S"), now=NOW) == moment
    assert parse_date(moment.strftime("%m/%d/%Y %H:%M:%S"), order="mdy", now=NOW) == moment
    assert parse_date(moment.isoformat(), now=NOW) == moment


@given(st.floats(min_value=36526, max_value=46000, allow_nan=False))
def test_parse_date_excel_serials_are_days_since_1899_12_30(serial: float) -> None:
    value = parse_date(serial, now=NOW)
    assert abs((value - datetime(1899, 12, 30)) / timedelta(days=1) - serial) < 1 / 86400 + 1e-9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("105,6123", 105.6123),
        ("105.6123", 105.6123),
        (" 20,05 ", 20.05),
        ("2.217.920,5", 2217920.5),
        ("2,217,920.5", 2217920.5),
        ("2 217 920,5", 2217920.5),
        ("−20,5", -20.5),
        ("+7", 7.0),
        ("2,21792E+06", 2217920.0),
        (12, 12.0),
    ],
)
def test_parse_number_reads_decimal_commas(text: object, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Thiếu"),
        (None, "Thiếu"),
        ("abc", "Không phải là số"),
        ("1,2,3", "nhiều dấu"),
        ("1.2,3.4", "không hợp lệ"),
    ],
)
def test_parse_number_rejects_with_row_and_field(value: object, message: str) -> None:
    with pytest.raises(DataError, match=message) as info:
        parse_number(value, row=4, field="Kinh độ")
    assert (info.value.row, info.value.field) == (4, "Kinh độ")


@given(st.one_of(st.text(max_size=20), st.floats(), st.integers(), st.none(), st.booleans()))
def test_parse_number_returns_a_finite_float_or_our_error(value: object) -> None:
    number, error = _outcome(parse_number, value, row=9, field="Vĩ độ")
    if error is not None:
        assert (error.row, error.field) == (9, "Vĩ độ")
    else:
        assert math.isfinite(number)


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False).map(lambda x: round(x, 6)))
def test_parse_number_round_trips_both_decimal_marks(number: float) -> None:
    text = f"{number:.6f}"
    assert parse_number(text) == pytest.approx(number)
    assert parse_number(text.replace(".", ",")) == pytest.approx(number)


def test_parse_count_reads_thousands_separators() -> None:
    assert [parse_count(v) for v in ("10.235", "10,235", "1.234.567", "10 235", "7400", 7400.0, "0")] == [
        10235,
        10235,
        1234567,
        10235,
        7400,
        7400,
        0,
    ]
    with pytest.raises(DataError, match="số nguyên không âm") as info:
        parse_count("10,5", row=3, field="Dân số")
    assert (info.value.row, info.value.field) == (3, "Dân số")
    with pytest.raises(DataError, match="số nguyên không âm"):
        parse_count(-1)


@given(st.integers(min_value=0, max_value=10**9))
def test_parse_count_round_trips_grouped_digits(number: int) -> None:
    assert parse_count(f"{number:,}".replace(",", ".")) == number
    assert parse_count(f"{number:,}") == number
    assert parse_count(str(number)) == number


def test_parse_degrees_reads_decimal_and_dms() -> None:
    assert parse_degrees("20°05'06\"N") == pytest.approx(20.085)
    assert parse_degrees("105° 39′ 00″ E") == pytest.approx(105.65)
    assert parse_degrees("20°30'S") == pytest.approx(-20.5)
    assert parse_degrees("105,65") == pytest.approx(105.65)
    with pytest.raises(DataError, match="nhỏ hơn 60"):
        parse_degrees("20°75'N", row=2, field="Vĩ độ")
    with pytest.raises(DataError, match="độ-phút-giây"):
        parse_degrees("20°x", row=2, field="Vĩ độ")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Trộm cắp tài sản", "trom_cap_tai_san"),
        ("TROM CAP TAI SAN", "trom_cap_tai_san"),
        ("trôm cap tai san", "trom_cap_tai_san"),
        ("trom_cap_tai_san", "trom_cap_tai_san"),
        ("Theft", "trom_cap_tai_san"),
        ("Tội trộm cắp tài sản", "trom_cap_tai_san"),
        ("Điều 173 BLHS", "trom_cap_tai_san"),
        ("Danh bac", "danh_bac"),
        ("Cố ý gây thương tich", "co_y_gay_thuong_tich"),
        ("Mâu thuẫn đất đai", "mau_thuan_dat_dai"),
        ("Huỷ hoại hoặc cố ý làm hư hỏng tài sản", "huy_hoai_tai_san"),
        ("Tàng trữ trái phép chất ma tuý", "tang_tru_ma_tuy"),
        ("Tang tru trai phep chat ma tui", "tang_tru_ma_tuy"),
        ("Lừa đảo chiếm đoạt tài sảnn", "lua_dao_chiem_doat"),
    ],
)
def test_parse_offence_matches_names_codes_and_variants(text: str, code: str) -> None:
    assert parse_offence(text) == code


def test_parse_offence_unknown_names_and_analyst_mapping() -> None:
    with pytest.raises(DataError, match="Không nhận ra tội danh") as info:
        parse_offence("Mua bán người", row=12, field="Tội danh")
    assert (info.value.row, info.value.field, info.value.value) == (12, "Tội danh", "Mua bán người")
    assert parse_offence("Mua bán người", mapping={"mua ban nguoi": "gay_roi_trat_tu"}) == "gay_roi_trat_tu"
    with pytest.raises(DataError, match="không có trong danh mục"):
        parse_offence("Mua bán người", mapping={"Mua bán người": "khong_co_ma_nay"})
    with pytest.raises(DataError, match="Thiếu tội danh"):
        parse_offence("  ")


def test_every_taxonomy_name_matches_its_own_code() -> None:
    for offence in load_offences():
        assert parse_offence(offence.name_vi) == offence.code
        assert parse_offence(fold(offence.name_vi)) == offence.code
        assert parse_offence(offence.name_en) == offence.code


@given(st.text(max_size=40))
def test_parse_offence_returns_a_code_or_our_error(text: str) -> None:
    codes = {o.code for o in load_offences()}
    code, error = _outcome(parse_offence, text, row=5, field="Tội danh")
    if error is not None:
        assert (error.row, error.field) == (5, "Tội danh")
    else:
        assert code in codes
