r"""Command line ``python -m geo users …`` (accounts) and ``python -m geo audit`` (the activity log).

A password is never an argument: it is asked twice without echo, or read from the first line of
standard input with ``--password-stdin`` (scripts: ``printf '%s\n' "$PW" | python -m geo users add …``).
Changes made here are audited under the machine's login name (``os:<name>``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from geo._errors import ConfigError
from geo.auth import users as accounts
from geo.auth.roles import Role
from geo.cli._output import dumps

_DB_HELP = "URL kho dữ liệu (mặc định: DATABASE_URL hoặc tệp SQLite trong data/), vd sqlite:///x.sqlite"
_ROLE_HELP = "vai trò: viewer (lãnh đạo, chỉ xem), analyst (nhập, xuất, kế hoạch), admin (quản trị)"


def add_cli(subparsers: Any) -> None:
    """Register ``users`` (add, list, disable, enable, reset, role) and ``audit``."""
    p_users = subparsers.add_parser("users", help="tài khoản đăng nhập: thêm, xem, vô hiệu hóa, đặt lại")
    sub = p_users.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="thêm tài khoản (mật khẩu hỏi khi chạy, không ghi trên dòng lệnh)")
    add.add_argument("name", help="tên đăng nhập (chữ không dấu, số, . _ @ -)")
    add.add_argument("--role", required=True, choices=[r.value for r in Role], help=_ROLE_HELP)
    add.set_defaults(func=_add)
    lst = sub.add_parser("list", help="danh sách tài khoản")
    lst.add_argument("--json", action="store_true", help="in dạng JSON")
    lst.set_defaults(func=_list)
    disable = sub.add_parser("disable", help="vô hiệu hóa một tài khoản (không đăng nhập được nữa)")
    enable = sub.add_parser("enable", help="kích hoạt lại một tài khoản")
    reset = sub.add_parser("reset", help="đặt mật khẩu mới và mở khóa; người dùng phải đổi khi đăng nhập")
    reset.add_argument("--keep", action="store_true", help="không bắt người dùng đổi mật khẩu này")
    role = sub.add_parser("role", help="đổi vai trò")
    for command in (disable, enable, reset, role):
        command.add_argument("name", help="tên đăng nhập")
    role.add_argument("role", choices=[r.value for r in Role], help=_ROLE_HELP)
    disable.set_defaults(func=_disable)
    enable.set_defaults(func=_enable)
    reset.set_defaults(func=_reset)
    role.set_defaults(func=_role)
    for command in (add, reset):
        command.add_argument(
            "--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin"
        )
    for command in (add, lst, disable, enable, reset, role):
        command.add_argument("--db", help=_DB_HELP)

    log = subparsers.add_parser("audit", help="nhật ký hoạt động: ai, lúc nào, làm gì")
    log.add_argument("--db", help=_DB_HELP)
    log.add_argument("--json", action="store_true", help="in dạng JSON (danh sách các mục)")
    log.add_argument("--user", help="chỉ các mục của người này")
    log.add_argument("--action", help="chỉ một loại hoạt động, vd login_failed, import, export")
    log.add_argument("--limit", type=int, help="chỉ N mục mới nhất")
    log.set_defaults(func=_audit)


def _store(args: argparse.Namespace) -> Any:
    """Open the store: ``--db`` names an existing one (``python -m geo init`` makes a new one)."""
    from geo.store.store import Store

    return Store.open(args.db, create=args.db is None)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise ConfigError("Không đọc được mật khẩu từ stdin (dòng đầu trống).")
        return line.rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise ConfigError("Hai lần nhập mật khẩu không khớp.")
    return first


def _run(args: argparse.Namespace, action: Any) -> int:
    try:
        message = action()
    except ConfigError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    print(message)
    return 0


def _add(args: argparse.Namespace) -> int:
    def action() -> str:
        store = _store(args)
        user = accounts.add_user(store, args.name, _password(args), args.role)
        return f"Đã thêm tài khoản «{user.name}» (vai trò {user.role.value})."

    return _run(args, action)


def _disable(args: argparse.Namespace) -> int:
    return _run(args, lambda: _state(args, active=False))


def _enable(args: argparse.Namespace) -> int:
    return _run(args, lambda: _state(args, active=True))


def _state(args: argparse.Namespace, *, active: bool) -> str:
    user = accounts.set_active(_store(args), args.name, active)
    return f"Đã {'kích hoạt lại' if active else 'vô hiệu hóa'} tài khoản «{user.name}»."


def _reset(args: argparse.Namespace) -> int:
    def action() -> str:
        store = _store(args)
        if accounts.get_user(store, args.name) is None:
            raise ConfigError(f"Không có tài khoản «{args.name}».")
        user = accounts.reset_password(store, args.name, _password(args), must_change=not args.keep)
        tail = "" if args.keep else "; phải đổi mật khẩu khi đăng nhập"
        return f"Đã đặt lại mật khẩu và mở khóa tài khoản «{user.name}»{tail}."

    return _run(args, action)


def _role(args: argparse.Namespace) -> int:
    def action() -> str:
        user = accounts.set_role(_store(args), args.name, args.role)
        return f"Tài khoản «{user.name}» giờ có vai trò {user.role.value}."

    return _run(args, action)


def _list(args: argparse.Namespace) -> int:
    try:
        found = accounts.users(_store(args))
    except ConfigError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(dumps([u.to_dict() for u in found]))
        return 0
    if not found:
        print("Chưa có tài khoản nào. Tạo quản trị viên: python -m geo users add TÊN --role admin")
        return 0
    for user in found:
        state = "hoạt động" if user.active else "vô hiệu hóa"
        if accounts.is_locked(user):
            state += ", tạm khóa"
        if user.must_change:
            state += ", chờ đổi mật khẩu"
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "chưa đăng nhập"
        print(f"{user.name:<24} {user.role.value:<8} {state:<32} {last}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from geo.store import audit

    try:
        found = audit.entries(_store(args), user=args.user, action=args.action, limit=args.limit)
    except ConfigError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(dumps([e.to_dict() for e in found]))
        return 0
    if not found:
        print("Nhật ký chưa có mục nào.")
        return 0
    for entry in found:
        when = entry.local_time().strftime("%d/%m/%Y %H:%M:%S")
        print(f"{when}  {entry.user:<20} {entry.action:<16} {audit.summary(entry.detail)}")
    return 0
