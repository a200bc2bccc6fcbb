"""The column-wise fast path gives exactly what the per-row parsers give, or leaves the value to them."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo._errors import DataError
from geo.io.fast_parse import fast_date_order, fast_degrees, fast_number, fast_when, fast_when_array
from geo.io.incident_chunks import drop_empty
from geo.io.incident_rows import id_text, id_texts, is_filled, text_cell, text_cells
from geo.io.numbers import parse_degrees, parse_number
from geo.io.parsing import guess_date_order, parse_when

NOW = datetime(2026, 11, 30, 12, 0)

_dates = st.builds(
    lambda d, m, y, sep, clock, h, mi, s, pad, iso: (
        (f"{y}-{m:0{pad}d}-{d:0{pad}d}" if iso else f"{d:0{pad}d}{sep}{m:0{pad}d}{sep}{y}")
        + (
            ""
            if clock == 0
            else f" {h}:{mi:02d}"
            if clock == 1
            else f"{'T' if iso else ' '}{h:02d}:{mi:02d}:{s:02d}"
        )
    ),
    st.integers(0, 32),
    st.integers(0, 13),
    st.integers(1899, 2027),
    st.sampled_from(["/", "-", "."]),
    st.integers(0, 2),
    st.integers(0, 24),
    st.integers(0, 60),
    st.integers(0, 60),
    st.sampled_from([1, 2]),
    st.booleans(),
)
_values = st.one_of(
    _dates, st.text(max_size=20), st.none(), st.floats(allow_nan=True), st.integers(-5, 50000)
)


def _slow_when(value: object, order: str) -> tuple[datetime, str] | None:
    try:
        return parse_when(value, order=order, now=NOW)
    except DataError:
        return None


@settings(max_examples=150, deadline=None)
@given(st.lists(_values, max_size=12), st.sampled_from(["dmy", "mdy"]))
def test_fast_dates_equal_the_per_row_parser_where_they_answer(values: list[object], order: str) -> None:
    times, precisions = fast_when(values, order=order, now=NOW)
    for value, fast, precision in zip(values, times, precisions, strict=True):
        if fast is not None:
            assert (fast, precision) == _slow_when(value, order), value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/01/2024 14:30", (datetime(2024, 1, 5, 14, 30), "minute")),
        ("5/1/2024", (datetime(2024, 1, 5), "day")),
        ("05/01/2024 00:00", (datetime(2024, 1, 5), "day")),
        ("2024-01-05T14:30:15", (datetime(2024, 1, 5, 14, 30, 15), "minute")),
        ("29/02/2023", None),  # not on the calendar: the per-row parser says so
        ("05/01/2030", None),  # in the future
        ("tháng 5/2024", None),  # month-only: another shape
        (45296.5, None),  # an Excel serial
    ],
)
def test_fast_dates_examples(value: object, expected: tuple[datetime, str] | None) -> None:
    times, precisions = fast_when([value], order="dmy", now=NOW)
    assert (None if times[0] is None else (times[0], precisions[0])) == expected


_numbers = st.one_of(
    st.builds(
        lambda sign, whole, mark, frac: f"{sign}{whole}{mark}{frac}",
        st.sampled_from(["", "-", "+", " "]),
        st.integers(0, 999),
        st.sampled_from([".", ",", ""]),
        st.text("0123456789", max_size=8),
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-200, 200),
    st.text(max_size=10),
    st.none(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_numbers, max_size=12))
def test_fast_degrees_equal_the_per_row_parser_where_they_answer(values: list[object]) -> None:
    for value, fast in zip(values, fast_degrees(values), strict=True):
        if not math.isnan(fast):
            assert fast == parse_degrees(value), value


def test_fast_degrees_examples() -> None:
    got = fast_degrees(["105,6163", " 20.06 ", "20°05'06\"N", "1.234,5", True, 105.5, "", None])
    assert got[:2].tolist() == [105.6163, 20.06]
    assert math.isnan(got[2])
    assert math.isnan(got[3])
    assert math.isnan(got[4])
    assert got[5] == 105.5
    assert math.isnan(got[6])
    assert math.isnan(got[7])


# The fixed layouts read as code points (`geo.io.fast_parse._SHAPES`), valid or not, among other values.
_fixed = st.builds(
    lambda d, m, y, h, mi, s, layout: (
        layout.replace("dd", f"{d:02d}")
        .replace("mm", f"{m:02d}")
        .replace("yyyy", f"{y:04d}")
        .replace("HH", f"{h:02d}")
        .replace("MM", f"{mi:02d}")
        .replace("SS", f"{s:02d}")
    ),
    st.integers(0, 39),
    st.integers(0, 19),
    st.sampled_from([0, 1899, 1900, 1999, 2000, 2023, 2024, 2026, 2027, 9999]),
    st.integers(0, 29),
    st.integers(0, 69),
    st.integers(0, 69),
    st.sampled_from(
        [
            "dd/mm/yyyy HH:MM",
            "dd/mm/yyyy",
            "dd/mm/yyyy HH:MM:SS",
            "yyyy-mm-dd HH:MM",
            "yyyy-mm-dd",
            "yyyy-mm-dd HH:MM:SS",
            "yyyy-mm-ddTHH:MM:SS",
            "yyyy-mm-ddTHH:MM",
            "dd-mm-yyyy HH:MM",
            "dd.mm.yyyy",
            " dd/mm/yyyy HH:MM",
            "dd/mm/yyyy HH:MM ",
            "yyyy/mm/dd",
        ]
    ),
)
_fixed_or_not = st.one_of(_fixed, _fixed.map(lambda t: t.replace("0", "٠")), _values)


@settings(max_examples=150, deadline=None)
@given(st.lists(_fixed_or_not, max_size=12), st.sampled_from(["dmy", "mdy"]))
def test_fixed_layouts_equal_the_per_row_parser_where_they_answer(values: list[object], order: str) -> None:
    times, precisions = fast_when(values, order=order, now=NOW)
    for value, fast, precision in zip(values, times, precisions, strict=True):
        if fast is not None:
            assert (fast, precision) == _slow_when(value, order), value


def test_fixed_layouts_answer_for_the_common_shapes() -> None:
    values = ["05/01/2024 14:30", "31/04/2024", "2024-02-29T23:59:59", "29/02/2023 10:00", "01/12/2026 00:00"]
    times, precisions = fast_when(values, order="dmy", now=NOW)
    assert times == [datetime(2024, 1, 5, 14, 30), None, datetime(2024, 2, 29, 23, 59, 59), None, None]
    assert precisions == ["minute", "", "minute", "", ""]
    stamps, kinds = fast_when_array(["05/01/2024", None, 3.5], order="dmy", now=NOW)
    assert stamps[0] == np.datetime64("2024-01-05T00:00", "ns")
    assert np.isnat(stamps[1:]).all()
    assert kinds.tolist() == ["day", "", ""]


@settings(max_examples=100, deadline=None)
@given(st.lists(_fixed_or_not, max_size=12))
def test_the_date_order_guess_is_the_per_row_guess(values: list[object]) -> None:
    assert fast_date_order(values) == guess_date_order(values)


_plain_numbers = st.one_of(
    _numbers,
    st.builds(
        lambda sign, whole, mark, frac, pad: f"{pad}{sign}{whole}{mark}{frac}{pad}",
        st.sampled_from(["", "-", "+"]),
        st.integers(0, 10**25),
        st.sampled_from([".", ",", "", ",,", ".,"]),
        st.text("0123456789", max_size=12),
        st.sampled_from(["", " ", "\t", "\u00a0"]),
    ),
    st.integers(-(10**400), 10**400),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_plain_numbers, max_size=12))
def test_fast_numbers_equal_the_per_row_parsers_where_they_answer(values: list[object]) -> None:
    for value, fast in zip(values, fast_number(values), strict=True):
        if not math.isnan(fast):
            assert fast == parse_number(value), value
            assert fast == parse_degrees(value), value


_plain_numbers = st.builds(
    lambda sign, whole, mark, fraction, left, right: (
        f"{left}{sign}{whole}{mark + fraction if fraction else ''}{right}"
    ),
    st.sampled_from(["", "-", "+"]),
    st.integers(0, 10**6),
    st.sampled_from([".", ","]),
    st.sampled_from(["", "0", "5", "123456789"]),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", " ", "\u00a0"]),
)
_cells = st.one_of(_plain_numbers, st.text(alphabet=" \t\u00a0'=+-@,.0123456789abc\x00", max_size=8))


def _per_value_number(values: list[object]) -> np.ndarray:
    return np.concatenate([fast_number([v]) for v in values]) if values else np.array([], dtype=float)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_plain_numbers, _cells), max_size=10))
def test_a_whole_column_of_numbers_reads_as_each_value_alone(values: list[str]) -> None:
    assert np.array_equal(fast_number(values), _per_value_number(values), equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(_plain_numbers, min_size=1, max_size=10))
def test_a_column_of_plain_numbers_is_read_at_once_as_the_parser_reads_them(values: list[str]) -> None:
    assert fast_number(values).tolist() == [parse_number(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_cells, st.none(), st.floats(allow_nan=True), st.integers(-5, 99)), max_size=10))
def test_ids_and_texts_of_a_column_are_those_of_each_value(values: list[object]) -> None:
    assert id_texts(values) == [id_text(v) for v in values]
    assert text_cells(values) == [text_cell(v) for v in values]
    texts = [v for v in values if isinstance(v, str)]
    assert id_texts(texts) == [id_text(v) for v in texts]
    assert text_cells(texts) == [text_cell(v) for v in texts]


@pytest.mark.parametrize(
    "odd", [".5", "5.", "-.5", "+,5", "5,", "+-5", "5-", "", "-", "1,2.3", "1" * 21, "1e5", "nan", " 5", "٣"]
)
def test_one_odd_value_in_a_column_of_plain_numbers_is_read_as_alone(odd: str) -> None:
    values = ["105,61", "-20.5", "+3", odd, "0"]
    assert np.array_equal(fast_number(values), _per_value_number(values), equal_nan=True)
    assert fast_number(["105,61", "-20.5", "+3", "0"]).tolist() == [105.61, -20.5, 3.0, 0.0]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(_cells, st.none(), st.floats(allow_nan=True)), min_size=3, max_size=3), max_size=8
    )
)
def test_empty_rows_of_a_chunk_are_those_of_each_row(rows: list[list[object]]) -> None:
    cells: list[list[object]] = [[r[i] for r in rows] for i in range(3)]
    kept, numbers, blank = drop_empty(cells, np.arange(len(rows)))  # type: ignore[arg-type]
    expected = [i for i, r in enumerate(rows) if any(is_filled(c) for c in r)]
    assert numbers.tolist() == expected
    assert blank == len(rows) - len(expected)
    assert [list(c) for c in kept] == [[rows[i][k] for i in expected] for k in range(3)]
    texts = [["" if not isinstance(v, str) else v for v in c] for c in cells]
    _, numbers, _ = drop_empty(texts, np.arange(len(rows)))  # type: ignore[arg-type]
    assert numbers.tolist() == [i for i in range(len(rows)) if any(is_filled(c[i]) for c in texts)]
