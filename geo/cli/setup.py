"""Command line of the set-up path: ``python -m geo area|plan …`` and ``import population``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from geo._errors import AppError, ConfigError, DataError
from geo.cli._output import day_argument, dumps, issue_dicts, pairs
from geo.formatting import format_number
from geo.plan import Plan
from geo.taxonomy import group_name

_DB_HELP = "URL kho dữ liệu (mặc định: DATABASE_URL hoặc tệp SQLite trong data/), vd sqlite:///x.sqlite"


def add_cli(subparsers: Any) -> None:
    """Register ``area`` and ``plan``."""
    area = subparsers.add_parser("area", help="tên khu vực, từ chỉ đơn vị, hệ tọa độ đo đạc")
    area_cmd = area.add_subparsers(dest="action", required=True)
    show = area_cmd.add_parser("show", help="xem thiết lập khu vực và các bước còn thiếu")
    put = area_cmd.add_parser("set", help="đặt tên khu vực, từ chỉ đơn vị, hệ tọa độ đo đạc")
    put.add_argument("--name", help="tên khu vực, vd «Huyện Vĩnh Lộc, tỉnh Thanh Hóa»")
    put.add_argument("--unit-word", help="từ chỉ một đơn vị: xã, phường, ward…")
    put.add_argument("--crs", help="hệ tọa độ phẳng để đo (mặc định: tự chọn theo khu vực), vd EPSG:32648")
    for sub in (show, put):
        sub.add_argument("--db", help=_DB_HELP)
        sub.add_argument("--json", action="store_true", help="in dạng JSON")
    show.set_defaults(func=_area_show)
    put.set_defaults(func=_area_set)

    plan = subparsers.add_parser("plan", help="kế hoạch chuyển hóa: ngày bắt đầu, đơn vị trọng điểm")
    plan_cmd = plan.add_subparsers(dest="action", required=True)
    pshow = plan_cmd.add_parser("show", help="xem kế hoạch đang lưu")
    pset = plan_cmd.add_parser("set", help="đặt kế hoạch (kiểm tra theo ranh giới đã nhập)")
    pset.add_argument("--targets", help="mã các đơn vị trọng điểm, cách nhau bởi dấu phẩy")
    pset.add_argument("--start", type=day_argument, help="ngày bắt đầu, YYYY-MM-DD hoặc dd/mm/yyyy")
    pset.add_argument("--before-months", type=int, help="số tháng trước ngày bắt đầu (mặc định 12)")
    pset.add_argument("--after-months", type=int, help="số tháng từ ngày bắt đầu (mặc định 12)")
    pset.add_argument("--name", help="tên kế hoạch")
    pset.add_argument(
        "--selection",
        choices=["counts", "other", "unknown"],
        help="cách chọn đơn vị trọng điểm: counts (vì số vụ cao: giai đoạn nền dài hơn, tránh hồi quy về trung bình), "
        "other (vì lý do khác), unknown (chưa ghi)",
    )
    pset.add_argument(
        "--primary", help="chỉ tiêu chính của kết luận: all (mọi vụ việc, mặc định) hoặc mã một nhóm tội danh"
    )
    for sub in (pshow, pset):
        sub.add_argument("--db", help=_DB_HELP)
        sub.add_argument("--json", action="store_true", help="in dạng JSON")
    pshow.set_defaults(func=_plan_show)
    pset.set_defaults(func=_plan_set)

    tpl = subparsers.add_parser(
        "template", help="ghi mẫu sổ vụ việc (Excel, danh sách chọn tội danh và đơn vị)"
    )
    tpl.add_argument("--out", type=Path, default=Path("mau_so_vu_viec.xlsx"), help="tệp ghi ra")
    tpl.add_argument("--db", help=_DB_HELP)
    tpl.set_defaults(func=_template)


def _template(args: argparse.Namespace) -> int:
    from geo.io.template import ledger_template
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        data = ledger_template(store.communes())
        args.out.write_bytes(data)
    except AppError as error:
        return _fail(error)
    except OSError as error:
        print(f"Lỗi: không ghi được tệp «{args.out}» ({error.strerror}).", file=sys.stderr)
        return 2
    print(f"Đã ghi mẫu sổ vụ việc vào {args.out}.")
    return 0


def add_population_parser(kinds: Any) -> argparse.ArgumentParser:
    """Register ``import population`` on the ``import`` subcommands; return its parser."""
    pop = kinds.add_parser("population", help="nhập bảng dân số (CSV/XLSX: mã hoặc tên đơn vị, dân số, năm)")
    pop.add_argument("file", type=Path, help="bảng dân số")
    pop.add_argument("--year", type=int, help="năm của số liệu khi bảng không có cột năm")
    pop.add_argument("--map", nargs="+", default=[], metavar="TRƯỜNG=CỘT", help="vd name=Tên population=DS")
    pop.set_defaults(func=_import_population)
    return pop


def add_history_parser(kinds: Any) -> argparse.ArgumentParser:
    """Register ``import history`` on the ``import`` subcommands; return its parser."""
    his = kinds.add_parser(
        "history",
        help="nhập lịch sử đơn vị (CSV: old_code,old_name,new_code,new_name,date,act,note): sáp nhập, đổi tên, "
        "mã dùng lại; dùng để đọc tên/mã xã của vụ việc theo ngày",
    )
    his.add_argument("file", type=Path, help="bảng lịch sử đơn vị (CSV UTF-8)")
    his.set_defaults(func=_import_history)
    return his


def add_taxonomy_parser(kinds: Any) -> argparse.ArgumentParser:
    """Register ``import taxonomy`` on the ``import`` subcommands; return its parser."""
    tax = kinds.add_parser(
        "taxonomy",
        help="thêm loại vụ việc riêng của khu vực vào danh mục (CSV/XLSX: code,group,name_vi,name_en,"
        "penal_code_article,group_name_vi,group_name_en)",
    )
    tax.add_argument("file", type=Path, help="bảng danh mục (CSV UTF-8 hoặc XLSX)")
    tax.set_defaults(func=_import_taxonomy)
    return tax


def _import_taxonomy(args: argparse.Namespace) -> int:
    from geo.io.files import read_bytes
    from geo.io.taxonomy_file import read_taxonomy_file
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        if args.file.is_file() and args.file.stat().st_size > _HISTORY_MAX_BYTES:
            raise DataError("Tệp quá lớn cho một danh mục tội danh (tối đa 5 MB).", file=args.file.name)
        found = read_taxonomy_file(
            read_bytes(args.file, name=args.file.name), name=args.file.name, current=store.taxonomy()
        )
        added = len(found.offences) if args.dry_run else store.save_taxonomy(found, user=args.user)
    except AppError as error:
        return _fail(error)
    data = {
        "added": added,
        "groups": sorted(found.groups),
        "repeated": found.repeated,
        "codes": [o.code for o in found.offences],
        "dry_run": args.dry_run,
    }
    if args.json:
        print(dumps(data))
        return 0
    verb = "Sẽ thêm" if args.dry_run else "Đã thêm"
    groups = f", nhóm mới: {', '.join(data['groups'])}" if found.groups else ""
    print(f"{verb} {added} loại vụ việc vào danh mục{groups}; {found.repeated} dòng đã có sẵn.")
    return 0


_HISTORY_MAX_BYTES = 5 * 1024 * 1024
"""A unit history is a short table: anything larger is not one."""


def _import_history(args: argparse.Namespace) -> int:
    from geo.history import UnitHistory
    from geo.io.files import read_bytes
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        if args.file.is_file() and args.file.stat().st_size > _HISTORY_MAX_BYTES:
            raise DataError("Tệp quá lớn cho một bảng lịch sử đơn vị (tối đa 5 MB).", file=args.file.name)
        history = UnitHistory.from_csv(read_bytes(args.file, name=args.file.name), name=args.file.name)
        if not history.changes:
            raise DataError("Bảng lịch sử đơn vị không có dòng nào.", file=args.file.name)
        if not args.dry_run:
            store.save_unit_history(history, user=args.user)
    except AppError as error:
        return _fail(error)
    data = {"changes": len(history.changes), "units": len(history.units), "dry_run": args.dry_run}
    print(
        dumps(data)
        if args.json
        else f"{'Sẽ lưu' if args.dry_run else 'Đã lưu'} lịch sử đơn vị: {data['changes']} thay đổi, "
        f"{data['units']} đơn vị qua các thời kỳ."
    )
    return 0


def _fail(error: AppError) -> int:
    print(f"Lỗi: {error}", file=sys.stderr)
    return 2


def steps(store: Any) -> list[dict[str, Any]]:
    """Return the set-up steps of a store (boundaries → population → plan → incidents), each done or not."""
    communes = store.communes()
    known = int((communes["population"] > 0).sum()) if len(communes) else 0
    plan = store.plan()
    stats = store.stats()
    return [
        {
            "step": "boundaries",
            "done": bool(len(communes)),
            "detail": f"{format_number(len(communes))} đơn vị",
        },
        {
            "step": "population",
            "done": bool(len(communes)) and known == len(communes),
            "detail": f"{known}/{len(communes)} đơn vị có dân số",
        },
        {
            "step": "plan",
            "done": plan.is_set,
            "detail": f"{len(plan.targets)} đơn vị trọng điểm từ {plan.start:%d/%m/%Y}"
            if plan.is_set
            else "chưa đặt",
        },
        {
            "step": "incidents",
            "done": stats["incidents"] > 0,
            "detail": f"{format_number(stats['incidents'])} vụ việc",
        },
    ]


_STEP_WORDS = {
    "boundaries": "Ranh giới (python -m geo import boundaries TỆP)",
    "population": "Dân số (python -m geo import population TỆP)",
    "plan": "Kế hoạch (python -m geo plan set --targets … --start …)",
    "incidents": "Vụ việc (python -m geo import incidents TỆP)",
}


def _area_show(args: argparse.Namespace) -> int:
    from geo.communes import crs_label, metric_crs
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        area = store.area()
        communes = store.communes()
        crs = crs_label(metric_crs(communes, named=area.metric_crs or None))
        data = {**area.to_dict(), "metric_crs_used": crs, "units": len(communes), "steps": steps(store)}
    except AppError as error:
        return _fail(error)
    if args.json:
        print(dumps(data))
        return 0
    print(f"Khu vực: {area.name or '(chưa đặt tên)'} — {len(communes)} {area.unit_word}; đo đạc theo {crs}.")
    for step in data["steps"]:
        print(f"  {'✓' if step['done'] else '✗'} {_STEP_WORDS[step['step']]}: {step['detail']}")
    return 0


def _area_set(args: argparse.Namespace) -> int:
    from geo.communes import metric_crs
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        area = store.area()
        area = replace(
            area,
            name=area.name if args.name is None else args.name.strip(),
            unit_word=area.unit_word if args.unit_word is None else args.unit_word.strip(),
            metric_crs=area.metric_crs if args.crs is None else args.crs.strip(),
        )
        if area.metric_crs:
            metric_crs(store.communes(), named=area.metric_crs)  # refuses a geographic or unknown CRS
        store.save_area(area)
    except AppError as error:
        return _fail(error)
    print(dumps(area.to_dict()) if args.json else f"Đã lưu khu vực: {area.name} ({area.unit_word}).")
    return 0


def _plan_dict(plan: Plan, names: dict[str, str]) -> dict[str, Any]:
    data = plan.to_dict()
    data["is_set"] = plan.is_set
    data["target_names"] = [names.get(code, code) for code in plan.targets]
    if not plan.is_set:
        data["start"] = None
    return data


def _plan_show(args: argparse.Namespace) -> int:
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        plan = store.plan()
        communes = store.communes()
    except AppError as error:
        return _fail(error)
    names = dict(zip(communes["code"], communes["name"], strict=True))
    if args.json:
        print(dumps(_plan_dict(plan, names)))
    elif not plan.is_set:
        print("Chưa đặt kế hoạch: python -m geo plan set --targets MÃ1,MÃ2 --start YYYY-MM-DD")
    else:
        targets = ", ".join(f"{names.get(c, c)} ({c})" for c in plan.targets)
        print(
            f"{plan.name}: bắt đầu {plan.start:%d/%m/%Y}; trọng điểm: {targets}; "
            f"{plan.before_months} tháng trước, {plan.after_months} tháng sau; "
            f"cách chọn: {_SELECTION_WORDS[plan.selection]}; chỉ tiêu chính: "
            f"{'mọi vụ việc' if plan.primary == 'all' else group_name(plan.primary)}."
        )
    return 0


_SELECTION = {"counts": "counts", "other": "other", "unknown": ""}
"""``--selection`` word → `Plan.selection` (the empty string, "not recorded", has a word on the command line)."""

_SELECTION_WORDS = {
    "counts": "vì số vụ cao (giai đoạn nền dài hơn)",
    "other": "vì lý do khác số vụ",
    "": "chưa ghi",
}


def _plan_set(args: argparse.Namespace) -> int:
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        current = store.plan()
        targets = tuple(c.strip() for c in (args.targets or "").split(",") if c.strip())
        start = args.start or (current.start if current.is_set else None)
        if start is None or not (targets or current.targets):
            missing = [f for f, v in (("--targets", targets or current.targets), ("--start", start)) if not v]
            raise ConfigError(f"Kho chưa có kế hoạch: cần {' và '.join(missing)}.")
        plan = Plan(
            name=args.name or current.name or "Kế hoạch chuyển hóa",
            start=start,
            targets=targets or current.targets,
            before_months=args.before_months or current.before_months,
            after_months=args.after_months or current.after_months,
            note=current.note,
            selection=current.selection if args.selection is None else _SELECTION[args.selection],
            primary=args.primary or current.primary,
        )
        store.save_plan(plan)
        communes = store.communes()
    except AppError as error:
        return _fail(error)
    names = dict(zip(communes["code"], communes["name"], strict=True))
    print(dumps(_plan_dict(plan, names)) if args.json else f"Đã lưu kế hoạch «{plan.name}».")
    return 0


def _import_population(args: argparse.Namespace) -> int:
    from geo.io.population_import import import_population
    from geo.store.batches import update_population
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        communes = store.communes()
        if communes.empty:
            raise ConfigError(
                "Kho chưa có ranh giới: nhập ranh giới trước (python -m geo import boundaries TỆP)."
            )
        checked = import_population(
            args.file, communes, mapping=pairs(args.map, flag="--map"), year=args.year, max_bytes=sys.maxsize
        )
        data: dict[str, Any] = {
            "accepted": len(checked.table),
            "updated": 0,
            "rejected": len({i.row for i in checked.errors}),
            "missing": list(checked.missing),
            "errors": issue_dicts(checked.errors),
            "warnings": issue_dicts(tuple(i for i in checked.issues if i.severity == "warning")),
            "batch_id": None,
            "dry_run": args.dry_run,
        }
        if checked.ok and len(checked.table) and not args.dry_run:
            outcome = update_population(store, checked, user=args.user)
            data.update(updated=outcome.updated, batch_id=outcome.batch_id)
    except AppError as error:
        return _fail(error)
    if args.json:
        print(dumps(data))
    else:
        verb = "Sẽ ghi" if args.dry_run or not checked.ok else "Đã ghi"
        print(
            f"{verb} dân số của {data['accepted']} đơn vị ({data['updated']} thay đổi); {data['rejected']} dòng lỗi."
        )
        for issue in data["errors"] + data["warnings"]:
            print(f"  dòng {issue['row'] or '-'}, «{issue['value']}»: {issue['message']}")
    return 0 if checked.ok and data["accepted"] else 1
