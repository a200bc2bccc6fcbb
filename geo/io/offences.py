"""Recognise offences in imported files: by code, Vietnamese or English name, Penal Code article or variant."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo._errors import DataError
from geo.io.headers import header_key
from geo.io.numbers import report_value as _short
from geo.io.tables import read_table
from geo.taxonomy import Offence, fold, load_offences

# Spelling variants and short forms seen in police reports, folded (see `_key`).
_ALIASES: dict[str, str] = {
    "trom": "trom_cap_tai_san",
    "trom cap": "trom_cap_tai_san",
    "trom tai san": "trom_cap_tai_san",
    "an trom": "trom_cap_tai_san",
    "cuop": "cuop_tai_san",
    "cuop giat": "cuop_giat_tai_san",
    "giat": "cuop_giat_tai_san",
    "lua dao": "lua_dao_chiem_doat",
    "lua dao chiem doat": "lua_dao_chiem_doat",
    "danh nhau": "co_y_gay_thuong_tich",
    "gay thuong tich": "co_y_gay_thuong_tich",
    "co y gay thuong tich": "co_y_gay_thuong_tich",
    "gay roi": "gay_roi_trat_tu",
    "gay roi trat tu": "gay_roi_trat_tu",
    "danh bac trai phep": "danh_bac_hc",
    "to chuc danh bac": "to_chuc_danh_bac",
    "ga bac": "to_chuc_danh_bac",
    "cho vay nang lai": "cho_vay_lai_nang",
    "tin dung den": "cho_vay_lai_nang",
    "su dung ma tuy": "su_dung_ma_tuy_hc",
    "nghien ma tuy": "su_dung_ma_tuy_hc",
    "tang tru ma tuy": "tang_tru_ma_tuy",
    "mua ban ma tuy": "mua_ban_ma_tuy",
    "van chuyen ma tuy": "van_chuyen_ma_tuy",
    "mua ban dam": "mai_dam_hc",
    "mai dam": "mai_dam_hc",
    "mau thuan dat dai": "mau_thuan_dat_dai",
    "tranh chap dat dai": "mau_thuan_dat_dai",
    "mau thuan gia dinh": "mau_thuan_gia_dinh",
    "mau thuan hang xom": "mau_thuan_gia_dinh",
    "bao luc gia dinh": "mau_thuan_gia_dinh",
    "mau thuan": "mau_thuan_khac",
    "tranh chap": "mau_thuan_khac",
    "tai nan": "tai_nan_giao_thong",
    "tngt": "tai_nan_giao_thong",
    "tai nan giao thong duong bo": "tai_nan_giao_thong",
    "chay": "vu_chay",
    "chay nha": "vu_chay",
    "hoa hoan": "vu_chay",
    "chay no": "vu_chay",
    "no gas": "vu_no",
    "buon ban hang gia": "san_xuat_buon_ban_hang_gia",
    "hang gia": "san_xuat_buon_ban_hang_gia",
    "buon ban hang cam": "san_xuat_buon_ban_hang_cam",
    "hang cam": "san_xuat_buon_ban_hang_cam",
    "khai thac cat trai phep": "khai_thac_tai_nguyen_trai_phep",
    "khai thac tai nguyen trai phep": "khai_thac_tai_nguyen_trai_phep",
}
_PREFIXES = ("toi ", "vu viec ", "vu ", "hanh vi ")
_FUZZY_CUTOFF = 0.86


def _key(text: str) -> str:
    """Fold a name for matching: no diacritics, no punctuation, ``y`` spelled ``i`` (quý/quí)."""
    folded = re.sub(r"[^a-z0-9 ]", " ", fold(text).replace("_", " "))
    folded = " ".join(folded.replace("y", "i").split())
    for prefix in _PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix) + 2:
            folded = folded[len(prefix) :]
            break
    return folded


@lru_cache(maxsize=4)
def _offence_index(offences: tuple[Offence, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for alias, code in _ALIASES.items():
        index[_key(alias)] = code
    for offence in offences:
        for name in (offence.code, offence.name_vi, offence.name_en):
            index[_key(name)] = offence.code
    return index


@lru_cache(maxsize=4)
def _article_index(offences: tuple[Offence, ...]) -> dict[str, str]:
    return {o.article: o.code for o in offences if o.article}


def offence_code(text: str) -> str | None:
    """Return the code an offence text names in the active taxonomy, or None.

    Examples
    --------
    >>> offence_code("Điều 173 BLHS"), offence_code("Buôn lậu"), offence_code("Buôn bán người")
    ('trom_cap_tai_san', 'buon_lau', None)
    """
    offences = load_offences()
    global _seen  # noqa: PLW0603 (the answers of the active taxonomy, dropped when it changes)
    if _seen[0] is not offences:
        _seen = (offences, {})
    answers = _seen[1]
    if text not in answers:
        if len(answers) >= _SEEN_MAX:
            answers.clear()
        answers[text] = _offence_code(text, offences)
    return answers[text]


_SEEN_MAX = 65536
_seen: tuple[tuple[Offence, ...], dict[str, str | None]] = ((), {})
"""The taxonomy the cached answers are for (by identity: a hash of it per row costs more than the match) and them."""


def _offence_code(text: str, offences: tuple[Offence, ...]) -> str | None:
    """`offence_code` over one taxonomy."""
    key = _key(text)
    index = _offence_index(offences)
    if key in index:
        return index[key]
    article = re.fullmatch(r"(?:dieu\s*)?(\d{3}[a-z]?)(?:\s*blhs)?", key)
    if article and article[1] in _article_index(offences):
        return _article_index(offences)[article[1]]
    close = difflib.get_close_matches(key, list(index), n=3, cutoff=_FUZZY_CUTOFF)
    codes = {index[c] for c in close}
    return codes.pop() if len(codes) == 1 else None


def parse_offence(
    value: object,
    *,
    mapping: Mapping[str, str] | None = None,
    file: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> str:
    """Return the taxonomy code of an offence given by code, name (Vietnamese or English) or article.

    Names match with or without diacritics, in any case, with known spelling variants and short forms,
    and with small typos; ``mapping`` (name → code, chosen by the analyst) is tried first.

    Raises
    ------
    DataError
        If the value is missing or matches no offence (the message lists how to map it).

    Examples
    --------
    >>> parse_offence("Trom cap tai san")
    'trom_cap_tai_san'
    >>> parse_offence("Điều 321")
    'danh_bac'
    >>> parse_offence("Tội cướp giật tài sản")
    'cuop_giat_tai_san'
    """
    where: dict[str, Any] = {"file": file, "row": row, "field": field}
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        raise DataError("Thiếu tội danh / loại vụ việc.", value="", **where)
    text = str(value)
    if mapping:
        key = _key(text)
        chosen = {_key(k): v for k, v in mapping.items()}
        if key in chosen:
            code = chosen[key]
            if code not in {o.code for o in load_offences()}:
                raise DataError(
                    f"Mã tội danh «{code}» chọn để ánh xạ không có trong danh mục.",
                    value=_short(value),
                    **where,
                )
            return code
    found = offence_code(text)
    if found is not None:
        return found
    raise DataError(
        "Không nhận ra tội danh / loại vụ việc: ghi đúng tên trong danh mục hoặc ánh xạ tên này "
        "sang một mã tội danh (trang Dữ liệu, hoặc --offence-map TÊN=MÃ).",
        value=_short(value),
        **where,
    )


def read_offence_map(source: bytes | Path, *, name: str | None = None) -> dict[str, str]:
    """Read an offence mapping file (CSV or XLSX, columns ``value,code``) into value → taxonomy code.

    The ``code`` may also be written as a taxonomy name or article (anything `offence_code`
    recognises). Headers in Vietnamese are accepted too ("giá trị", "tên trong tệp" / "mã").

    Raises
    ------
    DataError
        The file cannot be read, lacks the two columns, or names codes the taxonomy does not have
        (every such row is listed).
    """
    table = read_table(source, name=name)
    keys = [header_key(c) for c in table.columns]
    value_at = next((i for i, k in enumerate(keys) if k in _MAP_VALUE_HEADERS), 0 if len(keys) >= 2 else None)
    code_at = next((i for i, k in enumerate(keys) if k in _MAP_CODE_HEADERS), 1 if len(keys) >= 2 else None)
    if value_at is None or code_at is None or value_at == code_at:
        raise DataError(
            "Tệp ánh xạ tội danh cần hai cột: value (tên trong sổ) và code (mã tội danh).", file=table.name
        )
    mapping: dict[str, str] = {}
    bad: list[str] = []
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        value = _short(row[value_at] if value_at < len(row) else "").strip()
        target = _short(row[code_at] if code_at < len(row) else "").strip()
        if not value and not target:
            continue
        code = offence_code(target) if target else None
        if not value or code is None:
            bad.append(f"dòng {number}: «{value}» → «{target}»")
            continue
        mapping[value] = code
    if bad:
        listed = "; ".join(bad[:5]) + ("…" if len(bad) > 5 else "")
        raise DataError(
            f"{len(bad)} dòng ánh xạ không dùng được (mã tội danh không có trong danh mục hoặc thiếu tên): "
            f"{listed}.",
            file=table.name,
        )
    return mapping


_MAP_VALUE_HEADERS = ("value", "gia tri", "ten trong tep", "ten trong so", "ten", "name", "toi danh")
_MAP_CODE_HEADERS = ("code", "ma", "ma toi danh", "offence code", "offense code")
