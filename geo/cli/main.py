"""Command line over the domain functions: ``python -m geo <command>``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from geo import AppError, demo
from geo.cli import brief as brief_cli
from geo.cli import data as data_cli
from geo.cli import evaluate as evaluation_cli
from geo.cli import init as init_cli
from geo.cli import setup as setup_cli
from geo.cli import users as users_cli


def _cmd_demo(args: argparse.Namespace) -> int:
    paths = demo.write_demo(args.out)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="Bản đồ điểm nóng ANTT — dòng lệnh")
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="sinh lại dữ liệu minh họa trong data/ (tất định)")
    p_demo.add_argument("--out", type=_path, default=None, help="thư mục ghi (mặc định data/)")
    p_demo.set_defaults(func=_cmd_demo)
    evaluation_cli.add_cli(sub)
    data_cli.add_cli(sub)
    users_cli.add_cli(sub)
    init_cli.add_cli(sub)
    setup_cli.add_cli(sub)
    brief_cli.add_cli(sub)
    return parser


def _path(text: str) -> object:
    from pathlib import Path

    return Path(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code.

    Every command reports its own errors; one of ours that still gets here (a store that turns out
    read-only, full or locked in the middle of a command, say) is printed as its message on stderr
    with exit code 2, never as a traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except AppError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
