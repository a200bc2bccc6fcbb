"""Command line ``python -m geo brief``: the meeting brief of the store, as Word or PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from geo import AppError, settings
from geo.cli._output import day_argument
from geo.filters import IncidentFilter
from geo.words import LANGS

FORMATS = ("docx", "pdf")
"""The brief's file formats (their renderers, matplotlib and python-docx, load only when a brief is written)."""


def add_cli(subparsers: Any) -> None:
    """Register the ``brief`` subcommand on the ``python -m geo`` parser."""
    parser = subparsers.add_parser(
        "brief",
        help="lập báo cáo họp (Word hoặc PDF) từ kho dữ liệu",
        description=(
            "Báo cáo họp 2–4 trang theo thể thức Nghị định 30/2020/NĐ-CP: kết luận, từng xã trọng điểm, "
            "bản đồ, bảng theo xã cho kỳ đã chọn so với cùng kỳ năm trước, điểm nóng, lưu ý và nguồn số liệu."
        ),
    )
    parser.add_argument("--format", choices=FORMATS, required=True, help="định dạng tệp: docx hoặc pdf")
    parser.add_argument("--out", type=Path, required=True, help="tệp ghi ra")
    parser.add_argument(
        "--from",
        dest="start",
        type=day_argument,
        help="ngày đầu kỳ (DD/MM/YYYY; mặc định: 12 tháng đủ gần nhất)",
    )
    parser.add_argument("--to", dest="end", type=day_argument, help="ngày cuối kỳ (DD/MM/YYYY)")
    parser.add_argument("--lang", choices=LANGS, default="vi", help="ngôn ngữ của báo cáo (mặc định vi)")
    parser.add_argument("--issuer", default="", help="tên cơ quan ban hành (mặc định: Công an + tên khu vực)")
    parser.add_argument("--db", help="URL kho dữ liệu (mặc định: DATABASE_URL hoặc tệp SQLite trong data/)")
    parser.set_defaults(func=run)


def _period(args: argparse.Namespace, default: IncidentFilter) -> IncidentFilter:
    return IncidentFilter(start=args.start or default.start, end=args.end or default.end)


def run(args: argparse.Namespace) -> int:
    """Write the brief; print the file and its size, or one Vietnamese error line and return 2."""
    from geo.brief.compose import compose
    from geo.brief.content import read_inputs
    from geo.brief.docx_file import render_docx
    from geo.brief.pdf_file import render_pdf
    from geo.brief.source import default_period
    from geo.store.store import Store

    renderers = {"docx": render_docx, "pdf": render_pdf}
    try:
        store = Store.open(args.db, create=args.db is None)
        inputs = read_inputs(store, pushdown=settings.pushdown(store.url))
        period = _period(args, default_period(inputs.counts()))
        brief = compose(inputs, period=period, lang=args.lang, issuer=args.issuer)
        data = renderers[args.format](brief)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
    except AppError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Lỗi: không ghi được tệp «{exc.filename}» ({exc.strerror}).", file=sys.stderr)
        return 2
    print(f"{args.out} ({len(data) // 1024} KB)")
    return 0
