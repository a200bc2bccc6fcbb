"""The cells of an incident file as read (`RawTable`), held column by column for a large CSV (`ColumnRows`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from geo._errors import DataError
from geo.io.headers import (
    header_row,
    present,
    unique_headers,
)


@dataclass(frozen=True)
class RawTable:
    """The cells of an incident file, as read, before any validation.

    Attributes
    ----------
    name
        The file name (shown in reports).
    sha256
        Hash of the file's bytes (identifies a batch).
    columns
        Header cells as written in the file.
    rows
        Data rows; each as long as ``columns``. Cells are text (CSV), or text, numbers, dates (XLSX).
        A tuple of tuples, or for a large CSV file a `ColumnRows` (the same rows, held column by column).
    row_numbers
        The spreadsheet row number of each data row (the header row has its own number, usually 1).
    kind
        ``"csv"``, ``"xlsx"`` or ``"geojson"``.
    encoding
        The text encoding of a CSV file.
    crs
        The CRS a GeoJSON file names (``None`` elsewhere).
    """

    name: str
    sha256: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[Any, ...]]
    row_numbers: Sequence[int]
    kind: str
    encoding: str | None = None
    crs: str | None = None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of cells are made (they form no cycles).

    Each full collection walks every object alive: reading and checking a million rows spent
    seconds in it. Reference counting frees everything as usual; the collector resumes after.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def column_chunks(
    table: RawTable, size: int, *, only: Sequence[int] | None = None, release: bool = False
) -> Iterator[tuple[int, tuple[list[Sequence[Any]], np.ndarray]]]:
    """Yield ``(first row index, (cells column by column, row numbers))`` for ``size`` rows of ``table`` at a time.

    ``only``: the indexes of the columns wanted (the others are empty); default every column.
    ``release``: the cells of a `ColumnRows` block are freed once its chunk has been used (the
    table's rows cannot be read again: for a caller that reads them once, e.g. the command line).
    """
    width = len(table.columns)
    wanted = range(width) if only is None else only
    rows = table.rows
    if isinstance(rows, ColumnRows) and size == BLOCK and rows.width == width:
        for block in range(rows.blocks):
            start, count = block * BLOCK, rows.block_size(block)
            numbers = np.asarray(table.row_numbers[start : start + count], dtype=np.int64)
            yield start, (list[Sequence[Any]](rows.block_columns(block, only)), numbers)
            if release:
                rows.release(block)
        return
    for start in range(0, len(table.rows), size):
        part = table.rows[start : start + size]
        numbers = np.asarray(table.row_numbers[start : start + size], dtype=np.int64)
        cells: list[Sequence[Any]] = [[] for _ in range(width)]
        for index in wanted:
            cells[index] = [row[index] for row in part]
        yield start, (cells, numbers)


BLOCK = 1 << 16
"""Rows per block of a `ColumnRows` (the chunk the importer checks at once, `geo.io.incident_import`)."""


_SEP = "\x00"
"""Joins the cells of a column block: a CSV with a NUL is refused before it is read, and cleaning removes them."""


class ColumnRows(Sequence[tuple[Any, ...]]):
    """The data rows of a large CSV file, held column by column: a block of rows is one text per column.

    A million rows as tuples of Python strings take about 650 MB; as joined column texts, about 120 MB.
    Rows are made again as tuples when read (`column_chunks` gives whole columns of a block at once).
    Rows not as wide as the header (blank lines, short rows) are kept as they are, padded with None.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self._blocks: list[tuple[int, list[str] | None, dict[int, tuple[Any, ...]]]] = []
        self._length = 0

    def add_block(self, rows: list[list[Any]]) -> None:
        """Append ``rows`` (cells of data rows, at most `BLOCK` of them) as one block."""
        odd: dict[int, tuple[Any, ...]] = {}
        regular: Sequence[Sequence[Any]] = rows
        if set(map(len, rows)) - {self.width}:  # blank lines, short or long rows: kept aside
            filler = [""] * self.width
            regular = []
            for index, row in enumerate(rows):
                if len(row) == self.width:
                    regular.append(row)
                else:
                    odd[index] = tuple(row[: self.width]) + (None,) * (self.width - len(row))
                    regular.append(filler)
        columns = [_SEP.join([row[i] for row in regular]) for i in range(self.width)] if regular else []
        self._blocks.append((len(rows), columns or [""] * self.width, odd))
        self._length += len(rows)

    def block_columns(self, block: int, only: Sequence[int] | None = None) -> list[list[Any]]:
        """Return the cells of block number ``block``, column by column (only the columns ``only``: others empty)."""
        size, columns, odd = self._blocks[block]
        if columns is None:
            raise RuntimeError(f"block {block} of the rows was released (`column_chunks(release=True)`)")
        out: list[list[Any]] = [[] for _ in range(self.width)]
        for index in range(self.width) if only is None else only:
            cells = columns[index].split(_SEP) if size else []
            for row, values in odd.items():
                cells[row] = values[index]
            out[index] = cells
        return out

    def release(self, block: int) -> None:
        """Free the cells of block number ``block`` (reading it again raises `RuntimeError`)."""
        size, _, _ = self._blocks[block]
        self._blocks[block] = (size, None, {})

    @property
    def blocks(self) -> int:
        """How many blocks of rows (each `BLOCK` rows, the last one fewer)."""
        return len(self._blocks)

    def block_size(self, block: int) -> int:
        """How many rows block number ``block`` holds."""
        return self._blocks[block][0]

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for block in range(len(self._blocks)):
            yield from zip(*self.block_columns(block), strict=True)

    @overload
    def __getitem__(self, index: int) -> tuple[Any, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[Any, ...], ...]: ...

    def __getitem__(self, index: int | slice) -> tuple[Any, ...] | tuple[tuple[Any, ...], ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._length)))
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        block, row = divmod(index, BLOCK)
        return tuple(column[row] for column in self.block_columns(block))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnRows | tuple | list):
            return len(self) == len(other) and all(a == tuple(b) for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def table_of(
    records: list[list[Any]], *, name: str, digest: str, kind: str, encoding: str | None = None
) -> RawTable:
    """Return the `RawTable` of a file read as a list of records (header found, rows padded to its width)."""
    header_at = header_row(records)
    if header_at is None:
        raise DataError("Tệp không có dòng tiêu đề cột nào.", file=name)
    columns = unique_headers(records[header_at])
    width = len(columns)
    rows, numbers = [], []
    for index in range(header_at + 1, len(records)):
        cells = list(records[index])[:width]
        extra = list(records[index])[width:]
        if any(present(c) for c in extra):
            raise DataError(
                f"Dòng có nhiều ô hơn dòng tiêu đề ({len(records[index])} > {width}): "
                "kiểm tra dấu phân cách.",
                file=name,
                row=index + 1,
            )
        rows.append(tuple(cells + [None] * (width - len(cells))))
        numbers.append(index + 1)
    return RawTable(name, digest, tuple(columns), tuple(rows), tuple(numbers), kind, encoding)
