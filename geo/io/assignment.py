"""Spatial assignment of incidents to communes, checked against the commune a file writes."""

from __future__ import annotations

import unicodedata
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._validate import Issue
from geo.communes import assign_commune
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
