"""Command line ``python -m geo init [--db URL] [--demo]``: create a store on purpose.

Every other command opens an existing store only when given ``--db``, so a mistyped path is reported
instead of silently becoming a new empty store; this command is how a new store is made (the
default store, ``data/antt.sqlite``, is still created with the demo data on first use).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from geo._errors import ConfigError

_DB_HELP = "URL kho dữ liệu (mặc định: DATABASE_URL hoặc tệp SQLite trong data/), vd sqlite:///x.sqlite"


def add_cli(subparsers: Any) -> None:
    """Register ``init``."""
    init = subparsers.add_parser("init", help="tạo kho dữ liệu mới (kho đã có thì để nguyên)")
    init.add_argument("--db", help=_DB_HELP)
    init.add_argument("--demo", action="store_true", help="nạp sẵn dữ liệu minh họa (để thử)")
    init.set_defaults(func=_init)


def _init(args: argparse.Namespace) -> int:
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=False)
    except ConfigError:
        pass
    else:
        stats = store.stats()
        print(
            f"Kho «{_shown(store.url)}» đã có (cấu trúc phiên bản {store.schema_version()}, "
            f"{stats['incidents']} vụ việc, {stats['communes']} đơn vị): không thay đổi gì."
        )
        return 0
    try:
        store = Store.open(args.db, demo=True if args.demo else None)
    except ConfigError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    db = f" --db {_shown(store.url)}" if args.db else ""
    print(
        f"Đã tạo kho «{_shown(store.url)}»{' với dữ liệu minh họa' if args.demo else ''}. Tiếp theo: "
        f"python -m geo users add TÊN --role admin{db}; rồi nhập ranh giới, dân số, kế hoạch và vụ việc "
        f"(trang Dữ liệu, hoặc python -m geo area show{db})."
    )
    return 0


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
