"""Collect every problem of an input file, then report them all at once."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

import pandas as pd

from geo._errors import DataError
from geo.messages import in_language
from geo.words import word

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem found in an input file.

    Attributes
    ----------
    row
        1-based row number in the file (the header is row 1); ``None`` for the whole file.
    field
        The column (as named in the file) or data field the problem is in.
    value
        The offending value, as text.
    message
        What is wrong and how to fix it, in Vietnamese.
    severity
        ``"error"`` rejects the row; ``"warning"`` keeps it and tells the analyst.
    """

    row: int | None
    field: str
    value: str
    message: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, object]:
        """Return the issue as a plain dict (JSON output of the command line)."""
        return asdict(self)

    @classmethod
    def from_error(cls, error: DataError, *, severity: Severity = "error") -> Issue:
        """Build an issue from a `DataError` raised by a parser."""
        return cls(error.row, error.field or "", error.value or "", error.message, severity)


def value_text(value: object, *, limit: int = 80) -> str:
    """Return ``value`` as short text for a report (``""`` for missing values)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sort_issues(issues: list[Issue]) -> tuple[Issue, ...]:
    """Return issues ordered by row (file-level issues first), keeping the order within a row."""
    return tuple(sorted(issues, key=lambda i: -1 if i.row is None else i.row))


REPORT_FIELDS = ("row", "column", "value", "problem", "severity")
"""Columns of `issues_table`; their names are ``report.<field>`` in `geo.words`."""


def report_columns(lang: str = "vi") -> list[str]:
    """Return the column names of `issues_table` in ``lang`` (Vietnamese: Dòng, Cột, Giá trị, Vấn đề, Mức)."""
    return [word(f"report.{field}", lang) for field in REPORT_FIELDS]


def issues_table(issues: Iterable[Issue], *, lang: str = "vi") -> pd.DataFrame:
    """Return issues as a table with `report_columns` (for the Dữ liệu page and its downloads).

    Column names, severities and messages are in ``lang`` (the messages through `geo.messages`).
    """
    columns = report_columns(lang)
    severity = {"error": word("report.error", lang), "warning": word("report.warning", lang)}
    rows = [
        (
            i.row if i.row is not None else "",
            i.field,
            i.value,
            in_language(i.message, lang),
            severity[i.severity],
        )
        for i in issues
    ]
    return pd.DataFrame(rows, columns=columns)


class CheckedFile:
    """What every checked file offers from its ``issues``: the errors, the warnings, a verdict, a report.

    Mixed into the frozen dataclasses of the importers (`geo.io.incident_import.Validation`,
    `geo.io.boundary_import.BoundaryImport`, `geo.io.population_import.PopulationImport`).
    """

    issues: tuple[Issue, ...]

    @property
    def errors(self) -> tuple[Issue, ...]:
        """Issues that refuse a row (or the whole file)."""
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """Issues that keep the row but need the analyst's attention."""
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when nothing refuses a row."""
        return not self.errors

    def report(self, lang: str = "vi") -> pd.DataFrame:
        """Return the issues as a table with column names and severities in ``lang`` (page and exports)."""
        return issues_table(self.issues, lang=lang)
