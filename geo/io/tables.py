"""Read incident files (CSV in any Vietnamese encoding, XLSX, GeoJSON points) and recognise their columns."""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import itertools
import json
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

from geo._errors import DataError
from geo.io.files import decode_text, read_bytes
from geo.io.geojson import parse_document
from geo.io.safety import (
    CellCounter,
    Limits,
    clean_cell,
    clean_text,
    needs_cleaning,
    open_zip,
    safe_name,
    too_many_cells,
    too_many_rows,
)
from geo.taxonomy import fold

FIELDS: dict[str, str] = {
    "incident_id": "Mã vụ",
    "occurred_at": "Ngày xảy ra",
    "time": "Giờ xảy ra",
    "offence": "Tội danh / Loại vụ việc",
    "lon": "Kinh độ",
    "lat": "Vĩ độ",
    "commune": "Xã",
    "address": "Địa chỉ",
    "description": "Mô tả",
    "status": "Trạng thái",
}
"""Fields an incident file can hold → their Vietnamese label."""

REQUIRED = ("occurred_at", "offence", "lon", "lat")
"""Fields a file needs: a time, an offence and a place: coordinates, or else a commune (`missing_fields`)."""


def missing_fields(chosen: Iterable[str]) -> list[str]:
    """Return the required fields ``chosen`` (field names) lacks: a commune column stands in for coordinates.

    Most commune police ledgers record a commune and a hamlet, not GPS: their rows are placed at
    commune level.

    Examples
    --------
    >>> missing_fields({"occurred_at", "offence", "commune"}), missing_fields({"occurred_at", "lon"})
    ([], ['offence', 'lat'])
    """
    have = set(chosen)
    placed = "commune" in have and not ({"lon", "lat"} & have)
    return [f for f in REQUIRED if f not in have and not (placed and f in ("lon", "lat"))]


GEOMETRY_X = "geometry.x"
GEOMETRY_Y = "geometry.y"

ROW_NUMBER_HEADERS = ("stt", "tt", "so tt", "so thu tu", "no", "no.", "nr", "#", "row", "s no", "sr no")
"""Headers of a row-number column ("STT", "No."): never an incident id (the next month restarts at 1)."""

# Folded header spellings (see `header_key`) → field, most specific first.
_HEADERS: dict[str, tuple[str, ...]] = {
    "incident_id": ("ma vu", "ma vu viec", "so vu", "so hieu vu viec", "ma so", "ma ho so", "so ho so", "id",
                    "incident id", "ma"),
    "occurred_at": ("ngay xay ra", "ngay gio xay ra", "thoi gian xay ra", "ngay gio", "ngay vu viec",
                    "ngay phat hien", "ngay tiep nhan", "thoi diem xay ra", "thoi gian", "ngay", "thang",
                    "date", "datetime", "occurred at", "occurred", "date occurred", "month"),
    "time": ("gio xay ra", "gio", "time"),
    "offence": ("toi danh loai vu viec", "toi danh", "loai vu viec", "loai vu", "loai toi pham",
                "hanh vi vi pham", "hanh vi", "ma toi danh", "loai", "offence", "offense", "offence code",
                "crime type", "crime", "offense type", "offence type", "category", "type",
                "ten toi danh", "loai vi pham", "hanh vi vi pham phap luat"),
    "lon": (GEOMETRY_X, "kinh do", "lon", "lng", "long", "longitude", "toa do x", "x"),
    "lat": (GEOMETRY_Y, "vi do", "lat", "latitude", "toa do y", "y"),
    "commune": ("ma xa", "xa phuong thi tran", "xa thi tran", "xa phuong", "ten xa", "xa", "dia ban",
                "don vi", "commune code", "commune", "ward", "neighbourhood", "neighborhood"),
    "address": ("dia chi", "dia diem xay ra", "noi xay ra", "dia diem", "thon xom to dan pho",
                "thon xom", "thon", "xom", "to dan pho", "address", "location", "street"),
    "description": ("mo ta", "tom tat noi dung", "tom tat", "noi dung", "dien bien", "ghi chu",
                    "description"),
    "status": ("trang thai", "ket qua xu ly", "ket qua giai quyet", "ket qua", "tinh trang", "status"),
}  # fmt: skip


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
    table: RawTable, size: int, *, only: Sequence[int] | None = None
) -> Iterator[tuple[int, tuple[list[Sequence[Any]], np.ndarray]]]:
    """Yield ``(first row index, (cells column by column, row numbers))`` for ``size`` rows of ``table`` at a time.

    ``only``: the indexes of the columns wanted (the others are empty); default every column.
    """
    width = len(table.columns)
    wanted = range(width) if only is None else only
    rows = table.rows
    if isinstance(rows, ColumnRows) and size == _BLOCK and rows.width == width:
        for block in range(rows.blocks):
            start, count = block * _BLOCK, rows.block_size(block)
            numbers = np.asarray(table.row_numbers[start : start + count], dtype=np.int64)
            yield start, (list[Sequence[Any]](rows.block_columns(block, only)), numbers)
        return
    for start in range(0, len(table.rows), size):
        part = table.rows[start : start + size]
        numbers = np.asarray(table.row_numbers[start : start + size], dtype=np.int64)
        cells: list[Sequence[Any]] = [[] for _ in range(width)]
        for index in wanted:
            cells[index] = [row[index] for row in part]
        yield start, (cells, numbers)


def header_key(text: object) -> str:
    """Fold a header for matching: no diacritics, no punctuation, single spaces.

    Examples
    --------
    >>> header_key("Tội danh / Loại vụ việc")
    'toi danh loai vu viec'
    >>> header_key("MaXa")
    'ma xa'
    """
    raw = str(text)
    spaced = "".join(
        f" {ch}" if ch.isupper() and i and raw[i - 1].islower() else ch for i, ch in enumerate(raw)
    )
    return " ".join(re.sub(r"[^a-z0-9.]+", " ", fold(spaced)).split()).strip(". ")


def read_table(
    source: bytes | Path,
    *,
    name: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
    limits: Limits | None = None,
) -> RawTable:
    """Read a CSV, XLSX or GeoJSON file of incidents into a `RawTable`.

    Parameters
    ----------
    source
        The file's bytes (an upload) or its path.
    name
        The file name, which also decides the format (default: the path's name).
    encoding
        Text encoding of a CSV file; detected when not given (UTF-8, UTF-8 with BOM, UTF-16,
        Windows-1258, Windows-1252).
    sheet
        Worksheet of an XLSX file (default: the first).
    max_bytes
        Larger files are refused (default `geo.settings.IMPORT_MAX_BYTES`), before they are read.
    limits
        Every limit at once (`geo.io.safety.Limits`; the command line's are `Limits.command_line`).

    Raises
    ------
    DataError
        The file is too large (on disk, uncompressed, or in rows and cells: see
        `geo.io.safety.Limits`), empty, of an unsupported kind, damaged, cannot be decoded, or has
        no header. Nothing else: any content gives this error or a table.
    """
    name = safe_name(name or (source.name if isinstance(source, Path) else "tệp tải lên"))
    limits = limits or Limits.of(max_bytes)
    data = read_bytes(source, name=name, max_bytes=limits.max_bytes)
    if not data.strip():
        raise DataError("Tệp rỗng.", file=name)
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise DataError(
            "Định dạng Excel 97–2003 (.xls) chưa hỗ trợ: hãy lưu lại thành .xlsx hoặc .csv.", file=name
        )
    try:
        if suffix in (".xlsx", ".xlsm") or (suffix not in (".csv", ".txt", ".tsv") and data[:2] == b"PK"):
            return _read_xlsx(data, name=name, digest=digest, sheet=sheet, limits=limits)
        if suffix in (".geojson", ".json") or data.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] == b"{":
            return _read_geojson(data, name=name, digest=digest, limits=limits)
        with gc_paused():
            return _read_csv(data, name=name, digest=digest, encoding=encoding, limits=limits)
    except MemoryError as exc:
        raise DataError(
            "Tệp cần quá nhiều bộ nhớ để đọc: hãy tách thành nhiều tệp nhỏ hơn.", file=name
        ) from exc


_COMPACT_FROM = 20_000
"""CSV files with at least this many data rows are held column by column (`ColumnRows`), smaller ones as tuples."""
_BLOCK = 1 << 16
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
        self._blocks: list[tuple[int, list[str], dict[int, tuple[Any, ...]]]] = []
        self._length = 0

    def add_block(self, rows: list[list[Any]]) -> None:
        """Append ``rows`` (cells of data rows, at most `_BLOCK` of them) as one block."""
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
        out: list[list[Any]] = [[] for _ in range(self.width)]
        for index in range(self.width) if only is None else only:
            cells = columns[index].split(_SEP) if size else []
            for row, values in odd.items():
                cells[row] = values[index]
            out[index] = cells
        return out

    @property
    def blocks(self) -> int:
        """How many blocks of rows (each `_BLOCK` rows, the last one fewer)."""
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
        block, row = divmod(index, _BLOCK)
        return tuple(column[row] for column in self.block_columns(block))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnRows | tuple | list):
            return len(self) == len(other) and all(a == tuple(b) for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _lines(text: str) -> Iterator[str]:
    r"""Yield the lines of ``text`` with their endings, as ``io.StringIO(text, newline="")`` does (``\n``, ``\r\n``, ``\r``).

    Without StringIO's copy of the whole text (four bytes a character: 400 MB for a 100 MB file).
    """
    if "\r" in text and text.count("\r") != text.count("\r\n"):  # a lone CR ends a line too (old Mac files)
        yield from io.StringIO(text, newline="")
        return
    start, size, find = 0, len(text), text.find
    while start < size:
        end = find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _read_csv(data: bytes, *, name: str, digest: str, encoding: str | None, limits: Limits) -> RawTable:
    text, used = decode_text(data, name=name, encoding=encoding)
    if "\x00" in text:
        raise DataError("Tệp chứa ký tự rỗng (NUL): không phải tệp văn bản CSV.", file=name)
    lines = list(itertools.islice((line for line in _lines(text) if line.strip()), 20))
    delimiter = max(";,\t|", key=lambda d: sum(line.count(d) for line in lines))
    clean = needs_cleaning(text)
    counter = CellCounter(name=name, limits=limits)
    reader = csv.reader(_lines(text), delimiter=delimiter)
    head: list[list[Any]] = []
    block: list[list[Any]] = []
    filled = False
    try:
        # The header is among the first rows (`_header_row`): read them, then the rest block by block.
        for record in reader:
            counter.add(len(record))
            head.append([clean_cell(c) for c in record] if clean else record)
            filled = filled or any(_present(c) for c in head[-1])
            if len(head) >= 15 and filled:
                break
        header_at = _header_row(head)
        if header_at is None:  # nothing but empty rows so far: the rest is read as it is
            head.extend(counter.rows_of(reader, clean=clean))
            return _table(head, name=name, digest=digest, kind="csv", encoding=used)
        columns = _unique_headers(head[header_at])
        width = len(columns)
        body = _Body(width, name=name, first_row=header_at + 2)
        body.extend(head[header_at + 1 :])
        while True:
            block = []
            block.extend(itertools.islice(reader, _BLOCK))  # kept up to a damaged row (its number)
            if not block:
                break
            counter.add_rows(block)
            body.extend([[clean_cell(c) for c in r] for r in block] if clean else block)
    except csv.Error as exc:
        counter.add_rows(block)  # the rows before the damaged one: the row limit is reported first, as before
        raise DataError(f"Tệp CSV không đọc được ({exc}).", file=name, row=counter.rows + 1) from exc
    body.finish()
    numbers: Sequence[int] = range(header_at + 2, header_at + 2 + len(body.rows))
    rows: Sequence[tuple[Any, ...]] = body.rows
    if len(body.rows) < _COMPACT_FROM:
        rows, numbers = tuple(body.rows), tuple(numbers)
    return RawTable(name, digest, tuple(columns), rows, numbers, "csv", used)


class _Body:
    """The data rows of a CSV file as they are read: checked (no cell beyond the header), kept as `ColumnRows`."""

    def __init__(self, width: int, *, name: str, first_row: int) -> None:
        self.rows = ColumnRows(width)
        self.width, self.name, self.next_row = width, name, first_row
        self.pending: list[list[Any]] = []
        self.error: DataError | None = None

    def extend(self, records: list[list[Any]]) -> None:
        width = self.width
        for offset, record in enumerate(records):
            if len(record) > width and any(_present(c) for c in record[width:]) and self.error is None:
                # Raised once the whole file is read: a damaged row further on is reported first, as before.
                self.error = DataError(
                    f"Dòng có nhiều ô hơn dòng tiêu đề ({len(record)} > {width}): kiểm tra dấu phân cách.",
                    file=self.name,
                    row=self.next_row + offset,
                )
        self.next_row += len(records)
        if self.error is not None:
            return
        self.pending.extend(records)
        while len(self.pending) >= _BLOCK:
            self.rows.add_block(self.pending[:_BLOCK])
            del self.pending[:_BLOCK]

    def finish(self) -> None:
        if self.error is not None:
            raise self.error
        if self.pending:
            self.rows.add_block(self.pending)
            self.pending = []


def _read_xlsx(data: bytes, *, name: str, digest: str, sheet: str | None, limits: Limits) -> RawTable:
    import openpyxl

    # The zip directory first: a workbook that inflates far beyond its size is never opened.
    open_zip(data, name=name, limits=limits, what="Excel (.xlsx)").close()
    broken = DataError("Không mở được tệp Excel (.xlsx): tệp hỏng hoặc không phải .xlsx.", file=name)
    # openpyxl reports a damaged file with whatever its zip, zlib or XML layer raised: any error
    # while reading the bytes of an upload means "damaged file", never a crash of the page.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl's notes on unsupported Excel extensions
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except MemoryError:
        raise
    except Exception as exc:
        raise broken from exc
    counter = CellCounter(name=name, limits=limits)
    try:
        names = [clean_text(str(n)) for n in book.sheetnames]
        if sheet is not None and sheet not in book.sheetnames:
            raise DataError(
                f"Không có trang tính «{clean_text(sheet)}»; các trang: {', '.join(names)}.",
                file=name,
                field=clean_text(sheet),
            )
        worksheet = book[sheet] if sheet else book.worksheets[0]
        _check_dimension(worksheet, name=name, limits=limits)
        # Rows as written, not padded to a declared width (which may be wrong); counted while read.
        worksheet.reset_dimensions()
        records = list(counter.rows_of(worksheet.iter_rows(values_only=True)))
    except (DataError, MemoryError):
        raise
    except Exception as exc:
        raise DataError(
            "Không đọc được tệp Excel (.xlsx): tệp hỏng, hoặc có ô không đọc được (số quá lớn, ngày sai).",
            file=name,
            row=counter.rows + 1,
        ) from exc
    finally:
        book.close()
    return _table(records, name=name, digest=digest, kind="xlsx")


def _check_dimension(worksheet: Any, *, name: str, limits: Limits) -> None:
    """Refuse a sheet whose declared size (its ``<dimension>``, e.g. ``A1:XFD1048576``) is beyond the limits."""
    rows, columns = getattr(worksheet, "max_row", None), getattr(worksheet, "max_column", None)
    if not isinstance(rows, int) or not isinstance(columns, int):
        return
    if rows > limits.max_rows:
        raise too_many_rows(name, limits, rows, at_least=False)
    if rows * columns > limits.max_cells:
        raise too_many_cells(name, limits, rows * columns, at_least=False)


def _table(
    records: list[list[Any]], *, name: str, digest: str, kind: str, encoding: str | None = None
) -> RawTable:
    header_at = _header_row(records)
    if header_at is None:
        raise DataError("Tệp không có dòng tiêu đề cột nào.", file=name)
    columns = _unique_headers(records[header_at])
    width = len(columns)
    rows, numbers = [], []
    for index in range(header_at + 1, len(records)):
        cells = list(records[index])[:width]
        extra = list(records[index])[width:]
        if any(_present(c) for c in extra):
            raise DataError(
                f"Dòng có nhiều ô hơn dòng tiêu đề ({len(records[index])} > {width}): "
                "kiểm tra dấu phân cách.",
                file=name,
                row=index + 1,
            )
        rows.append(tuple(cells + [None] * (width - len(cells))))
        numbers.append(index + 1)
    return RawTable(name, digest, tuple(columns), tuple(rows), tuple(numbers), kind, encoding)


def _header_row(records: list[list[Any]]) -> int | None:
    """Return the index of the header: the first top row naming two known fields, else the first non-empty."""
    first = next((i for i, r in enumerate(records) if any(_present(c) for c in r)), None)
    for index, record in enumerate(records[:15]):
        if sum(1 for c in record if _present(c) and _field_of(header_key(c)) is not None) >= 2:
            return index
    return first


def _unique_headers(cells: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    headers = []
    for position, cell in enumerate(cells, start=1):
        text = " ".join(str(cell).split()) if _present(cell) else f"Cột {position}"
        count = seen.get(text, 0)
        seen[text] = count + 1
        headers.append(text if count == 0 else f"{text} ({count + 1})")
    while headers and headers[-1].startswith("Cột ") and headers[-1][4:].isdigit():
        headers.pop()
    return headers


def _present(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _read_geojson(data: bytes, *, name: str, digest: str, limits: Limits) -> RawTable:
    document = parse_document(data, name=name, limits=limits)
    features, crs = document.features, document.crs
    properties = [
        feature_properties(feature, row=index, name=name) for index, feature in enumerate(features, 1)
    ]
    keys: dict[str, None] = {}
    for props in properties:
        keys.update(dict.fromkeys(props))
    columns = [*keys, GEOMETRY_X, GEOMETRY_Y]
    if len(features) * len(columns) > limits.max_cells:
        raise too_many_cells(name, limits, len(features) * len(columns), at_least=False)
    rows, numbers = [], []
    for index, (feature, props) in enumerate(zip(features, properties, strict=True), start=1):
        x, y = _point_xy(feature.get("geometry"))
        rows.append((*(props.get(k) for k in keys), json_cell(x), json_cell(y)))
        numbers.append(index)
    return RawTable(name, digest, tuple(columns), tuple(rows), tuple(numbers), "geojson", "utf-8", crs)


def json_cell(value: Any) -> Any:
    """Return a JSON value as a cell: text cleaned, a list or object as its (short) JSON text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return clean_text(value)
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError, TypeError):
        text = "[…]" if isinstance(value, list) else "{…}"
    return clean_text(text if len(text) <= 1000 else text[:999] + "…")


def feature_properties(feature: Any, *, row: int, name: str) -> dict[str, Any]:
    """Return a GeoJSON feature's properties as cells (text cleaned, nested values as JSON text).

    Raises
    ------
    DataError
        The feature is not an object, or its ``properties`` is neither an object nor null.
    """
    if not isinstance(feature, dict):
        raise DataError(
            f"Đối tượng thứ {row} trong features không phải một Feature (object JSON).", file=name, row=row
        )
    props = feature.get("properties")
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise DataError(
            "Thuộc tính (properties) của đối tượng không phải object JSON.",
            file=name,
            row=row,
            field="properties",
        )
    return {clean_text(str(k)): json_cell(v) for k, v in props.items()}


def _point_xy(geometry: Any) -> tuple[Any, Any]:
    """Return the coordinates of a Point (or a one-point MultiPoint); ``("", "")`` for anything else."""
    if not isinstance(geometry, dict):
        return "", ""
    coords = geometry.get("coordinates")
    if geometry.get("type") == "MultiPoint" and isinstance(coords, list) and len(coords) == 1:
        coords = coords[0]
    elif geometry.get("type") != "Point":
        return "", ""
    if isinstance(coords, list) and len(coords) >= 2:
        return coords[0], coords[1]
    return "", ""


def _field_of(key: str) -> str | None:
    for field, aliases in _HEADERS.items():
        if key in aliases:
            return field
    return None


def map_columns(
    columns: tuple[str, ...],
    *,
    mapping: Mapping[str, str] | None = None,
    file: str | None = None,
) -> dict[str, str]:
    """Return field → column for the columns of a file: the analyst's ``mapping`` first, then known headers.

    Parameters
    ----------
    columns
        Header cells of the file.
    mapping
        Field (a key of `FIELDS`) → column header, chosen by the analyst; an empty column means
        "this field is not in the file".

    Raises
    ------
    DataError
        A mapping names an unknown field or a column the file does not have, or a required field
        has no column.
    """
    chosen: dict[str, str] = {}
    used: set[str] = set()
    skipped: set[str] = set()
    by_key = {header_key(c): c for c in reversed(columns)}
    for field, column in (mapping or {}).items():
        if field not in FIELDS:
            raise DataError(
                f"Trường «{field}» không có; các trường: {', '.join(FIELDS)}.",
                file=file,
                field=field,
                value=column,
            )
        if not column:
            skipped.add(field)
            continue
        actual = column if column in columns else by_key.get(header_key(column))
        if actual is None:
            raise DataError(
                f"Không có cột «{column}» trong tệp; các cột: {', '.join(columns)}.",
                file=file,
                field=field,
                value=column,
            )
        if field == "incident_id" and header_key(actual) in ROW_NUMBER_HEADERS:
            raise DataError(
                f"Cột «{actual}» là số thứ tự dòng, không phải mã vụ: tháng sau lại bắt đầu từ 1 nên sẽ ghi đè "
                "vụ cũ. Bỏ chọn cột mã vụ: hệ thống tạo mã ổn định từ nội dung của dòng.",
                file=file,
                field=field,
                value=actual,
            )
        chosen[field] = actual
        used.add(actual)
    chosen.update(
        guess_columns(columns, taken=frozenset(used), decided=frozenset(chosen) | frozenset(skipped))
    )
    missing = missing_fields(chosen)
    if missing:
        labels = ", ".join(f"«{FIELDS[f]}» ({f})" for f in missing)
        place = (
            f" (hoặc một cột «{FIELDS['commune']}» để ghi nhận vụ việc theo xã, khi sổ không có tọa độ)"
            if {"lon", "lat"} & set(missing)
            else ""
        )
        raise DataError(
            f"Không tìm thấy cột cho: {labels}{place}. Các cột của tệp: {', '.join(columns)}. "
            "Hãy chọn cột tương ứng (trang Dữ liệu) hoặc dùng --map TRƯỜNG=CỘT.",
            file=file,
        )
    return {f: chosen[f] for f in FIELDS if f in chosen}


def guess_columns(
    columns: tuple[str, ...], *, taken: frozenset[str] = frozenset(), decided: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Return field → column for the headers recognised by name (possibly not every required field).

    Columns in ``taken`` and fields in ``decided`` (already settled by the analyst) are left out.

    Examples
    --------
    >>> guess_columns(("Ngày", "Loại", "Ghi chú"))
    {'occurred_at': 'Ngày', 'offence': 'Loại', 'description': 'Ghi chú'}
    """
    used = set(taken)
    chosen: dict[str, str] = {}
    for field, aliases in _HEADERS.items():
        if field in decided:
            continue
        for alias in aliases:
            match = next((c for c in columns if c not in used and _header_matches(c, alias)), None)
            if match is not None:
                chosen[field] = match
                used.add(match)
                break
    return chosen


def _header_matches(column: str, alias: str) -> bool:
    key = header_key(column)
    if key == alias:
        return True
    # "Ngày xảy ra (dd/mm/yyyy)", "Kinh độ [WGS84]": ignore what is in brackets.
    bare = header_key(re.sub(r"[(\[].*?[)\]]", " ", column))
    return bare == alias
