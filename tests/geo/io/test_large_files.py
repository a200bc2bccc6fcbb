"""Large files: held column by column (`ColumnRows`) and checked chunk by chunk, with the same outcome as small ones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pytest

import geo.io.incident_chunks as incident_chunks
import geo.io.raw_table as raw_table
import geo.io.tables as tables
from geo import settings
from geo._errors import DataError
from geo.io.incident_import import validate_incidents
from geo.io.layers import load_communes
from geo.io.raw_table import ColumnRows
from geo.io.safety import Limits
from geo.io.tables import read_table

NOW = datetime(2026, 11, 27, 12, 0)
DATA = Path(__file__).resolve().parents[2] / "data"

ODD = (
    "ghi chú đầu tệp\n"
    "\n"
    "Mã vụ;Ngày xảy ra;Tội danh;Kinh độ;Vĩ độ;Mô tả\r\n"
    "A1;05/01/2024 14:30;Trộm cắp tài sản;105,6163;20,0601;thường\r\n"
    "\r\n"
    'A2;06/01/2024;Đánh bạc;105.62;20.07;"hai\ndòng"\r\n'
    "A3;07/01/2024\r\n"
    "A4;08/01/2024;Trộm cắp tài sản;105.62;20.07;dư;;\r\n"
    "A5;31/02/2024;Tội lạ;106,9;20,07;=1+1\r\n"
    ";;;;;\r\n"
    "A1;09/01/2024 08:00;trom cap tai san;20.07;105.62;lặp\r\n"
)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 2 rows, every CSV held as `ColumnRows`, chunks of the same 2 rows."""
    monkeypatch.setattr(raw_table, "BLOCK", 2)
    monkeypatch.setattr(tables, "_COMPACT_FROM", 1)
    monkeypatch.setattr(incident_chunks, "CHUNK_ROWS", 2)


@pytest.fixture(scope="module")
def communes() -> gpd.GeoDataFrame:
    return load_communes(settings.DEMO_COMMUNES_PATH)


def _texts() -> list[bytes]:
    messy = (DATA / "vu_viec_lon_xon.csv").read_bytes()
    lone_cr = ODD.replace("\r\n", "\r").encode()
    return [
        ODD.encode(),
        messy,
        lone_cr,
        ODD.encode("utf-16"),
        b"\xef\xbb\xbf" + ODD.replace(";", "\t").encode(),
    ]


@pytest.mark.parametrize("index", range(5))
def test_a_file_held_column_by_column_has_the_same_rows(
    index: int, small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _texts()[index]
    compact = read_table(data, name="x.csv")
    assert isinstance(compact.rows, ColumnRows)
    monkeypatch.setattr(tables, "_COMPACT_FROM", 10**9)
    plain = read_table(data, name="x.csv")
    assert isinstance(plain.rows, tuple)
    assert compact.rows == plain.rows
    assert tuple(compact.rows) == plain.rows
    assert compact.rows[1:3] == plain.rows[1:3]
    assert compact.rows[-1] == plain.rows[-1]
    assert tuple(compact.row_numbers) == plain.row_numbers
    assert (compact.columns, compact.sha256, compact.encoding) == (
        plain.columns,
        plain.sha256,
        plain.encoding,
    )


def test_a_block_never_holds_more_rows_than_its_size(small_blocks: None) -> None:
    table = read_table(ODD.encode(), name="x.csv")
    assert isinstance(table.rows, ColumnRows)
    sizes = [table.rows.block_size(b) for b in range(table.rows.blocks)]
    assert max(sizes) == 2
    assert sum(sizes) == len(table.rows) == 8
    chunks = list(tables.column_chunks(table, 2))
    assert [len(numbers) for _, (_, numbers) in chunks] == sizes
    assert [int(n) for _, (_, numbers) in chunks for n in numbers] == list(table.row_numbers)


@pytest.mark.parametrize("index", range(5))
def test_a_file_checked_chunk_by_chunk_gives_the_same_report(
    index: int, communes: gpd.GeoDataFrame, small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _texts()[index]
    chunked = validate_incidents(read_table(data, name="x.csv"), communes, now=NOW)
    monkeypatch.setattr(tables, "_COMPACT_FROM", 10**9)
    monkeypatch.setattr(incident_chunks, "CHUNK_ROWS", 10**6)
    whole = validate_incidents(read_table(data, name="x.csv"), communes, now=NOW)
    assert chunked.issues == whole.issues
    assert chunked.incidents.equals(whole.incidents)
    assert (chunked.rows, chunked.empty_rows, chunked.unknown_offences) == (
        whole.rows,
        whole.empty_rows,
        whole.unknown_offences,
    )


def test_the_odd_file_reports_every_problem(communes: gpd.GeoDataFrame, small_blocks: None) -> None:
    result = validate_incidents(read_table(ODD.encode(), name="x.csv"), communes, now=NOW)
    assert result.incidents["incident_id"].tolist() == ["A1", "A2", "A4"]
    assert result.incidents["description"].tolist() == ["thường", "hai\ndòng", "dư"]
    assert (result.rows, result.empty_rows) == (6, 2)
    rows = {(i.row, i.field) for i in result.errors}
    assert (7, "Kinh độ") in rows or (7, "Tội danh") in rows  # A3: a short row
    assert {r for r, _ in rows} == {7, 9, 11}
    assert result.unknown_offences == {"Tội lạ": 1}


def test_damaged_rows_are_reported_at_their_row(small_blocks: None) -> None:
    extra = ODD.replace("A4;08/01/2024;Trộm cắp tài sản;105.62;20.07;dư;;", "A4;08/01/2024;x;1;2;3;4")
    with pytest.raises(DataError) as error:
        read_table(extra.encode(), name="x.csv")
    assert error.value.row == 8
    huge = "Mã vụ;Ngày\n" + "a;b\n" * 5 + "c;" + "x" * 200_000 + "\nd;e\n"
    with pytest.raises(DataError) as damaged:  # beyond the csv module's field limit
        read_table(huge.encode(), name="x.csv", limits=Limits.of())
    assert damaged.value.row == 7


@pytest.mark.parametrize(("rows", "cells"), [(4, 10**6), (10**6, 25)])
def test_the_row_and_cell_limits_hold_across_blocks(small_blocks: None, rows: int, cells: int) -> None:
    text = "Mã vụ;Ngày xảy ra;Tội danh\n" + "a;b;c\n" * 10
    limits = Limits(10**9, 10**9, 100, 100, rows, cells)
    with pytest.raises(DataError) as error:
        read_table(text.encode(), name="x.csv", limits=limits)
    assert "dòng" in error.value.message or "ô" in error.value.message


@pytest.mark.parametrize("index", range(5))
def test_releasing_the_rows_while_checking_gives_the_same_report(
    index: int, communes: gpd.GeoDataFrame, small_blocks: None
) -> None:
    data = _texts()[index]
    kept = validate_incidents(read_table(data, name="x.csv"), communes, now=NOW)
    table = read_table(data, name="x.csv")
    released = validate_incidents(table, communes, now=NOW, release_rows=True)
    assert released.issues == kept.issues
    assert released.incidents.equals(kept.incidents)
    assert (released.rows, released.empty_rows) == (kept.rows, kept.empty_rows)
    if isinstance(table.rows, ColumnRows) and table.rows.blocks and len(kept.incidents):
        with pytest.raises(RuntimeError):
            list(table.rows)
