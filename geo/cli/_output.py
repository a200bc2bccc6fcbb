"""Shared pieces of the command line: JSON that is always valid JSON (no NaN), KEY=VALUE options, issues."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from geo._errors import ConfigError
from geo._validate import Issue


def plain(value: Any) -> Any:
    """Return ``value`` with NaN and infinities as None, dates as ISO text, numpy scalars as Python ones.

    Examples
    --------
    >>> plain({"a": float("nan"), "b": [1.5, float("inf")], "c": date(2026, 1, 2)})
    {'a': None, 'b': [1.5, None], 'c': '2026-01-02'}
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(data: Any) -> str:
    """Return ``data`` as indented JSON (UTF-8 text kept as is), NaN written as null."""
    return json.dumps(plain(data), ensure_ascii=False, indent=2, allow_nan=False, default=str)


def pairs(items: Sequence[str], *, flag: str) -> dict[str, str]:
    """Return ``KEY=VALUE`` arguments as a dict, refusing an item without ``=`` (one Vietnamese line)."""
    found = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{flag} cần dạng KHÓA=GIÁ_TRỊ, nhận được «{item}».")
        found[key.strip()] = value.strip()
    return found


def issue_dicts(issues: Sequence[Issue]) -> list[dict[str, Any]]:
    """Return issues as the plain dicts of the ``--json`` output (row, field, value, message)."""
    return [{"row": i.row, "field": i.field, "value": i.value, "message": i.message} for i in issues]


def day_argument(text: str) -> date:
    """Parse a command-line date written dd/mm/yyyy or yyyy-mm-dd (an argparse ``type``).

    Examples
    --------
    >>> day_argument("26/05/2023"), day_argument("2023-05-26")
    (datetime.date(2023, 5, 26), datetime.date(2023, 5, 26))
    """
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"ngày «{text}» không hợp lệ; dùng dạng dd/mm/yyyy hoặc YYYY-MM-DD")
