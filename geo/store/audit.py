"""The audit trail: who did what and when, append-only in the store (SQLite and PostGIS alike).

Rows are only ever inserted: this module has no update or delete, and the database refuses them too
(triggers made by `geo.store.schema`). A write that changes the store records its entry inside the same
transaction (`write`), so an import and its entry are committed, or rolled back, together; events that
change nothing else (logins, exports) are recorded on their own (`record`).

Examples
--------
>>> summary({"file": "a.csv", "rows": 3})
'file=a.csv, rows=3'
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store.schema import Tables, utc_now

if TYPE_CHECKING:
    from geo.store.store import Store

ACTIONS: Final = frozenset(
    {
        "login",
        "login_failed",
        "lockout",
        "logout",
        "import",
        "undo",
        "boundaries",
        "population",
        "plan",
        "area",
        "offence_map",
        "taxonomy",
        "basemap",
        "export",
        "user_add",
        "user_disable",
        "user_enable",
        "user_reset",
        "user_role",
        "password_change",
    }
)
"""Every action the trail records (an unknown one is a bug, refused by `write`)."""

VIETNAM: Final = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Times are stored in UTC and shown in Vietnam time (no daylight saving)."""


@dataclass(frozen=True)
class Entry:
    """One line of the audit trail; ``time`` is naive UTC as stored."""

    id: int
    time: datetime
    user: str
    action: str
    detail: dict[str, Any]

    def local_time(self) -> datetime:
        """Return `time` in Vietnam time, with its offset."""
        return self.time.replace(tzinfo=UTC).astimezone(VIETNAM)

    def to_dict(self) -> dict[str, Any]:
        """Return the entry for JSON: ``time`` as ISO 8601 in Vietnam time with its offset."""
        return {
            "id": self.id,
            "time": self.local_time().isoformat(timespec="seconds"),
            "user": self.user,
            "action": self.action,
            "detail": self.detail,
        }


def system_user() -> str:
    """Return the name recorded when no user was given (the command line): ``os:<login name>``."""
    try:
        return f"os:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in a bare container
        return "os:?"


def write(
    conn: Connection, tables: Tables, *, user: str, action: str, detail: Mapping[str, Any] | None = None
) -> None:
    """Append one entry inside the caller's transaction (an empty ``user`` is `system_user`).

    Raises
    ------
    ValueError
        ``action`` is not one of `ACTIONS` (a programming error).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    text = json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True, default=str)
    conn.execute(
        tables.audit.insert().values(
            at=utc_now(), user_name=user or system_user(), action=action, detail=text
        )
    )


def record(store: Store, *, user: str, action: str, detail: Mapping[str, Any] | None = None) -> None:
    """Append one entry in a transaction of its own."""
    with store.engine.begin() as conn:
        write(conn, store.tables, user=user, action=action, detail=detail)


def entries(
    store: Store,
    *,
    user: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[Entry]:
    """Return the trail, newest first, optionally for one user or action, from ``since`` (naive UTC)."""
    t = store.tables.audit
    query = sa.select(t).order_by(t.c.id.desc())
    if user:
        query = query.where(t.c.user_name == user)
    if action:
        query = query.where(t.c.action == action)
    if since is not None:
        query = query.where(t.c.at >= since)
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Entry(int(r.id), r.at, str(r.user_name), str(r.action), _detail(r.detail)) for r in rows]


def _detail(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}


def describe_filter(flt: Any) -> dict[str, Any]:
    """Return the filter of an export (a `geo.filters.IncidentFilter`) as audit details."""
    return {
        "from": flt.start.isoformat(),
        "to": flt.end.isoformat(),
        "groups": list(flt.groups),
        "offences": list(flt.offences),
        "communes": list(flt.communes),
    }


def summary(detail: Mapping[str, Any]) -> str:
    """Return ``detail`` as one line ``key=value, …`` (lists joined by ``;``) for tables and the console."""
    parts = []
    for key, value in detail.items():
        shown = ";".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{key}={shown}")
    return ", ".join(parts)
