"""Read incident files (CSV in any Vietnamese encoding, XLSX, GeoJSON points) into a `geo.io.raw_table.RawTable`.

Their columns are recognised by `geo.io.headers`; the names of both stay importable from here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from geo._errors import DataError
from geo.io import raw_table
from geo.io.files import decode_text, read_bytes
from geo.io.geojson import parse_document
from geo.io.headers import (
    FIELDS,
    GEOMETRY_X,
    GEOMETRY_Y,
    REQUIRED,
    guess_columns,
    header_row,
    missing_fields,
    present,
    unique_headers,
)
from geo.io.raw_table import ColumnRows, RawTable, column_chunks, gc_paused, table_of
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

__all__ = [
    "FIELDS",
    "REQUIRED",
    "ColumnRows",
    "RawTable",
    "column_chunks",
    "feature_properties",
    "gc_paused",
    "guess_columns",
    "json_cell",
    "missing_fields",
    "read_table",
]


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
        # The header is among the first rows (`header_row`): read them, then the rest block by block.
        for record in reader:
            counter.add(len(record))
            head.append([clean_cell(c) for c in record] if clean else record)
            filled = filled or any(present(c) for c in head[-1])
            if len(head) >= 15 and filled:
                break
        header_at = header_row(head)
        if header_at is None:  # nothing but empty rows so far: the rest is read as it is
            head.extend(counter.rows_of(reader, clean=clean))
            return table_of(head, name=name, digest=digest, kind="csv", encoding=used)
        columns = unique_headers(head[header_at])
        width = len(columns)
        body = _Body(width, name=name, first_row=header_at + 2)
        body.extend(head[header_at + 1 :])
        while True:
            block = []
            block.extend(itertools.islice(reader, raw_table.BLOCK))  # kept up to a damaged row (its number)
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
            if len(record) > width and any(present(c) for c in record[width:]) and self.error is None:
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
        while len(self.pending) >= raw_table.BLOCK:
            self.rows.add_block(self.pending[: raw_table.BLOCK])
            del self.pending[: raw_table.BLOCK]

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
    return table_of(records, name=name, digest=digest, kind="xlsx")


def _check_dimension(worksheet: Any, *, name: str, limits: Limits) -> None:
    """Refuse a sheet whose declared size (its ``<dimension>``, e.g. ``A1:XFD1048576``) is beyond the limits."""
    rows, columns = getattr(worksheet, "max_row", None), getattr(worksheet, "max_column", None)
    if not isinstance(rows, int) or not isinstance(columns, int):
        return
    if rows > limits.max_rows:
        raise too_many_rows(name, limits, rows, at_least=False)
    if rows * columns > limits.max_cells:
        raise too_many_cells(name, limits, rows * columns, at_least=False)


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
