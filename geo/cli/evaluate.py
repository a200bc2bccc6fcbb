"""Command line ``python -m geo evaluate``: judge the target communes from files or from the store."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geo import incidents as incident_schema
from geo import settings
from geo._errors import ConfigError, DataError
from geo._validate import Issue
from geo.cli._output import day_argument, dumps
from geo.formatting import format_number
from geo.io.boundary_import import import_boundaries
from geo.io.incident_import import validate_incidents
from geo.io.safety import Limits
from geo.io.tables import read_table
from geo.plan import Plan
from geo.words import word

if TYPE_CHECKING:
    from geo.evaluation.assess import Evaluation

_MAX_LISTED = 5

_FRAME_COLUMNS = list(incident_schema.ANALYSIS)


def _refuse(issues: tuple[Issue, ...], *, file: str, what: str) -> DataError:
    """Return one error naming how many rows cannot be used and the first few of them."""
    rows = {i.row for i in issues}
    listed = "; ".join(
        (f"dòng {i.row}, " if i.row is not None else "")
        + (f"cột «{i.field}»: " if i.field else "")
        + (f"«{i.value}» " if i.value else "")
        + i.message
        for i in issues[:_MAX_LISTED]
    )
    count = f"{len(rows - {None})} dòng" if rows - {None} else "tệp"
    return DataError(f"{count} {what}: {listed}. Sửa rồi chạy lại.", file=file)


def read_boundaries(args: argparse.Namespace) -> gpd.GeoDataFrame:
    """Read ``--boundaries`` with the importer's reader and checks (`geo.io.boundary_import`)."""
    path: Path = args.boundaries
    fields = {
        key: value
        for key, value in (
            ("code", args.code_field),
            ("name", args.name_field),
            ("population", args.population_field),
        )
        if value
    }
    checked = import_boundaries(path, crs=args.crs, fields=fields)
    if not checked.ok:
        raise _refuse(checked.errors, file=path.name, what="ranh giới không dùng được")
    return checked.communes


def read_incidents(path: Path, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Read ``--incidents`` with the importer's reader and row checks (`geo.io.incident_import`).

    Points outside every commune are kept with an empty ``commune_code`` (the evaluation counts
    and reports them); a row the importer would refuse (unreadable date or coordinates, an offence
    the taxonomy does not know, a repeated id) refuses the file, naming the first rows.
    """
    table = read_table(path, limits=Limits.command_line())
    checked = validate_incidents(table, communes, keep_outside=True)
    if checked.errors:
        raise _refuse(checked.errors, file=path.name, what="không dùng được")
    return checked.incidents[_FRAME_COLUMNS].copy()


def _months(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"số tháng «{text}» không hợp lệ; dùng số nguyên từ 1 đến 60")
    return int(text)


def add_cli(subparsers: Any) -> None:
    """Register the ``evaluate`` subcommand on the ``python -m geo`` parser."""
    parser = subparsers.add_parser(
        "evaluate",
        help="đánh giá các xã trọng điểm (trước/sau ngày bắt đầu kế hoạch)",
        description=(
            "Đánh giá xã trọng điểm: số vụ trước/sau, RES, WDD, WDQ, mô hình bảng và kết luận. "
            "Không có --boundaries/--incidents thì dùng kho dữ liệu và kế hoạch của bảng điều khiển."
        ),
    )
    parser.add_argument(
        "--boundaries", type=Path, help="tệp ranh giới xã (GeoJSON, Shapefile nén .zip, GeoPackage)"
    )
    parser.add_argument(
        "--incidents", type=Path, help="tệp vụ việc (CSV, XLSX, GeoJSON), đọc và kiểm tra như khi nhập"
    )
    parser.add_argument("--targets", help="mã các xã trọng điểm, cách nhau bởi dấu phẩy")
    parser.add_argument("--start", type=day_argument, help="ngày bắt đầu kế hoạch (YYYY-MM-DD)")
    parser.add_argument("--before-months", type=_months, help="số tháng trước (mặc định 12)")
    parser.add_argument("--after-months", type=_months, help="số tháng sau (mặc định 12)")
    parser.add_argument("--code-field", help="trường mã xã trong tệp ranh giới (mặc định: tự nhận ra)")
    parser.add_argument("--name-field", help="trường tên xã trong tệp ranh giới (mặc định: tự nhận ra)")
    parser.add_argument("--population-field", help="trường dân số trong tệp ranh giới (mặc định: tự nhận ra)")
    parser.add_argument("--crs", help="hệ tọa độ của tệp ranh giới nếu tệp không ghi (ví dụ EPSG:5897)")
    parser.add_argument("--db", help="URL kho dữ liệu (mặc định: DATABASE_URL hoặc tệp SQLite trong data/)")
    parser.add_argument("--json", action="store_true", help="in một đối tượng JSON thay cho bảng")
    parser.set_defaults(func=run)


def _plan_from(args: argparse.Namespace, base: Plan | None) -> Plan:
    targets = tuple(code.strip() for code in (args.targets or "").split(",") if code.strip())
    if base is None:
        missing = [flag for flag, value in (("--targets", targets), ("--start", args.start)) if not value]
        if missing:
            raise ConfigError(f"Khi đánh giá từ tệp cần có {' và '.join(missing)}.")
        base = Plan(name="Kế hoạch (dòng lệnh)", start=args.start, targets=targets)
    return replace(
        base,
        start=args.start or base.start,
        targets=targets or base.targets,
        before_months=args.before_months or base.before_months,
        after_months=args.after_months or base.after_months,
    )


def _load(args: argparse.Namespace) -> tuple[pd.DataFrame, gpd.GeoDataFrame, Plan, date | None]:
    """Return the incidents, units, plan and declared end of the data (files, or the store)."""
    if (args.boundaries is None) != (args.incidents is None):
        raise ConfigError("Cần cả --boundaries và --incidents, hoặc bỏ cả hai để dùng kho dữ liệu.")
    if args.boundaries is not None:
        communes = read_boundaries(args)
        incidents = read_incidents(args.incidents, communes)
        return incidents, communes, _plan_from(args, None), None
    from geo.store.store import Store

    store = Store.open(args.db, create=args.db is None)
    return store.incidents(), store.communes(), _plan_from(args, store.plan()), store.declared_end()


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return format_number(value, digits)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}%".replace("-", "−")


def _p(value: float | None) -> str:
    if value is None:
        return "—"
    return "< 0,001" if value < 0.001 else format_number(value, 3)


def _reason(item: dict[str, Any]) -> str:
    """Return why a verdict is *Chưa đủ dữ liệu*, in words (empty for the other verdicts)."""
    reason = item.get("verdict_reason") or ""
    if not reason:
        return ""
    return word(
        f"calib.reason.{reason}",
        total=item["before"] + item["after"],
        min=settings.MIN_COUNT_FOR_VERDICT,
        fall=_fmt(item["detectable_fall_pct"], 0),
        max=format_number(100 * settings.MAX_DETECTABLE_FALL),
    )


def _randomisation(item: dict[str, Any]) -> str:
    from geo.evaluation.effects import p_text  # scipy loads only when an evaluation is printed

    ri = item.get("randomisation")
    if not ri or item.get("rate_ratio") is None:
        return ""
    key = "calib.randomisation" if item["rate_ratio"] <= 1 else "calib.randomisation_up"
    text = word(
        key,
        ways=format_number(ri["assignments"]),
        k=ri["chosen"],
        larger=ri["larger"],
        p=p_text(item["randomisation_p"]),
    )
    if ri["dates"] > 1:
        text += " " + word("calib.randomisation_dates", n=ri["dates"] - 1)
    return text


def format_table(data: dict[str, Any]) -> str:
    """Return the Vietnamese plain-text table of an evaluation's JSON object.

    The verdicts come first with the calibrated rate ratio they rest on, its p-value and the smallest
    fall the data could detect; the figures behind them (buffer, the months before the plan, the
    permutation test) follow, then the descriptive RES, WDD and WDQ.
    """
    from geo.evaluation.effects import VERDICTS, WDQ_REASONS, p_text

    windows = data["plan"]["windows"]

    def day(text: str) -> str:
        return date.fromisoformat(text).strftime("%d/%m/%Y")

    lines = [
        f"Kế hoạch: {data['plan']['name']}",
        f"Trước: {day(windows['before'][0])} – {day(windows['before'][1])}; "
        f"sau: {day(windows['after'][0])} – {day(windows['after'][1])}",
        "",
        f"{'Xã':<28}{'Trước':>7}{'Sau':>7}{'Thay đổi':>10}{'Đối chứng':>11}  "
        f"{word('calib.cli_header'):<22}{word('calib.cli_p'):>8}{word('calib.cli_power'):>14}  Kết luận",
    ]
    items = [*data["targets"], data["combined"]]
    for item in items:
        ci = item["rate_ratio_ci"]
        ratio = f"{_fmt(item['rate_ratio'])} ({_fmt(ci[0])}–{_fmt(ci[1])})" if ci else "—"
        power = "—" if item["detectable_fall_pct"] is None else f"−{item['detectable_fall_pct']:.0f}%"
        lines.append(
            f"{item['name'][:27]:<28}{item['before']:>7}{item['after']:>7}{_pct(item['change_pct']):>10}"
            f"{_pct(item['control_change_pct']):>11}  {ratio:<22}{_p(item['rate_ratio_p']):>8}{power:>14}  "
            f"{VERDICTS[item['verdict']][0]}"
        )
    lines.append("")
    for item in items:
        details = [text for text in (_reason(item), _randomisation(item)) if text]
        if item.get("buffer_ratio") is not None:
            lo, hi = item["buffer_ratio_ci"]
            details.append(
                f"{word('calib.buffer')}: "
                + word("calib.buffer_value", ratio=_fmt(item["buffer_ratio"]), lo=_fmt(lo), hi=_fmt(hi))
            )
        if item.get("pretrend_ratio") is not None:
            details.append(
                f"{word('calib.pretrend')}: "
                + word(
                    "calib.pretrend_value",
                    ratio=_fmt(item["pretrend_ratio"]),
                    p=p_text(item["pretrend_ratio_p"]),
                )
            )
        sc = item.get("synthetic")
        if sc and sc.get("ratio") is not None:
            details.append(f"{word('calib.sc_title')}: {_fmt(sc['ratio'])} ({p_text(sc['p_value'])})")
        if item.get("heterogeneity_p") is not None and item["heterogeneity_p"] < 0.05:
            details.append(word("calib.heterogeneity", p=p_text(item["heterogeneity_p"])))
        if details:
            lines.append(f"{item['name']}: " + " ".join(t if t.endswith(".") else t + "." for t in details))
    lines += ["", word("calib.cli_descriptive")]
    for item in items:
        res_ci = item["res_ci"]
        res = f"{_fmt(item['res'])} ({_fmt(res_ci[0])}–{_fmt(res_ci[1])})" if res_ci else "—"
        wdq = _fmt(item["wdq"]) if item["wdq"] is not None else WDQ_REASONS[item["wdq_note"]][0]
        lines.append(f"  {item['name'][:27]:<28}RES {res:<20} WDD {_fmt(item['wdd'], 1):>8}   WDQ {wdq}")
    combined = data["combined"]
    if combined.get("panel_rate_ratio") is not None:
        lo, hi = combined["panel_ci"]
        lines.append(
            f"  Mô hình bảng (ba xã so với các xã còn lại): tỷ số tỷ lệ {_fmt(combined['panel_rate_ratio'])} "
            f"(KTC 95% {_fmt(lo)}–{_fmt(hi)}); dưới 1 là giảm."
        )
    outside = data["outside"]
    lines.append(
        f"Vụ việc nằm ngoài mọi xã: {outside['total']} "
        f"(trong giai đoạn trước {outside['before']}, sau {outside['after']})."
    )
    lines.append(word("calib.cli_note"))
    lines.append("RES > 1: xã trọng điểm giảm so với đối chứng. WDD < 0: số vụ được ngăn chặn.")
    lines.append(word("calib.association"))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``evaluate``: print JSON or a table; print one Vietnamese error line and return 2 on bad input."""
    try:
        incidents, communes, plan, through = _load(args)
        from geo.evaluation.assess import evaluate  # the models (statsmodels) load only when evaluating

        result: Evaluation = evaluate(incidents, communes, plan, through=through)
    except (DataError, ConfigError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Lỗi: không đọc được tệp «{exc.filename}» ({exc.strerror}).", file=sys.stderr)
        return 2
    data = result.to_dict()
    if args.json:
        print(dumps(data))
    else:
        print(format_table(data))
    return 0
