"""The clearance rate: the share of incidents whose status says they were solved.

Issue 13, item 3. The incident status is free text as the ledger writes it (the importer keeps it
as written: `geo.io.tables` reads it from a column such as «Trạng thái», «Kết quả xử lý»,
«Kết quả giải quyết», «Tình trạng» or «Status»). A status counts as **solved** when, folded (lower
case, no diacritics, single spaces: `geo.taxonomy.fold`), it is or begins with one of `SOLVED`:

- «Đã giải quyết», «Đã xử lý» (including «Đã xử lý hành chính», «Đã xử phạt»), «Đã khởi tố»
  (a criminal case opened against a suspect), «Đã làm rõ», «Đã điều tra làm rõ», «Đã kết thúc»;
- English: «solved», «cleared», «resolved», «closed».

Everything else is **not solved**: «Đang điều tra», «Đang xử lý», «Chưa giải quyết», «Tạm đình chỉ»,
and «Đã chuyển cơ quan chức năng» (handed to another agency: the case left this unit unsolved). An
empty status is **unknown**: it counts in neither part, and a period or unit without any status
has no clearance rate (not 0%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.taxonomy import fold

SOLVED = (
    "da giai quyet",
    "da xu ly",
    "da xu phat",
    "da khoi to",
    "da lam ro",
    "da dieu tra lam ro",
    "da ket thuc",
    "solved",
    "cleared",
    "resolved",
    "closed",
)
"""Folded beginnings of a solved status (see the module's description)."""


def is_solved(status: object) -> bool:
    """Return whether a status says the incident was solved.

    Examples
    --------
    >>> [is_solved(s) for s in ("Đã xử lý", "ĐÃ KHỞI TỐ vụ án", "Đang điều tra", "Đã chuyển cơ quan chức năng")]
    [True, True, False, False]
    >>> [is_solved(s) for s in ("Đang xử lý", "Cleared", "", None)]
    [False, True, False, False]
    """
    if status is None or (isinstance(status, float) and np.isnan(status)):
        return False
    text = fold(str(status))
    return any(text == word or text.startswith(word + " ") for word in SOLVED)


def _known(statuses: pd.Series) -> np.ndarray:
    return (statuses.fillna("").astype(str).str.strip() != "").to_numpy()


def solved(statuses: pd.Series) -> np.ndarray:
    """Return a boolean array: which statuses say solved (each distinct text folded once)."""
    text = statuses.fillna("").astype(str)
    verdicts = {value: is_solved(value) for value in text.unique()}
    return text.map(verdicts).to_numpy(dtype=bool)


def has_status(incidents: pd.DataFrame) -> bool:
    """Return whether any incident has a status (a ledger without a status column has none)."""
    return "status" in incidents and bool(_known(incidents["status"]).any())


def clearance_counts(incidents: pd.DataFrame, *, by: str = "commune_code") -> pd.DataFrame:
    """Return per value of ``by``: incidents with a status (``with_status``) and solved ones (``solved``).

    Examples
    --------
    >>> frame = pd.DataFrame({"commune_code": ["a", "a", "a", "b"],
    ...                       "status": ["Đã xử lý", "Đang điều tra", "", ""]})
    >>> clearance_counts(frame).to_dict("index")
    {'a': {'with_status': 2, 'solved': 1}, 'b': {'with_status': 0, 'solved': 0}}
    """
    status = incidents["status"] if "status" in incidents else pd.Series("", index=incidents.index)
    frame = pd.DataFrame(
        {
            by: incidents[by].astype(str).to_numpy(),
            "with_status": _known(status).astype(int),
            "solved": solved(status).astype(int),
        }
    )
    return frame.groupby(by)[["with_status", "solved"]].sum().astype(int)


def clearance_rate(incidents: pd.DataFrame) -> float | None:
    """Return the share (0–100) of incidents with a status that are solved; None without any status.

    Examples
    --------
    >>> clearance_rate(pd.DataFrame({"status": ["Đã giải quyết", "Đang điều tra", "", "Đã khởi tố"]}))
    66.66666666666667
    >>> clearance_rate(pd.DataFrame({"status": ["", ""]})) is None
    True
    """
    if "status" not in incidents:
        return None
    known = int(_known(incidents["status"]).sum())
    return 100.0 * int(solved(incidents["status"]).sum()) / known if known else None
