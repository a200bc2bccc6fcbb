"""The data command line: import (JSON, exit codes, dry run), export, history, undo, and SIGKILL safety."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import sqlalchemy as sa

from geo.cli.main import main
from geo.io.incident_import import validate_incidents
from geo.io.tables import read_table
from geo.store.store import Store, close_all

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
MESSY = str(DATA / "vu_viec_lon_xon.csv")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run ``python -m geo ARGV`` in this process; return the exit code and what it printed."""
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_import_prints_the_report_as_json_and_exits_by_what_was_imported(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(store_url, demo=False)  # the district, no incidents
    code, out = run(capsys, "import", "incidents", MESSY, "--db", store_url, "--dry-run", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["accepted"], data["updated"], data["rejected"], data["batch_id"], data["dry_run"]) == (
        5,
        0,
        6,
        None,
        True,
    )
    assert Store.open(store_url).incidents().empty
    code, out = run(capsys, "import", "incidents", MESSY, "--db", store_url, "--json", "--user", "cli")
    data = json.loads(out)
    assert code == 0
    assert (data["accepted"], data["rejected"]) == (5, 6)
    assert [e["row"] for e in data["errors"]] == [6, 7, 8, 11, 12, 13]
    assert set(data["errors"][0]) == {"row", "field", "value", "message"}
    assert data["errors"][3] == {
        "row": 11,
        "field": "Ngày xảy ra",
        "value": "31/02/2024",
        "message": "Ngày 31/02/2024 không có trên lịch.",
    }
    assert data["unknown_offences"] == {"Mua bán người": 1}
    batch = data["batch_id"]
    code, out = run(capsys, "import", "incidents", MESSY, "--db", store_url, "--json")
    assert code == 1
    assert json.loads(out)["unchanged"] == 5
    code, out = run(capsys, "batches", "--db", store_url, "--json")
    assert [b["batch_id"] for b in json.loads(out)["batches"]] == [batch]
    code, out = run(capsys, "undo", batch, "--db", store_url, "--json")
    assert (code, json.loads(out)["removed"]) == (0, 5)
    assert Store.open(store_url).incidents().empty


def test_mapping_flags_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    Store.open(url, demo=False)
    us = tmp_path / "us.csv"
    us.write_text("Ref,When,What,X,Y\nR1,01/25/2024 9:30 PM,Theft,105.6163,20.06\n", encoding="utf-8")
    code, out = run(capsys, "import", "incidents", str(us), "--db", url, "--json", "--map", "occurred_at=When",
                    "offence=What", "incident_id=Ref")  # fmt: skip
    assert code == 1
    assert "tháng/ngày/năm (Mỹ)" in json.loads(out)["errors"][0]["message"]
    code, out = run(capsys, "import", "incidents", str(us), "--db", url, "--date-format", "mm/dd/yyyy",
                    "--map", "occurred_at=When", "offence=What", "incident_id=Ref")  # fmt: skip
    assert code == 0
    assert "Đã nhập 1 vụ mới" in out
    assert Store.open(url).incidents()["occurred_at"].iloc[0].isoformat() == "2024-01-25T21:30:00"
    code, out = run(capsys, "import", "incidents", str(tmp_path / "none.csv"), "--db", url, "--json")
    assert code == 2
    assert "Không tìm thấy tệp" in json.loads(out)["errors"][0]["message"]
    assert main(["import", "incidents", str(us), "--db", url, "--map", "broken"]) == 2
    assert "--map cần dạng KHÓA=GIÁ_TRỊ" in capsys.readouterr().err


def test_a_rejected_file_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.sqlite"
    Store.open(f"sqlite:///{db}", demo=False)
    close_all()
    before = db.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ\nA,32/01/2024,Mua bán người,1,2\n", encoding="utf-8"
    )
    code, out = run(capsys, "import", "incidents", str(bad), "--db", f"sqlite:///{db}", "--json")
    close_all()
    assert code == 1
    assert json.loads(out)["rejected"] == 1
    assert db.read_bytes() == before


def test_boundaries_and_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    Store.open(url, demo=False)
    run(capsys, "import", "incidents", MESSY, "--db", url)
    code, out = run(
        capsys, "import", "boundaries", str(DATA / "ranh_gioi_vn2000.geojson"), "--db", url, "--json"
    )
    data = json.loads(out)
    assert code == 0
    assert (data["accepted"], data["source_crs"], data["outside"]) == (13, "EPSG:5897", 0)
    assert data["offset_m"] < 50
    assert not Store.open(url).communes()["approximate"].any()
    code, out = run(capsys, "export", "incidents", "--db", url, "--commune", "15379")
    lines = out.strip().splitlines()
    assert lines[0].startswith("Mã vụ,Ngày xảy ra,")
    assert [line.split(",")[0] for line in lines[1:]] == ["VL-002", "VL-010"]
    target = tmp_path / "xa.xlsx"
    code, out = run(capsys, "export", "communes", "--db", url, "--format", "xlsx", "--out", str(target),
                    "--from", "01/01/2024", "--to", "31/01/2024")  # fmt: skip
    assert code == 0
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))["Theo xã"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Số vụ việc theo xã — ")  # the description above the table
    assert "Kỳ báo cáo: 01/01/2024 – 31/01/2024 (so với cùng kỳ năm trước: 01/01/2023 – 31/01/2023)" in [
        r[0] for r in rows
    ]
    header = sheet.freeze_panes and int(sheet.freeze_panes[1:]) - 1
    assert rows[header - 1][:4] == ("Mã xã", "Xã, thị trấn", "Dân số", "Số vụ")
    assert sum(r[3] for r in rows[header:]) == 5
    code, _ = run(capsys, "export", "incidents", "--db", url, "--format", "xlsx")
    assert code == 2


def _big_csv(path: Path, n: int) -> None:
    rng = np.random.default_rng(4)
    lon = rng.uniform(105.62, 105.635, n)
    lat = rng.uniform(20.05, 20.09, n)
    day = rng.integers(1, 28, n)
    lines = ["Mã vụ;Ngày xảy ra;Tội danh / Loại vụ việc;Kinh độ;Vĩ độ;Mô tả"]
    lines += [
        f"K-{i:06d};{day[i]:02d}/03/2024 10:00;Trộm cắp tài sản;{lon[i]:.6f};{lat[i]:.6f};vụ {i}".replace(
            ".", ","
        )
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _snapshot(url: str) -> object:
    """Every row of every table, in a stable order (for stores that are not one file)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        names = sorted(sa.inspect(conn).get_table_names())
        rows = {
            n: sorted(map(repr, conn.execute(sa.text(f"SELECT * FROM {n}")).all()))
            for n in names
            if n != "spatial_ref_sys"
        }
    engine.dispose()
    return rows


def _mid_write(url: str, db: Path | None) -> bool:
    if db is not None:
        return db.with_name(db.name + "-journal").exists()
    # Another session's transaction that has written (it has a transaction id): the import's, whether
    # it is in its bulk COPY or in the statements around it, all before its commit.
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        busy = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    engine.dispose()
    return bool(busy)


def test_sigkill_in_the_middle_of_a_large_import_leaves_the_store_as_it_was(
    store_url: str, tmp_path: Path
) -> None:
    db = Path(store_url.removeprefix("sqlite:///")) if store_url.startswith("sqlite") else None
    store = Store.open(store_url, demo=False)
    store.import_incidents(validate_incidents(read_table(Path(MESSY)), store.communes()))
    close_all()
    before = db.read_bytes() if db else _snapshot(store_url)
    big = tmp_path / "big.csv"
    _big_csv(big, 80_000)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "geo", "import", "incidents", str(big), "--db", store_url, "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while not _mid_write(store_url, db):
        assert process.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.005)
    if db is not None:
        time.sleep(0.2)  # SQLite: its journal exists from the first write until the commit
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert len(Store.open(store_url).incidents()) == 5  # opening rolls back the interrupted write
    close_all()
    after = db.read_bytes() if db else _snapshot(store_url)
    assert after == before


def test_an_offence_mapping_file_maps_every_listed_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Real ledgers have hundreds of offence names: a value,code file maps them at once."""
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    Store.open(url, demo=False)
    ledger = tmp_path / "so.csv"
    ledger.write_text(
        "STT,Ngày tiếp nhận,Hành vi,Kinh độ,Vĩ độ\n"
        "1,05/01/2024,Trộm xe máy,105.6163,20.06\n"
        "2,06/01/2024,Đánh nhau gây thương tích,105.6163,20.06\n"
        "3,07/01/2024,Đánh bạc,105.6163,20.06\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "anh_xa.csv"
    mapping.write_text(
        "value,code\nTrộm xe máy,trom_cap_tai_san\nĐánh nhau gây thương tích,Cố ý gây thương tích\n",
        encoding="utf-8",
    )
    code, out = run(
        capsys, "import", "incidents", str(ledger), "--db", url, "--json", "--offence-map", str(mapping)
    )
    data = json.loads(out)
    assert code == 0, data
    assert (data["accepted"], data["rejected"]) == (3, 0)
    ids = Store.open(url).incidents()["incident_id"]
    assert not set(ids) & {"1", "2", "3"}  # STT is never an id
    wrong = tmp_path / "sai.csv"
    wrong.write_text("value,code\nTrộm xe máy,khong_co_ma\n", encoding="utf-8")
    code, out = run(
        capsys, "import", "incidents", str(ledger), "--db", url, "--json", "--offence-map", str(wrong)
    )
    assert code == 2
    assert "dòng 2: «Trộm xe máy» → «khong_co_ma»" in json.loads(out)["errors"][0]["message"]


def test_complete_to_sets_the_coverage_and_the_evaluation_windows(
    store_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A month-only ledger whose last month had no incident, declared complete with --complete-to (issue 10)."""
    from datetime import date

    from geo.plan import Plan

    store = Store.open(store_url, demo=False)
    communes = store.communes()
    points = communes.to_crs(communes.estimate_utm_crs()).representative_point().to_crs(4326)
    lines = ["Mã vụ,Tháng,Tội danh,Kinh độ,Vĩ độ"]
    for month in range(22):  # 01/2023 … 10/2024
        for index, point in enumerate(points):
            for k in range(2):
                lines.append(f"V{month}-{index}-{k},T{month % 12 + 1}/{2023 + month // 12},Trộm cắp tài sản,"
                             f"{point.x:.6f},{point.y:.6f}")  # fmt: skip
    ledger = tmp_path / "so_vu_viec.csv"
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    targets = tuple(communes["code"].iloc[:1])
    store.save_plan(Plan(name="Thử", start=date(2024, 1, 1), targets=targets))

    code, out = run(
        capsys, "import", "incidents", str(ledger), "--db", store_url, "--json", "--complete-to", "2099-01-01"
    )
    assert code == 2
    assert Store.open(store_url).incidents().empty
    code, out = run(
        capsys, "import", "incidents", str(ledger), "--db", store_url, "--json", "--complete-to", "30/11/2024"
    )
    assert code == 0, out
    assert json.loads(out)["complete_to"] == "2024-11-30"
    assert Store.open(store_url).declared_end() == date(2024, 11, 30)
    code, out = run(capsys, "evaluate", "--db", store_url, "--json")
    assert code == 0, out
    windows = json.loads(out)["plan"]["windows"]
    assert windows["after"] == ["2024-01-01", "2024-11-30"]  # November counts, with no incident in it
    assert windows["data"][1] == "2024-11-30"


def test_offence_map_given_once_is_reused_by_the_next_import(
    store_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    Store.open(store_url, demo=False)
    code, out = run(capsys, "import", "incidents", MESSY, "--db", store_url, "--json",
                    "--offence-map", "Mua bán người=gay_roi_trat_tu")  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["unknown_offences"] == {}
    assert Store.open(store_url).offence_map() == {"Mua bán người": "gay_roi_trat_tu"}
    february = tmp_path / "thang2.csv"
    february.write_text(
        "Mã vụ,Ngày,Tội danh,Kinh độ,Vĩ độ\nF-1,03/02/2024,BUON LAU,105.6354,20.0598\n", encoding="utf-8"
    )
    code, out = run(capsys, "import", "incidents", str(february), "--db", store_url, "--json")
    data = json.loads(out)
    assert code == 0, out
    assert (data["accepted"], data["unknown_offences"], data["offence_map"]["saved_before"]) == (1, {}, 1)
    code, out = run(
        capsys, "import", "incidents", str(february), "--db", store_url, "--offence-map", "X=khong_co"
    )
    assert code == 2


def test_a_ledger_of_communes_and_months_goes_in_and_counts_in_the_tables(
    store_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No coordinates, no ids, month dates, names with and without diacritics, an old name (issue 10)."""
    Store.open(store_url, demo=False)
    ledger = tmp_path / "so_theo_xa.csv"
    ledger.write_text(
        "STT,Tháng,Loại vụ việc,Xã/Phường/Thị trấn,Thôn/Xóm\n"
        "1,T5/2024,Trộm cắp tài sản,Xã Vĩnh An,Thôn 1\n"
        "2,05/2024,Trộm cắp tài sản,vinh an,\n"
        "3,tháng 5/2019,Đánh bạc,Vĩnh Khang,\n"
        "4,2024-05,Đánh bạc,Vinh Hung,\n",
        encoding="utf-8",
    )
    code, out = run(capsys, "import", "incidents", str(ledger), "--db", store_url, "--json")
    data = json.loads(out)
    assert code == 0, out
    assert (data["accepted"], data["rejected"]) == (3, 1)
    assert "Vĩnh Hưng" in data["errors"][0]["message"]  # "Vinh Hung": Vĩnh Hùng or Vĩnh Hưng
    incidents = Store.open(store_url).incidents()
    assert sorted(incidents["commune_code"]) == ["15385", "15391", "15391"]  # Vĩnh Khang → Ninh Khang
    code, out = run(
        capsys, "export", "communes", "--db", store_url, "--from", "01/05/2024", "--to", "31/05/2024"
    )
    assert code == 0
    assert any(line.startswith("15391,") and ",2," in line for line in out.splitlines()), out


def test_the_command_line_takes_files_larger_than_an_upload(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: a province's ledger is over the page's upload limits; the command line has its own."""
    from geo import settings
    from geo._errors import DataError

    db = tmp_path / "antt.sqlite"
    Store.open(f"sqlite:///{db}", demo=False)
    ledger = tmp_path / "so_lon.csv"
    rows = [f"L{i},0{i + 1}/01/2024,Trộm cắp tài sản,105.6163,20.06" for i in range(3)]
    ledger.write_text("Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(settings, "IMPORT_MAX_BYTES", 64)
    monkeypatch.setattr(settings, "IMPORT_MAX_ROWS", 2)
    with pytest.raises(DataError):
        read_table(ledger)  # an upload of this size is refused
    code, out = run(capsys, "import", "incidents", str(ledger), "--db", f"sqlite:///{db}", "--json")
    assert code == 0, out
    assert json.loads(out)["accepted"] == 3
    monkeypatch.setattr(settings, "CLI_IMPORT_MAX_ROWS", 2)
    code, out = run(capsys, "import", "incidents", str(ledger), "--db", f"sqlite:///{db}", "--json")
    assert code != 0
