"""Spatial assignment of incidents to communes, checked against the commune a file writes."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import DataError
from geo._validate import Issue
from geo.communes import assign_commune
from geo.history import UnitHistory
from geo.taxonomy import fold


def check_communes(
    frame: pd.DataFrame, communes: gpd.GeoDataFrame, column: str
) -> tuple[np.ndarray, list[Issue]]:
    """Assign communes by location; flag a commune written in the file that disagrees or is unknown.

    Parameters
    ----------
    frame
        Incidents with ``lon``, ``lat`` (EPSG:4326), ``commune_given`` (as written) and ``source_row``.
    communes
        The commune polygons.
    column
        The file's commune column ("" when the file has none: nothing is checked).

    Returns
    -------
    tuple
        The commune code of each row ("" outside every commune) and the warnings.
    """
    codes = assign_commune(communes, frame["lon"].to_numpy(), frame["lat"].to_numpy()).to_numpy()
    if not column:
        return codes, []
    names = dict(zip(communes["code"], communes["name"], strict=True))
    exact = {_commune_key(n, keep_marks=True): c for c, n in names.items()}
    folded = Counter(_commune_key(n) for n in names.values())
    loose = {_commune_key(n): c for c, n in names.items() if folded[_commune_key(n)] == 1}
    issues = []
    for given, code, number in zip(frame["commune_given"], codes, frame["source_row"], strict=True):
        if not given:
            continue
        stated = (
            (given if given in names else None)
            or exact.get(_commune_key(given, keep_marks=True))
            or loose.get(_commune_key(given))
        )
        if stated is None:
            message = "Không nhận ra xã này (ghi mã xã, hoặc tên xã có dấu): đã xác định xã theo tọa độ."
            issues.append(Issue(int(number), column, given, message, "warning"))
        elif stated != code:
            found = f"{names[code]} ({code})" if code else "ngoài mọi xã"
            issues.append(
                Issue(
                    int(number),
                    column,
                    given,
                    f"Tệp ghi xã {names[stated]} ({stated}) nhưng tọa độ nằm ở {found}: "
                    "đã dùng xã theo tọa độ, hãy kiểm tra lại.",
                    "warning",
                )
            )
    return codes, issues


def _commune_key(text: str, *, keep_marks: bool = False) -> str:
    """Return a commune name without its "Xã"/"Thị trấn" prefix, lower-cased, folded unless ``keep_marks``."""
    key = " ".join(unicodedata.normalize("NFC", text).lower().replace(".", " ").split())
    key = key if keep_marks else fold(key)
    for prefix in ("thị trấn ", "thi tran ", "tt ", "xã ", "xa "):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return " ".join(key.split())


def place_by_commune(
    frame: pd.DataFrame, communes: gpd.GeoDataFrame, column: str, history: UnitHistory | None = None
) -> tuple[np.ndarray, list[Issue]]:
    """Place rows without coordinates by the commune they name: a code, a name in any spelling, an older name.

    Parameters
    ----------
    frame
        Rows with ``commune_given`` (as written), ``occurred_at`` and ``source_row``.
    communes
        The stored units (``code``, ``name``).
    column
        The file's commune column (named in the report).
    history
        The area's unit history: codes and names are read with each row's date (a reused code, a
        name from before a merger); without one, the stored units' own codes and names.

    Returns
    -------
    tuple
        The stored unit code of each row ("" where it cannot be placed) and one error per such row:
        no commune written, a place in no unit, a spelling that fits several units (naming them). A
        newer unit that covers several stored units (a 2025 commune over the 2020 layer) cannot be
        split between them: its rows get the group's key (`geo.history.Place.key`, ``code@start``)
        and count at that level.
    """
    history = history or UnitHistory()
    stored = list(zip(communes["code"].astype(str), communes["name"].astype(str), strict=True))
    codes = {code for code, _ in stored} | {u.code for u in history.units}
    out = np.full(len(frame), "", dtype=object)
    issues: list[Issue] = []
    cache: dict[tuple[str, date], tuple[str, str]] = {}
    for index, (given, when, number) in enumerate(
        zip(frame["commune_given"], frame["occurred_at"], frame["source_row"], strict=True)
    ):
        text = str(given or "").strip()
        if not text:
            issues.append(Issue(int(number), column, "", _NO_PLACE))
            continue
        day = pd.Timestamp(when).date()
        key = (text, day)
        if key not in cache:
            cache[key] = _placed(history, text, day, stored, codes)
        code, problem = cache[key]
        if problem:
            issues.append(Issue(int(number), column, text, problem))
        out[index] = code
    return out, issues


_NO_PLACE = "Dòng không có tọa độ thì phải ghi xã (tên hoặc mã) để ghi nhận vụ việc theo xã."


def _placed(
    history: UnitHistory, text: str, day: date, stored: list[tuple[str, str]], codes: set[str]
) -> tuple[str, str]:
    """Return (stored code, "") or ("", the reason in words) for one commune as written on ``day``."""
    by: Literal["name", "code"] = "code" if text in codes or text.isdigit() else "name"
    try:
        place = history.resolve(text, day, stored, by=by)
    except DataError as error:
        return "", error.message
    if place.kind == "group":  # a newer unit over several stored ones: counted at its own level
        return place.key, ""
    return place.codes[0], ""
