"""Exceptions of the domain package; messages are in Vietnamese because users see them."""

from __future__ import annotations


class AppError(ValueError):
    """A problem a user can fix, carrying the message shown to them.

    Every error the domain package raises on purpose is an `AppError`, so a page or the command
    line catches this one class, shows `message` (or the whole text, with the place) and treats
    anything else as a bug.

    Parameters
    ----------
    message
        What is wrong and how to fix it, in Vietnamese.
    file
        The file the problem is in.
    row
        The 1-based row number in the file (header is row 1 for tables).
    field
        The column or property name.
    value
        The offending value, as text.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.value = value
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(f"tệp «{self.file}»")
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.field:
            where.append(f"cột «{self.field}»")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class DataError(AppError):
    """A problem in input data, naming the file, row and field where known."""


class BoundaryError(DataError):
    """A boundary file that cannot be read or does not hold usable commune polygons."""


class ConfigError(AppError):
    """A setting or plan that is not valid (unknown commune code, bad date…)."""
