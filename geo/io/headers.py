"""The columns of an incident file: its fields, the header row, and which column holds each field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from geo._errors import DataError
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


def header_row(records: list[list[Any]]) -> int | None:
    """Return the index of the header: the first top row naming two known fields, else the first non-empty."""
    first = next((i for i, r in enumerate(records) if any(present(c) for c in r)), None)
    for index, record in enumerate(records[:15]):
        if sum(1 for c in record if present(c) and _field_of(header_key(c)) is not None) >= 2:
            return index
    return first


def unique_headers(cells: list[Any]) -> list[str]:
    """Return the header cells as column names: blanks named «Cột n», repeats numbered, empty trailing ones dropped."""
    seen: dict[str, int] = {}
    headers = []
    for position, cell in enumerate(cells, start=1):
        text = " ".join(str(cell).split()) if present(cell) else f"Cột {position}"
        count = seen.get(text, 0)
        seen[text] = count + 1
        headers.append(text if count == 0 else f"{text} ({count + 1})")
    while headers and headers[-1].startswith("Cột ") and headers[-1][4:].isdigit():
        headers.pop()
    return headers


def present(cell: Any) -> bool:
    """Whether a cell holds something (not None, not only spaces)."""
    return cell is not None and str(cell).strip() != ""


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
