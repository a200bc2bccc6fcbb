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


STORE_FAULTS = (
    "missing",
    "empty",
    "foreign",
    "corrupt",
    "readonly",
    "full",
    "locked",
    "cannot_open",
    "io",
    "unreachable",
    "credentials",
    "no_database",
    "url",
)
"""The kinds of `StoreError`, each with its words ``store.<kind>`` in the catalogue."""


class StoreError(ConfigError):
    """The store cannot be opened, read or written: missing, empty, corrupt, read-only, full, locked.

    The message (Vietnamese, from the word ``store.<kind>`` of `geo.words`) names the store with any
    password hidden and says what to do; `kind` and `params` let a page say it in its own language.

    Parameters
    ----------
    kind
        One of `STORE_FAULTS`.
    store
        The store's URL, password already hidden.
    detail
        The database's own words, for the log and the curious (may be empty).
    """

    def __init__(self, kind: str, store: str, detail: str = "") -> None:
        from geo.words import word

        if kind not in STORE_FAULTS:
            raise ValueError(f"unknown store fault {kind!r}")
        self.kind = kind
        self.store = store
        self.detail = detail
        self.params = {"store": store}
        super().__init__(word(f"store.{kind}", "vi", **self.params))

    def words(self, lang: str) -> str:
        """Return the message in ``lang`` ("vi" or "en")."""
        from geo.words import word

        return word(f"store.{self.kind}", lang, **self.params)
