"""Command line ``python -m geo import|export|batches|undo``: real data in and out of the store."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geo._errors import ConfigError, DataError
from geo.cli import setup as setup_cli
from geo.cli._output import day_argument, dumps, issue_dicts, pairs
from geo.formatting import format_number
from geo.io.boundary_import import DERIVED_CODE
from geo.io.parsing import DATE_FORMATS

_DB_HELP = "URL kho dữ liệu (mặc định: DATABASE_URL hoặc tệp SQLite trong data/), vd sqlite:///x.sqlite"


def add_cli(subparsers: Any) -> None:
    """Register ``import``, ``export``, ``batches`` and ``undo``."""
    p_import = subparsers.add_parser("import", help="nhập vụ việc hoặc ranh giới xã từ tệp")
    kinds = p_import.add_subparsers(dest="kind", required=True)
    inc = kinds.add_parser("incidents", help="nhập vụ việc từ CSV, XLSX hoặc GeoJSON")
    inc.add_argument("file", type=Path, help="tệp vụ việc")
    inc.add_argument("--date-format", choices=list(DATE_FORMATS), default="auto", help="định dạng ngày")
    inc.add_argument("--crs", help="hệ tọa độ của tọa độ, vd EPSG:5897 (mặc định WGS 84 kinh/vĩ độ)")
    inc.add_argument(
        "--map", nargs="+", default=[], metavar="TRƯỜNG=CỘT", help="ánh xạ cột, vd occurred_at=Ngày"
    )
    inc.add_argument(
        "--offence-map",
        nargs="+",
        default=[],
        metavar="TÊN=MÃ|TỆP",
        help="ánh xạ tội danh lạ sang mã: cặp TÊN=MÃ, hoặc tệp CSV/XLSX hai cột value,code",
    )
    inc.add_argument("--encoding", help="bảng mã của CSV (mặc định tự nhận: utf-8, cp1258, cp1252)")
    inc.add_argument("--sheet", help="trang tính của tệp XLSX (mặc định trang đầu)")
    inc.add_argument(
        "--complete-to",
        type=day_argument,
        help="ngày cuối mà sổ đã ghi đủ mọi vụ việc (dd/mm/yyyy): độ phủ dữ liệu và giai đoạn đánh giá "
        "kết thúc ở đó (mặc định: hết tháng trọn vẹn cuối cùng của các vụ việc)",
    )
    inc.set_defaults(func=_import_incidents)
    bnd = kinds.add_parser(
        "boundaries", help="thay ranh giới xã từ GeoJSON, Shapefile nén .zip hoặc GeoPackage"
    )
    bnd.add_argument("file", type=Path, help="tệp ranh giới")
    bnd.add_argument("--crs", help="hệ tọa độ nếu tệp không ghi, vd EPSG:5897")
    bnd.add_argument("--layer", help="lớp trong GeoPackage")
    bnd.add_argument(
        "--field", nargs="+", default=[], metavar="TRƯỜNG=THUỘC_TÍNH", help="vd code=MaXa name=TenXa"
    )
    bnd.add_argument("--population-year", type=int, help="năm của số liệu dân số")
    bnd.add_argument(
        "--new-area",
        action="store_true",
        help="khu vực mới: không cắt theo khu vực đang lưu, không ghép tên với đơn vị cũ",
    )
    bnd.set_defaults(func=_import_boundaries)
    pop = setup_cli.add_population_parser(kinds)
    his = setup_cli.add_history_parser(kinds)
    tax = setup_cli.add_taxonomy_parser(kinds)
    for sub in (inc, bnd, pop, his, tax):
        sub.add_argument("--db", help=_DB_HELP)
        sub.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì vào kho")
        sub.add_argument("--user", default="", help="người nhập (ghi vào lịch sử)")
        sub.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    exp = subparsers.add_parser("export", help="xuất vụ việc hoặc bảng theo xã ra CSV/XLSX")
    exp.add_argument("what", choices=["incidents", "communes"], help="vụ việc, hoặc bảng số vụ theo xã")
    exp.add_argument("--db", help=_DB_HELP)
    exp.add_argument("--format", choices=["csv", "xlsx"], default="csv", dest="fmt")
    exp.add_argument("--out", type=Path, help="tệp ghi ra (mặc định: in CSV ra màn hình)")
    exp.add_argument("--from", dest="start", type=day_argument, help="từ ngày dd/mm/yyyy")
    exp.add_argument("--to", dest="end", type=day_argument, help="đến ngày dd/mm/yyyy")
    exp.add_argument("--group", nargs="+", default=[], help="nhóm vụ việc (ttxh, ma_tuy, te_nan, mau_thuan)")
    exp.add_argument("--offence", nargs="+", default=[], help="mã tội danh")
    exp.add_argument("--commune", nargs="+", default=[], help="mã xã")
    exp.add_argument("--lang", choices=["vi", "en"], default="vi", help="ngôn ngữ tiêu đề cột")
    exp.set_defaults(func=_export)

    bat = subparsers.add_parser("batches", help="lịch sử các lần nhập")
    bat.add_argument("--db", help=_DB_HELP)
    bat.add_argument("--json", action="store_true", help="in dạng JSON")
    bat.set_defaults(func=_batches)
    und = subparsers.add_parser("undo", help="hoàn tác một lần nhập")
    und.add_argument("batch_id", help="mã lô nhập (xem `python -m geo batches`)")
    und.add_argument("--db", help=_DB_HELP)
    und.add_argument("--user", default="", help="người hoàn tác")
    und.add_argument("--json", action="store_true", help="in dạng JSON")
    und.set_defaults(func=_undo)


def _emit(data: dict[str, Any], *, as_json: bool, lines: list[str]) -> None:
    if as_json:
        print(dumps(data))
    else:
        print("\n".join(lines))


def _failure(error: DataError | ConfigError, *, as_json: bool) -> int:
    message = str(error)
    if as_json:
        row = getattr(error, "row", None)
        field = getattr(error, "field", None) or ""
        value = getattr(error, "value", None) or ""
        errors = [{"row": row, "field": field, "value": value, "message": message}]
        data = {"accepted": 0, "updated": 0, "rejected": 0, "errors": errors, "batch_id": None}
        print(dumps(data))
    else:
        print(f"Lỗi: {message}", file=sys.stderr)
    return 2


def _offence_map(items: Sequence[str]) -> dict[str, str]:
    """Return the ``--offence-map`` pairs, reading any item without ``=`` as a mapping file."""
    from geo.io.offences import read_offence_map

    mapping: dict[str, str] = {}
    for item in items:
        if "=" in item:
            mapping.update(pairs([item], flag="--offence-map"))
        else:
            mapping.update(read_offence_map(Path(item)))
    return mapping


def _import_incidents(args: argparse.Namespace) -> int:
    from geo.io.incident_import import validate_incidents
    from geo.io.safety import Limits
    from geo.io.tables import read_table
    from geo.store.batches import check_complete_to, plan_import
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        if store.communes().empty:
            raise ConfigError(
                "Kho chưa có ranh giới khu vực: nhập ranh giới trước (python -m geo import boundaries TỆP), "
                "rồi mới nhập vụ việc."
            )
        table = read_table(args.file, encoding=args.encoding, sheet=args.sheet, limits=Limits.command_line())
        # Names mapped on earlier imports are reused; this run's --offence-map wins and is saved with it.
        saved_map, given_map = store.offence_map(), _offence_map(args.offence_map)
        checked = validate_incidents(
            table,
            store.communes(),
            mapping=pairs(args.map, flag="--map"),
            date_format=args.date_format,
            crs=args.crs,
            offence_map=saved_map | given_map,
            history=store.unit_history(),
            release_rows=True,
        )
        del table  # the raw cells (hundreds of MB at a million rows) are not needed after the check
        check_complete_to(args.complete_to, checked)
        preview = plan_import(store, checked)
        data: dict[str, Any] = {
            "accepted": preview.new,
            "updated": preview.updated,
            "unchanged": preview.unchanged,
            "rejected": checked.rejected,
            "errors": issue_dicts(checked.errors),
            "warnings": issue_dicts(checked.warnings),
            "unknown_offences": checked.unknown_offences,
            "batch_id": None,
            "dry_run": args.dry_run,
            "replaces_demo": preview.replaces_demo,
            "complete_to": args.complete_to.isoformat() if args.complete_to else None,
            "offence_map": {"saved_before": len(saved_map), "given": len(given_map)},
        }
        if not args.dry_run and len(checked.incidents):
            outcome = store.import_incidents(
                checked, user=args.user, complete_to=args.complete_to, offence_map=given_map
            )
            data.update(accepted=outcome.accepted, updated=outcome.updated, unchanged=outcome.unchanged)
            data["batch_id"] = outcome.batch_id or None
    except (DataError, ConfigError) as error:
        return _failure(error, as_json=args.json)
    verb = "Sẽ nhập" if args.dry_run else "Đã nhập"
    lines = [
        f"{verb} {data['accepted']} vụ mới, cập nhật {data['updated']}, giữ nguyên {data['unchanged']}, "
        f"bỏ {data['rejected']} dòng lỗi (tệp {args.file.name}).",
        *(
            f"  dòng {i['row'] or '-'}, cột «{i['field']}», «{i['value']}»: {i['message']}"
            for i in data["errors"]
        ),
        *(f"  lưu ý dòng {i['row'] or '-'}: {i['message']}" for i in data["warnings"]),
    ]
    if args.complete_to:
        lines.append(f"Dữ liệu được khai là đầy đủ đến hết {args.complete_to:%d/%m/%Y}.")
    if saved_map:
        lines.append(f"Đã dùng {len(saved_map)} ánh xạ tội danh lưu từ các lần nhập trước.")
    if data["batch_id"]:
        lines.append(f"Mã lô: {data['batch_id']} (hoàn tác: python -m geo undo {data['batch_id']})")
    _emit(data, as_json=args.json, lines=lines)
    return 0 if data["accepted"] + data["updated"] > 0 else 1


def _import_boundaries(args: argparse.Namespace) -> int:
    from geo.communes import district_outline
    from geo.io.boundary_import import import_boundaries
    from geo.store.batches import preview_communes
    from geo.store.store import Store

    try:
        store = Store.open(args.db, create=args.db is None)
        current = None if args.new_area else store.communes()
        keep_area = current is not None and not current.empty
        checked = import_boundaries(
            args.file,
            crs=args.crs,
            layer=args.layer,
            fields=pairs(args.field, flag="--field"),
            outline=district_outline(current) if keep_area and current is not None else None,
            previous=current if keep_area else None,
            population_year=args.population_year,
        )
        errors = [i for i in checked.issues if i.severity == "error"]
        warnings = [i for i in checked.issues if i.severity == "warning"]
        moved = preview_communes(store, checked) if checked.ok else None
        data: dict[str, Any] = {
            "accepted": len(checked.communes) if checked.ok else 0,
            "updated": moved.changed if moved else 0,
            "rejected": len({i.row for i in errors}),
            "outside": moved.outside if moved else 0,
            "offset_m": round(checked.offset_m, 1),
            "codes_from_names": checked.field_map.get("code") == DERIVED_CODE,
            "matched_by_name": [
                {"old_code": o, "old_name": on, "new_code": n, "new_name": nn}
                for o, on, n, nn in checked.matches
            ],
            "source_crs": checked.source_crs,
            "errors": issue_dicts(errors),
            "warnings": issue_dicts(warnings),
            "batch_id": None,
            "dry_run": args.dry_run,
        }
        if checked.ok and not args.dry_run:
            outcome = store.replace_communes(checked, user=args.user)
            data.update(updated=outcome.changed, outside=outcome.outside, batch_id=outcome.batch_id)
            data.update(
                cleared_targets=list(outcome.cleared_targets), renamed_targets=list(outcome.renamed_targets)
            )
    except (DataError, ConfigError) as error:
        return _failure(error, as_json=args.json)
    unit = store.area().unit_word
    offset = checked.offset_m
    fit = f", lệch {format_number(offset, 1)} m so với khu vực đang lưu" if math.isfinite(offset) else ""
    lines = [
        f"{'Sẽ thay' if args.dry_run else 'Đã thay'} {data['accepted']} {unit} (hệ tọa độ {data['source_crs']}{fit}); "
        f"{data['updated']} vụ việc đổi {unit}, {data['outside']} vụ nằm ngoài mọi {unit}.",
        *(
            f"  ghép theo tên: {m['old_name']} ({m['old_code']}) → {m['new_code']}"
            for m in data["matched_by_name"]
        ),
        *(f"  dòng {i['row'] or '-'}: {i['message']}" for i in data["errors"] + data["warnings"]),
    ]
    if data.get("cleared_targets"):
        lines.append(
            f"  Lưu ý: kế hoạch bỏ các đơn vị trọng điểm không còn trong ranh giới: {', '.join(data['cleared_targets'])}."
        )
    _emit(data, as_json=args.json, lines=lines)
    return 0 if data["accepted"] > 0 else 1


def _export(args: argparse.Namespace) -> int:
    from geo.aggregate import commune_counts
    from geo.dates import now_local
    from geo.filters import IncidentFilter, apply_filter, default_filter
    from geo.io.export import commune_table, describe, export_bytes, incident_table
    from geo.store import audit
    from geo.store.store import Store
    from geo.words import word

    try:
        store = Store.open(args.db, create=args.db is None)
        incidents = store.incidents(details=True)
        communes = store.communes()
        base = default_filter(incidents) if len(incidents) else IncidentFilter(date(2000, 1, 1), date.today())
        flt = IncidentFilter(
            start=args.start or (base.start if args.what == "communes" else _first(incidents)),
            end=args.end or (base.end if args.what == "communes" else _last(incidents)),
            groups=tuple(args.group),
            offences=tuple(args.offence),
            communes=tuple(args.commune),
        )
        chosen = apply_filter(incidents, flt)
        if args.what == "incidents":
            sheet = word("export.sheet.incidents", args.lang)
            tables = {sheet: incident_table(chosen, communes, lang=args.lang)}
        else:
            counts = commune_counts(
                chosen, communes, days=flt.days, previous=apply_filter(incidents, flt.year_earlier())
            )
            tables = {word("export.sheet.communes", args.lang): commune_table(counts, lang=args.lang)}
        rows = len(chosen) if args.what == "incidents" else len(communes)
        (sheet_name, table), *_ = tables.items()
        about = describe(
            flt,
            what=args.what,
            incidents=incidents,
            communes=communes,
            area=store.area().name,
            demo=store.is_demo(),
            now=now_local(),
            rows=len(table),
            lang=args.lang,
        )
        payload = export_bytes(tables, fmt=args.fmt, describe={sheet_name: about})
        detail = {"what": args.what, "format": args.fmt, "rows": rows, **audit.describe_filter(flt)}
        audit.record(store, user="", action="export", detail=detail)
    except (DataError, ConfigError) as error:
        return _failure(error, as_json=False)
    if args.out is None:
        if args.fmt == "xlsx":
            print("Lỗi: tệp XLSX cần --out TỆP.", file=sys.stderr)
            return 2
        sys.stdout.write(payload.decode("utf-8-sig"))
    else:
        args.out.write_bytes(payload)
        print(
            f"Đã ghi {len(chosen)} vụ việc vào {args.out}"
            if args.what == "incidents"
            else f"Đã ghi {args.out}"
        )
    return 0


def _first(incidents: pd.DataFrame) -> date:
    return incidents["occurred_at"].min().date() if len(incidents) else date(2000, 1, 1)


def _last(incidents: pd.DataFrame) -> date:
    return incidents["occurred_at"].max().date() if len(incidents) else date(2000, 1, 1)


def _batches(args: argparse.Namespace) -> int:
    from geo.store.store import Store

    try:
        frame = Store.open(args.db, create=args.db is None).batches()
    except ConfigError as error:
        return _failure(error, as_json=args.json)
    records = [{str(k): _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
    lines = [
        f"{r['batch_id']:<24} {r['kind']:<10} {r['created_at'][:16]}  {r['file_name']:<30} "
        f"+{r['accepted']} ~{r['updated']} ✗{r['rejected']}" + ("  (đã hoàn tác)" if r["undone_at"] else "")
        for r in records
    ]
    _emit({"batches": records}, as_json=args.json, lines=lines or ["Chưa có lần nhập nào."])
    return 0


def _plain(value: Any) -> Any:
    """Return a JSON-friendly value: timestamps as ISO text, missing values as None."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if hasattr(value, "item"):
        return value.item()
    return value


def _undo(args: argparse.Namespace) -> int:
    from geo.store.store import Store

    try:
        outcome = Store.open(args.db, create=args.db is None).undo(args.batch_id, user=args.user)
    except ConfigError as error:
        return _failure(error, as_json=args.json)
    data = {
        "batch_id": outcome.batch_id,
        "kind": outcome.kind,
        "removed": outcome.removed,
        "restored": outcome.restored,
    }
    line = f"Đã hoàn tác lô {outcome.batch_id}: bỏ {outcome.removed}, khôi phục {outcome.restored}."
    _emit(data, as_json=args.json, lines=[line])
    return 0
