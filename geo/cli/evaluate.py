"""Command line ``python -m geo evaluate``: judge the target communes from files or from the store."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo._errors import ConfigError, DataError
from geo.boundaries import assign_commune, normalise, read_geojson
from geo.evaluation.assess import Evaluation, evaluate
from geo.evaluation.effects import VERDICTS, WDQ_REASONS
from geo.formatting import format_number
from geo.io.offences import offence_code
from geo.io.tables import read_table
from geo.plan import Plan
from geo.taxonomy import group_of

REQUIRED_COLUMNS = ("incident_id", "occurred_at", "offence_code", "lon", "lat")
"""Columns an incident CSV must have for ``evaluate --incidents``."""

OTHER_GROUP = "khac"
"""Offence group of codes the taxonomy does not know (still counted in the totals)."""

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)
_MAX_LISTED = 5


def parse_times(values: pd.Series) -> pd.Series:
    """Return timestamps parsed from ``yyyy-mm-dd [HH:MM[:SS]]`` or ``dd/mm/yyyy [HH:MM[:SS]]`` text.

    Values matching no format become ``NaT``.

    Examples
    --------
    >>> parse_times(pd.Series(["2023-05-26 08:30", "26/05/2023", "05/26/2023"])).tolist()
    [Timestamp('2023-05-26 08:30:00'), Timestamp('2023-05-26 00:00:00'), NaT]
    """
    text = values.astype(str).str.strip()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        missing = result.isna()
        if not missing.any():
            break
        result[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce")
    return result


def _offence_groups(codes: pd.Series) -> pd.Series:
    """Map offence codes, names (with or without diacritics), articles or variants to their group."""
    groups = group_of()
    return codes.astype(str).map(lambda value: groups.get(offence_code(value) or "", OTHER_GROUP))


def read_incidents_csv(path: Path, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Read an incident CSV in the standard columns and assign each incident to a commune.

    Parameters
    ----------
    path
        CSV (any encoding and delimiter `geo.io.tables.read_table` reads) with at least `REQUIRED_COLUMNS`.
    communes
        Commune polygons; incidents outside all of them get an empty ``commune_code``.

    Returns
    -------
    pandas.DataFrame
        ``incident_id``, ``occurred_at``, ``offence_code``, ``offence_group``, ``lon``, ``lat``,
        ``commune_code``.

    Raises
    ------
    DataError
        The file is missing or unreadable, a required column is missing, or rows have a time or
        coordinates that cannot be read (every such row is counted; the first few are listed).
    """
    name = path.name
    if not path.is_file():
        raise DataError("không tìm thấy tệp vụ việc. Kiểm tra lại đường dẫn.", file=name)
    # The dashboard's reader: any Vietnamese encoding, any delimiter, spreadsheet row numbers.
    table = read_table(path, max_bytes=sys.maxsize)
    frame = pd.DataFrame(list(table.rows), columns=list(table.columns), dtype=object).fillna("").astype(str)
    rows = dict(enumerate(table.row_numbers))
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise DataError(
            f"thiếu cột {', '.join(missing)}. Tệp cần các cột {', '.join(REQUIRED_COLUMNS)}; "
            f"các cột đang có: {', '.join(frame.columns) or '(không có)'}.",
            file=name,
        )
    times = parse_times(frame["occurred_at"])
    lon = pd.to_numeric(frame["lon"].str.replace(",", ".", regex=False), errors="coerce")
    lat = pd.to_numeric(frame["lat"].str.replace(",", ".", regex=False), errors="coerce")
    problems: list[str] = []
    for field, bad, rule in (
        ("occurred_at", times.isna(), "không phải ngày dạng dd/mm/yyyy [HH:MM] hoặc yyyy-mm-dd"),
        ("lon", lon.isna(), "không phải số"),
        ("lat", lat.isna(), "không phải số"),
    ):
        values = frame[field].to_numpy()
        for row in bad.to_numpy().nonzero()[0][:_MAX_LISTED]:
            problems.append(f"dòng {rows[row]}, cột «{field}»: «{values[row]!s}» {rule}")
    bad_rows = int((times.isna() | lon.isna() | lat.isna()).sum())
    if bad_rows:
        raise DataError(
            f"{bad_rows} dòng không đọc được: "
            + "; ".join(problems[:_MAX_LISTED])
            + ". Sửa các dòng này rồi chạy lại.",
            file=name,
        )
    return pd.DataFrame(
        {
            "incident_id": frame["incident_id"].astype(str),
            "occurred_at": times,
            "offence_code": frame["offence_code"].astype(str),
            "offence_group": _offence_groups(frame["offence_code"]),
            "lon": lon.astype(float),
            "lat": lat.astype(float),
            "commune_code": assign_commune(communes, lon, lat).to_numpy(),
        }
    )


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"ngày «{text}» không hợp lệ; dùng dạng YYYY-MM-DD hoặc dd/mm/yyyy")


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
    parser.add_argument("--boundaries", type=Path, help="tệp ranh giới xã (GeoJSON)")
    parser.add_argument(
        "--incidents", type=Path, help="tệp vụ việc CSV (incident_id, occurred_at, offence_code, lon, lat)"
    )
    parser.add_argument("--targets", help="mã các xã trọng điểm, cách nhau bởi dấu phẩy")
    parser.add_argument("--start", type=_date, help="ngày bắt đầu kế hoạch (YYYY-MM-DD)")
    parser.add_argument("--before-months", type=_months, help="số tháng trước (mặc định 12)")
    parser.add_argument("--after-months", type=_months, help="số tháng sau (mặc định 12)")
    parser.add_argument("--code-field", default="code", help="trường mã xã trong tệp ranh giới")
    parser.add_argument("--name-field", default="name", help="trường tên xã trong tệp ranh giới")
    parser.add_argument(
        "--population-field", help="trường dân số trong tệp ranh giới (mặc định «population» nếu có)"
    )
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


def _load(args: argparse.Namespace) -> tuple[pd.DataFrame, gpd.GeoDataFrame, Plan]:
    if (args.boundaries is None) != (args.incidents is None):
        raise ConfigError("Cần cả --boundaries và --incidents, hoặc bỏ cả hai để dùng kho dữ liệu.")
    if args.boundaries is not None:
        layer = read_geojson(args.boundaries, crs=args.crs)
        population = args.population_field
        if population and population not in layer.columns:
            raise DataError(
                f"không có trường dân số «{population}». Các trường có: "
                f"{', '.join(str(c) for c in layer.columns if c != 'geometry')}.",
                file=args.boundaries.name,
                field=population,
            )
        communes = normalise(
            layer,
            code_field=args.code_field,
            name_field=args.name_field,
            population_field=population or "population",
            file=args.boundaries.name,
        )
        incidents = read_incidents_csv(args.incidents, communes)
        return incidents, communes, _plan_from(args, None)
    from geo.store.store import Store

    store = Store.open(args.db)
    return store.incidents(), store.communes(), _plan_from(args, store.plan())


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return format_number(value, digits)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}%".replace("-", "−")


def format_table(data: dict[str, Any]) -> str:
    """Return the Vietnamese plain-text table of an evaluation's JSON object."""
    windows = data["plan"]["windows"]

    def day(text: str) -> str:
        return date.fromisoformat(text).strftime("%d/%m/%Y")

    lines = [
        f"Kế hoạch: {data['plan']['name']}",
        f"Trước: {day(windows['before'][0])} – {day(windows['before'][1])}; "
        f"sau: {day(windows['after'][0])} – {day(windows['after'][1])}",
        "",
        f"{'Xã':<28}{'Trước':>7}{'Sau':>7}{'Thay đổi':>10}{'Đối chứng':>11}  "
        f"{'RES (KTC 95%)':<22}{'WDD':>8}  Kết luận",
    ]
    for item in [*data["targets"], data["combined"]]:
        ci = item["res_ci"]
        res = f"{_fmt(item['res'])} ({_fmt(ci[0])}–{_fmt(ci[1])})" if ci else "—"
        lines.append(
            f"{item['name'][:27]:<28}{item['before']:>7}{item['after']:>7}{_pct(item['change_pct']):>10}"
            f"{_pct(item['control_change_pct']):>11}  {res:<22}{_fmt(item['wdd'], 1):>8}  "
            f"{VERDICTS[item['verdict']][0]}"
        )
    combined = data["combined"]
    if combined.get("panel_rate_ratio") is not None:
        lo, hi = combined["panel_ci"]
        lines.append(
            f"\nMô hình bảng (ba xã so với các xã còn lại): tỉ số tỉ lệ {_fmt(combined['panel_rate_ratio'])} "
            f"(KTC 95% {_fmt(lo)}–{_fmt(hi)}); dưới 1 là giảm."
        )
    for item in data["targets"]:
        if item["wdq"] is None:
            lines.append(f"WDQ {item['name']}: {WDQ_REASONS[item['wdq_note']][0]}.")
    outside = data["outside"]
    lines.append(
        f"Vụ việc nằm ngoài mọi xã: {outside['total']} "
        f"(trong giai đoạn trước {outside['before']}, sau {outside['after']})."
    )
    lines.append("RES > 1: xã trọng điểm giảm so với đối chứng. WDD < 0: số vụ được ngăn chặn.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``evaluate``: print JSON or a table; print one Vietnamese error line and return 2 on bad input."""
    try:
        incidents, communes, plan = _load(args)
        result: Evaluation = evaluate(incidents, communes, plan)
    except (DataError, ConfigError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Lỗi: không đọc được tệp «{exc.filename}» ({exc.strerror}).", file=sys.stderr)
        return 2
    data = result.to_dict()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(format_table(data))
    return 0
