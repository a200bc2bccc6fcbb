"""Roles and what each may do: viewer (leaders), analyst, admin.

Examples
--------
>>> can(Role.VIEWER, Permission.EXPORT)
False
>>> can(Role.ANALYST, Permission.IMPORT), can(Role.ANALYST, Permission.BOUNDARIES)
(True, False)
>>> parse_role("Admin")
<Role.ADMIN: 'admin'>
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from geo._errors import ConfigError


class Role(StrEnum):
    """A user's role."""

    VIEWER = "viewer"
    """Leaders: every analysis page; no import, no export of incident lists."""
    ANALYST = "analyst"
    """Imports, undo, exports, the plan."""
    ADMIN = "admin"
    """Everything an analyst may do, plus users, the audit trail, area settings and boundaries."""


class Permission(StrEnum):
    """Something a role may be allowed to do."""

    VIEW = "view"
    IMPORT = "import"
    UNDO = "undo"
    EXPORT = "export"
    PLAN = "plan"
    BOUNDARIES = "boundaries"
    SETTINGS = "settings"
    USERS = "users"
    AUDIT = "audit"


GRANTS: Final[dict[Role, frozenset[Permission]]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.ANALYST: frozenset(
        {Permission.VIEW, Permission.IMPORT, Permission.UNDO, Permission.EXPORT, Permission.PLAN}
    ),
    Role.ADMIN: frozenset(Permission),
}
"""What each role may do."""

UNDO_NEEDS: Final[dict[str, Permission]] = {
    "incidents": Permission.UNDO,
    "boundaries": Permission.BOUNDARIES,
    "population": Permission.BOUNDARIES,
}
"""The permission needed to undo a batch of each kind (a boundary change is undone by whoever may make it)."""


def can(role: Role | str, permission: Permission) -> bool:
    """Return True when ``role`` may do ``permission`` (an unknown role may do nothing)."""
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False


def may_undo(role: Role | str, kind: str) -> bool:
    """Return True when ``role`` may undo a batch of ``kind`` (``incidents``, ``boundaries``, …)."""
    return can(role, UNDO_NEEDS.get(kind, Permission.BOUNDARIES))


def parse_role(text: str) -> Role:
    """Return the role named ``text`` (any case).

    Raises
    ------
    ConfigError
        Not a role.
    """
    try:
        return Role(text.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ConfigError(f"Vai trò «{text}» không có; chọn một trong: {names}.") from None
