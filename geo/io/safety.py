"""Untrusted input files: limits checked before reading, zip directories vetted before opening, text sanitised.

Every importer reads its file through here, so a small file that inflates (a zip bomb, a sheet that
claims a million rows) is refused from what its directory and headers say, before anything large is
built in memory, and every text that reaches the store or the console is valid UTF-8 without
control characters.
"""

from __future__ import annotations

import functools
import io
import math
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from geo import settings
from geo._errors import DataError
from geo.formatting import format_megabytes, format_number

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_MEMBER_ODD = re.compile('[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069:*?"<>|]')
_MAX_NAME = 255
_RATIO_FROM = 1024 * 1024  # members smaller than this inflate harmlessly, whatever their ratio


@dataclass(frozen=True)
class Limits:
    """What an import accepts, all from `geo.settings` unless a caller lifts the byte limit.

    Attributes
    ----------
    max_bytes
        The file itself.
    max_unzipped
        The total uncompressed size of a zip archive (XLSX, zipped Shapefile).
    max_ratio
        The largest compression ratio of a zip member bigger than 1 MB uncompressed.
    max_members
        Members of a zip archive.
    max_rows, max_cells
        Rows (with empty ones) and cells of a table; features of a layer.
    """

    max_bytes: int
    max_unzipped: int
    max_ratio: float
    max_members: int
    max_rows: int
    max_cells: int

    @classmethod
    def of(cls, max_bytes: int | None = None) -> Limits:
        """Return the app's limits, with ``max_bytes`` for the file itself when given."""
        return cls(
            max_bytes if max_bytes is not None else settings.IMPORT_MAX_BYTES,
            settings.IMPORT_MAX_UNZIPPED_BYTES,
            settings.IMPORT_MAX_ZIP_RATIO,
            settings.IMPORT_MAX_ZIP_MEMBERS,
            settings.IMPORT_MAX_ROWS,
            settings.IMPORT_MAX_CELLS,
        )

    @classmethod
    def command_line(cls) -> Limits:
        """Return the limits of a file the command line imports (larger than an upload's: `geo.settings`)."""
        return cls(
            settings.CLI_IMPORT_MAX_BYTES,
            max(settings.IMPORT_MAX_UNZIPPED_BYTES, settings.CLI_IMPORT_MAX_BYTES),
            settings.IMPORT_MAX_ZIP_RATIO,
            settings.IMPORT_MAX_ZIP_MEMBERS,
            settings.CLI_IMPORT_MAX_ROWS,
            settings.CLI_IMPORT_MAX_CELLS,
        )


def safe_name(name: str) -> str:
    """Return a file name fit for a report, the store and the console (one line, no surrogates, no controls)."""
    cleaned = _BIDI.sub("", clean_text(name)).replace("\n", " ").replace("\t", " ")
    return cleaned if len(cleaned) <= _MAX_NAME else cleaned[: _MAX_NAME - 1] + "…"


def clean_text(text: str) -> str:
    r"""Return ``text`` with lone surrogates replaced (U+FFFD) and control characters removed.

    Tabs and line feeds are kept (a carriage return becomes a line feed). A lone surrogate (``"\ud800"`` in JSON, ``_xD800_`` in XLSX, a
    file name that is not UTF-8) cannot be written to SQLite, PostgreSQL or a UTF-8 console.

    Examples
    --------
    >>> clean_text("a\ud800b\x00c\x1b[31m") == "a\ufffdbc[31m"
    True
    """
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return text


_BIG = 10**18


def clean_cell(value: Any) -> Any:
    """Return a cell with its text cleaned (`clean_text`), an integer beyond 10¹⁸ as a float; others as they are.

    A spreadsheet may hold integers of hundreds of digits, which no column of the store can take
    (and which cannot become floats past 1e308): they become floats, infinite when that large,
    as JSON numbers do (see `geo.io.geojson.parse_document`).
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and not -_BIG < value < _BIG:
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return value


def file_size(source: bytes | Path, *, name: str) -> int:
    """Return the size of an upload or a file without reading it."""
    if not isinstance(source, Path):
        return len(source)
    try:
        status = source.stat()
    except FileNotFoundError as exc:
        raise DataError("Không tìm thấy tệp: kiểm tra đường dẫn.", file=name) from exc
    except OSError as exc:
        raise DataError("Không đọc được tệp (không có quyền hoặc đường dẫn hỏng).", file=name) from exc
    if stat.S_ISDIR(status.st_mode):
        raise DataError("Đây là thư mục, không phải tệp.", file=name)
    if not stat.S_ISREG(status.st_mode):
        raise DataError("Đây không phải tệp thông thường (thiết bị, ống dẫn…): không đọc.", file=name)
    return status.st_size


def check_size(size: int, *, name: str, limit: int) -> None:
    """Refuse a file of ``size`` bytes above ``limit``."""
    if size > limit:
        raise DataError(
            f"Tệp quá lớn ({format_megabytes(size)} MB; tối đa {format_megabytes(limit, 0)} MB): "
            "hãy tách thành nhiều tệp nhỏ hơn.",
            file=name,
        )


def open_zip(data: bytes, *, name: str, limits: Limits, what: str = ".zip") -> zipfile.ZipFile:
    """Open a zip archive after checking its directory: members, their names and sizes.

    Raises
    ------
    DataError
        The archive is damaged, holds too many members, a member name that is too long, absolute,
        climbs out (``..``) or holds odd characters, or inflates beyond ``limits`` in all or at a
        suspicious ratio (a zip bomb).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
    ) as exc:
        raise DataError(f"Không mở được tệp {what}: tệp hỏng hoặc không phải {what}.", file=name) from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"Tệp {what} có tên thành phần không đọc được (bảng mã hỏng).", file=name) from exc
    try:
        _check_members(members, name=name, limits=limits, what=what)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_members(members: list[zipfile.ZipInfo], *, name: str, limits: Limits, what: str) -> None:
    if len(members) > limits.max_members:
        raise DataError(
            f"Tệp {what} chứa quá nhiều thành phần ({format_number(len(members))}; tối đa "
            f"{format_number(limits.max_members)}).",
            file=name,
        )
    total = 0
    for member in members:
        inner = member.filename
        shown = safe_name(inner)[:80]
        if len(inner) > _MAX_NAME or any(len(part) > _MAX_NAME for part in re.split(r"[\\/]", inner)):
            raise DataError(f"Tệp {what} chứa tên thành phần quá dài ({len(inner)} ký tự).", file=name)
        parts = re.split(r"[\\/]", inner)
        if (
            inner.startswith(("/", "\\"))
            or re.match(r"^[A-Za-z]:", inner)
            or ".." in parts
            or PurePosixPath(inner).is_absolute()
        ):
            raise DataError(f"Tệp {what} chứa đường dẫn không an toàn: «{shown}».", file=name)
        if _MEMBER_ODD.search(inner):
            raise DataError(f"Tệp {what} chứa tên thành phần có ký tự lạ: «{shown}».", file=name)
        total += member.file_size
    if total > limits.max_unzipped:
        raise DataError(
            f"Tệp {what} giải nén ra quá lớn ({format_megabytes(total)} MB; tối đa "
            f"{format_megabytes(limits.max_unzipped, 0)} MB).",
            file=name,
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FROM and ratio > limits.max_ratio:
            raise DataError(
                f"Tệp {what} có thành phần «{safe_name(member.filename)[:80]}» nén bất thường "
                f"({format_number(ratio, 0)} lần; tối đa {format_number(limits.max_ratio, 0)}): "
                "có thể là bom nén, không mở.",
                file=name,
            )


class CellCounter:
    """Count the rows and cells of a table while it is read, refusing it beyond the limits."""

    def __init__(self, *, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def add(self, width: int) -> None:
        """Count one row of ``width`` cells."""
        self.rows += 1
        self.cells += width
        if self.rows > self.limits.max_rows:
            raise too_many_rows(self.name, self.limits, self.rows)
        if self.cells > self.limits.max_cells:
            raise too_many_cells(self.name, self.limits, self.cells)

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Count ``rows`` at once (as many `add` calls, which report the same row when a limit is passed)."""
        cells = sum(map(len, rows))
        if self.rows + len(rows) <= self.limits.max_rows and self.cells + cells <= self.limits.max_cells:
            self.rows += len(rows)
            self.cells += cells
            return
        for row in rows:
            self.add(len(row))

    def rows_of(self, rows: Iterable[Iterable[Any]], *, clean: bool = True) -> Iterator[list[Any]]:
        """Yield each row as a list of cells, counting them; cleaned (`clean_text`) unless ``clean`` is False.

        ``clean=False`` is for rows from a text already known to need no cleaning (`needs_cleaning`).
        """
        for row in rows:
            cells = [clean_cell(c) for c in row] if clean else list(row)
            self.add(len(cells))
            yield cells


def needs_cleaning(text: str) -> bool:
    """Return True when `clean_text` would change some part of ``text``."""
    return _NEEDS_CLEANING.search(text) is not None


def too_many_rows(name: str, limits: Limits, rows: int, *, at_least: bool = True) -> DataError:
    """The error of a table or layer longer than `Limits.max_rows`."""
    more = "hơn " if at_least else ""
    return DataError(
        f"Tệp có quá nhiều dòng ({more}{format_number(rows - 1 if at_least else rows)}; tối đa "
        f"{format_number(limits.max_rows)}): hãy tách thành nhiều tệp nhỏ hơn.",
        file=name,
    )


def too_many_cells(name: str, limits: Limits, cells: int, *, at_least: bool = True) -> DataError:
    """The error of a table with more than `Limits.max_cells` cells."""
    more = "hơn " if at_least else ""
    return DataError(
        f"Tệp có quá nhiều ô ({more}{format_number(cells - 1 if at_least else cells)}; tối đa "
        f"{format_number(limits.max_cells)}): hãy bỏ các cột thừa hoặc tách tệp.",
        file=name,
    )


def usable_crs(crs: CRS) -> bool:
    """Return True when coordinates in ``crs`` can be converted to WGS 84 longitude/latitude.

    A local engineering CRS (``LOCAL_CS`` in a ``.prj``: a site grid with no datum), or one whose
    transformation PROJ cannot build, is not usable.
    """
    return _usable(crs.to_wkt())


@functools.lru_cache(maxsize=64)
def _usable(wkt: str) -> bool:
    try:
        crs = CRS.from_wkt(wkt)
        if crs.is_engineering or crs.type_name in ("Engineering CRS", "Unknown CRS"):
            return False
        transformer = Transformer.from_crs(crs, settings.CRS_WGS84, always_xy=True)
        if crs.area_of_use is not None:
            west, south, east, north = crs.area_of_use.bounds
            x, y = Transformer.from_crs(settings.CRS_WGS84, crs, always_xy=True).transform(
                (west + east) / 2, (south + north) / 2
            )
        else:
            x, y = (0.0, 0.0) if crs.is_geographic else (500000.0, 0.0)
        lon, lat = transformer.transform(x, y)
    except (CRSError, ProjError, ValueError, TypeError, RuntimeError):
        return False
    return math.isfinite(lon) and math.isfinite(lat)
