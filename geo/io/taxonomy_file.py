"""Read an area's own offence categories (a taxonomy file) that extend the base taxonomy.

A taxonomy file is a table (CSV or XLSX) with one row per category, the columns of the base
taxonomy ``data/reference/offences.csv`` — ``code, group, name_vi, name_en, penal_code_article`` —
and, for a group the base does not have, its names in ``group_name_vi`` and ``group_name_en``::

    code,group,name_vi,name_en,penal_code_article,group_name_vi,group_name_en
    other_crime,khac,Tội phạm khác,Other crime,,Khác,Other
    trom_cho,ttxh,Trộm chó,Dog theft,173,,

Vietnamese headers are read too (``mã, nhóm, tên, tên tiếng Anh, điều, tên nhóm, tên nhóm tiếng Anh``).
A row may repeat a base category unchanged (a full taxonomy re-listed); it may not give a base code
another group or name, nor reuse a name another category has, so the names in a ledger keep one meaning.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from geo._errors import DataError
from geo._validate import value_text
from geo.io.export import neutralise
from geo.io.headers import header_key
from geo.io.tables import read_table
from geo.taxonomy import Offence, Taxonomy, base, fold

_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("code", "ma", "ma toi danh", "offence code", "offense code"),
    "group": ("group", "nhom", "ma nhom", "group code"),
    "name_vi": ("name vi", "name", "ten", "ten toi danh", "ten tieng viet", "ten loai vu viec"),
    "name_en": ("name en", "ten tieng anh", "english name", "english"),
    "article": ("penal code article", "article", "dieu", "dieu luat", "dieu blhs"),
    "group_name_vi": ("group name vi", "group name", "ten nhom", "ten nhom tieng viet"),
    "group_name_en": ("group name en", "ten nhom tieng anh"),
}
COLUMNS = ("code", "group", "name_vi", "name_en", "penal_code_article", "group_name_vi", "group_name_en")
"""Columns of a taxonomy file (the first three required)."""

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
CODE_MAX = 64
"""Longest category code (the store's column)."""
GROUP_MAX = 16
"""Longest group code (the store's column)."""
ARTICLE_MAX = 16
NAME_MAX = 200
ROWS_MAX = 5000
"""A taxonomy is a short list: a longer table is not one (the file is refused, naming the count)."""


@dataclass(frozen=True)
class TaxonomyImport:
    """The categories a taxonomy file adds to the base, and the new groups they need."""

    file: str
    offences: tuple[Offence, ...]
    groups: dict[str, tuple[str, str]]
    repeated: int
    """Rows that repeat a base category unchanged (accepted, nothing to add)."""


def read_taxonomy_file(
    source: bytes | Path, *, name: str | None = None, current: Taxonomy | None = None
) -> TaxonomyImport:
    """Read a taxonomy file into the categories it adds to ``current`` (default: the base taxonomy).

    Every row is checked; all problems are reported at once (file, row, column) and nothing is
    taken from a file with any.

    Raises
    ------
    DataError
        The file cannot be read, lacks the ``code``, ``group`` or ``name_vi`` column, has more than
        `ROWS_MAX` rows, or has bad rows: a missing or malformed code, group or name; a code twice;
        a base code with another group or name; a name another category has; a new group without
        its name.

    Examples
    --------
    >>> lines = ["code,group,name_vi,name_en,group_name_vi,group_name_en",
    ...          "other_crime,khac,Tội phạm khác,Other crime,Khác,Other"]
    >>> found = read_taxonomy_file(chr(10).join(lines).encode(), name="tax.csv")
    >>> [o.code for o in found.offences], found.groups
    (['other_crime'], {'khac': ('Khác', 'Other')})
    """
    table = read_table(source, name=name)
    keys = [header_key(c) for c in table.columns]
    at = {
        field: next((i for i, k in enumerate(keys) if k in names), None) for field, names in _HEADERS.items()
    }
    missing = [field for field in ("code", "group", "name_vi") if at[field] is None]
    if missing:
        raise DataError(
            "Tệp danh mục tội danh cần các cột code, group, name_vi (và name_en, penal_code_article, "
            f"group_name_vi, group_name_en nếu có); thiếu: {', '.join(missing)}.",
            file=table.name,
        )
    if len(table.rows) > ROWS_MAX:
        raise DataError(
            f"Tệp danh mục tội danh có {len(table.rows)} dòng, quá {ROWS_MAX} dòng: đây không phải một danh mục.",
            file=table.name,
        )
    taxonomy = current or base()
    known = {o.code: o for o in taxonomy.offences}
    names = {fold(o.name_vi): o.code for o in taxonomy.offences} | {
        fold(o.name_en): o.code for o in taxonomy.offences
    }
    group_names: dict[str, tuple[str, str]] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []

    def cell(row: tuple[object, ...], field: str) -> str:
        index = at[field]
        value = row[index] if index is not None and index < len(row) else ""
        return " ".join(value_text(value, limit=NAME_MAX + 1).split())

    for row, number in zip(table.rows, table.row_numbers, strict=True):
        values = {field: cell(row, field) for field in _HEADERS}
        if not any(values.values()):
            continue
        rows.append((number, values))
        group = values["group"]
        if values["group_name_vi"] and group and group not in taxonomy.groups:
            names_given = (values["group_name_vi"], values["group_name_en"] or values["group_name_vi"])
            if group_names.setdefault(group, names_given) != names_given:
                problems.append(f"dòng {number}, cột group_name_vi: nhóm «{group}» có hai tên khác nhau")
    seen: dict[str, int] = {}
    added: list[Offence] = []
    repeated = 0
    for number, values in rows:
        code, group, name_vi = values["code"], values["group"], values["name_vi"]
        name_en = values["name_en"] or name_vi
        where = f"dòng {number}"
        row_problems = []
        if not code:
            row_problems.append(f"{where}, cột code: thiếu mã")
        elif len(code) > CODE_MAX or not _CODE.fullmatch(code):
            row_problems.append(
                f"{where}, cột code: mã «{code[:40]}» chỉ gồm chữ không dấu, số, _ . - (tối đa {CODE_MAX} ký tự)"
            )
        if not group:
            row_problems.append(f"{where}, cột group: thiếu nhóm")
        elif len(group) > GROUP_MAX or not _CODE.fullmatch(group):
            row_problems.append(
                f"{where}, cột group: mã nhóm «{group[:40]}» chỉ gồm chữ không dấu, số, _ . - (tối đa {GROUP_MAX} ký tự)"
            )
        elif group not in taxonomy.groups and group not in group_names:
            row_problems.append(
                f"{where}, cột group_name_vi: nhóm «{group}» chưa có trong danh mục, hãy ghi tên nhóm"
            )
        if not name_vi:
            row_problems.append(f"{where}, cột name_vi: thiếu tên tội danh")
        elif len(name_vi) > NAME_MAX or len(name_en) > NAME_MAX:
            row_problems.append(f"{where}, cột name_vi/name_en: tên dài quá {NAME_MAX} ký tự")
        if len(values["article"]) > ARTICLE_MAX:
            row_problems.append(f"{where}, cột penal_code_article: điều luật dài quá {ARTICLE_MAX} ký tự")
        if row_problems:
            problems.extend(row_problems)
            continue
        if code in seen:
            problems.append(f"{where}, cột code: mã «{code}» đã có ở dòng {seen[code]}")
            continue
        seen[code] = number
        offence = Offence(code, group, name_vi, name_en, values["article"])
        if code in known:
            old = known[code]
            if (old.group, fold(old.name_vi)) == (group, fold(name_vi)):
                repeated += 1
                continue
            problems.append(
                f"{where}, cột code: mã «{code}» đã có trong danh mục ({old.name_vi}, nhóm {old.group}): đặt mã khác"
            )
            continue
        clash = next((names[n] for n in (fold(name_vi), fold(name_en)) if n in names), None)
        if clash is not None:
            problems.append(f"{where}, cột name_vi: tên «{name_vi}» đã là tên của mã «{clash}»")
            continue
        names[fold(name_vi)] = names[fold(name_en)] = code
        added.append(offence)
    if problems:
        listed = "; ".join(problems[:8]) + ("…" if len(problems) > 8 else "")
        raise DataError(
            f"{len(problems)} lỗi trong tệp danh mục tội danh, chưa lưu gì: {listed}.", file=table.name
        )
    used = {o.group for o in added}
    return TaxonomyImport(
        table.name, tuple(added), {g: n for g, n in group_names.items() if g in used}, repeated
    )


def taxonomy_csv(taxonomy: Taxonomy) -> bytes:
    """Return a whole taxonomy as a taxonomy file (CSV, UTF-8 with BOM for Excel), to extend and re-import.

    Cells that a spreadsheet would run as a formula are neutralised as in every export.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for o in taxonomy.offences:
        vi, en = taxonomy.groups.get(o.group, (o.group, o.group))
        writer.writerow([neutralise(v) for v in (o.code, o.group, o.name_vi, o.name_en, o.article, vi, en)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
