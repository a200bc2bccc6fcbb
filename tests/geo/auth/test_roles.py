from __future__ import annotations

import pytest

from geo._errors import ConfigError
from geo.auth.roles import GRANTS, Permission, Role, can, may_undo, parse_role


def test_viewers_only_look() -> None:
    assert GRANTS[Role.VIEWER] == {Permission.VIEW}
    for permission in (
        Permission.IMPORT,
        Permission.EXPORT,
        Permission.UNDO,
        Permission.PLAN,
        Permission.USERS,
    ):
        assert not can(Role.VIEWER, permission)


def test_analysts_import_undo_export_and_plan_but_do_not_administer() -> None:
    for permission in (
        Permission.VIEW,
        Permission.IMPORT,
        Permission.UNDO,
        Permission.EXPORT,
        Permission.PLAN,
    ):
        assert can("analyst", permission)
    for permission in (Permission.USERS, Permission.AUDIT, Permission.SETTINGS, Permission.BOUNDARIES):
        assert not can("analyst", permission)


def test_admins_may_do_everything() -> None:
    assert all(can(Role.ADMIN, p) for p in Permission)


def test_an_unknown_role_may_do_nothing() -> None:
    assert not any(can("root", p) for p in Permission)


def test_undoing_a_boundary_change_needs_the_boundary_permission() -> None:
    assert may_undo("analyst", "incidents")
    assert not may_undo("analyst", "boundaries")
    assert not may_undo("analyst", "population")
    assert not may_undo("analyst", "something new")
    assert may_undo("admin", "boundaries")
    assert not may_undo("viewer", "incidents")


def test_roles_are_parsed_in_any_case_and_unknown_ones_refused_in_vietnamese() -> None:
    assert parse_role(" VIEWER ") is Role.VIEWER
    with pytest.raises(ConfigError, match="Vai trò «boss» không có"):
        parse_role("boss")
