"""Store faults (issue 11, item 4): corrupt, truncated, empty, read-only, full, locked, missing, unreachable.

Each gives one `StoreError` naming the store (password hidden) and what to do; a failed write leaves
the store as it was; the command line prints the message (exit 2, no traceback).
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo import AppError, ConfigError, StoreError
from geo.cli.main import main
from geo.io.incident_import import validate_incidents
from geo.io.tables import read_table
from geo.plan import Plan
from geo.store.store import Store, close_all

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def made(tmp_path: Path) -> Iterator[Path]:
    """A small store (the demo district and plan, no incidents) in a file, closed."""
    path = tmp_path / "antt.sqlite"
    Store.open(f"sqlite:///{path}", demo=False)
    close_all()
    yield path
    close_all()


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _snapshot(url: str) -> tuple[object, ...]:
    """What a write could change: counts, the batches, the plan, the meta rows."""
    close_all()
    with sa.create_engine(url).connect() as conn:
        counts = tuple(
            conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("incidents", "communes", "batches", "meta", "audit")
        )
        meta = tuple(conn.execute(sa.text("SELECT key, value FROM meta ORDER BY key")).all())
    return counts, meta


def _ledger(store: Store, n: int) -> bytes:
    points = [p.coords[0] for p in store.communes().geometry.representative_point()]
    lines = ["Mã vụ,Ngày xảy ra,Tội danh,Kinh độ,Vĩ độ,Mô tả"]
    for i in range(n):
        lon, lat = points[i % len(points)]
        lines.append(f"V{i:05d},{1 + i % 28:02d}/03/2024,Trộm cắp tài sản,{lon:.6f},{lat:.6f},{'x' * 300}")
    return "\n".join(lines).encode()


def _import(store: Store, n: int = 400) -> None:
    data = _ledger(store, n)
    checked = validate_incidents(read_table(data, name="so_vu_viec.csv"), store.communes())
    assert len(checked.incidents) == n, checked.report()
    store.import_incidents(checked, user="test")


def _says(error: StoreError, kind: str, shown: str) -> None:
    assert error.kind == kind
    assert f"«{shown}»" in error.message
    assert "Traceback" not in error.message


# -- what is not a store -------------------------------------------------------------------------


@pytest.mark.parametrize("create", [True, False])
def test_an_empty_file_is_never_taken_for_a_new_store(tmp_path: Path, create: bool) -> None:
    path = tmp_path / "cut.sqlite"
    path.write_bytes(b"")  # a store truncated to 0 bytes
    with pytest.raises(StoreError) as caught:
        Store.open(_url(path), create=create)
    _says(caught.value, "empty", _url(path))
    assert "sao lưu" in caught.value.message
    assert path.stat().st_size == 0


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(random.Random(11).randbytes(8192), id="garbage"),
        pytest.param("Mã vụ,Ngày\nV1,01/01/2024\n".encode() * 50, id="a-csv-file"),
        pytest.param(b"SQLite format 3\x00" + random.Random(12).randbytes(4080), id="a-damaged-header"),
    ],
)
def test_a_file_that_is_not_sqlite_is_reported_as_damaged(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "antt.sqlite"
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store.open(_url(path))
    _says(caught.value, "corrupt", _url(path))
    assert path.read_bytes() == content


@pytest.mark.parametrize("damage", ["truncated", "pages"])
def test_a_damaged_store_is_reported_when_read(made: Path, damage: str) -> None:
    data = made.read_bytes()
    if damage == "truncated":
        made.write_bytes(data[: len(data) // 2])
    else:  # the first page (the schema) intact, every other page overwritten
        made.write_bytes(data[:4096] + random.Random(13).randbytes(len(data) - 4096))

    def read() -> None:
        store = Store.open(_url(made))
        store.communes()
        store.incidents()

    with pytest.raises(StoreError) as caught:
        read()
    _says(caught.value, "corrupt", _url(made))


def test_another_programs_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(StoreError) as caught:
        Store.open(_url(path))
    _says(caught.value, "foreign", _url(path))
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["contacts"]


def test_a_mistyped_path_is_never_created(tmp_path: Path) -> None:
    path = tmp_path / "antt.sqlitte"
    with pytest.raises(StoreError) as caught:
        Store.open(_url(path), create=False)
    _says(caught.value, "missing", _url(path))
    assert "python -m geo init --db" in caught.value.message
    assert not path.exists()


def test_a_store_error_is_still_a_config_error_and_says_it_in_english(tmp_path: Path) -> None:
    (tmp_path / "x.sqlite").write_bytes(b"")
    with pytest.raises(ConfigError) as caught:
        Store.open(_url(tmp_path / "x.sqlite"))
    assert isinstance(caught.value, StoreError)
    assert "is empty (0 bytes)" in caught.value.words("en")


# -- writes that fail leave nothing half-written ----------------------------------------------------


def test_a_read_only_store_refuses_writes_and_stays_as_it_was(made: Path) -> None:
    before = _snapshot(_url(made))
    url = f"sqlite:///file:{made}?mode=ro&uri=true"  # root ignores file modes: SQLite's own read-only
    store = Store.open(url)
    assert store.stats()["communes"] == 13  # reading works
    with pytest.raises(StoreError) as caught:
        _import(store)
    _says(caught.value, "readonly", url)
    with pytest.raises(StoreError):
        store.save_plan(Plan.from_dict({**store.plan().to_dict(), "name": "đổi tên"}))
    assert _snapshot(_url(made)) == before


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def _as_nobody(home: Path) -> dict[str, str]:
    """The environment for a process run as `nobody`: without coverage's subprocess hook (it could not
    write its data file as `nobody`, and would print its own traceback at exit)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE", "COV_CORE"))}
    return {**keep, "HOME": str(home)}


@pytest.mark.parametrize("closed", ["file", "folder"])
def test_a_read_only_store_for_the_account_running_the_cli(made: Path, closed: str) -> None:
    """Real file modes: the CLI run as `nobody` on a store whose file, or only whose folder, it may not write.

    With the folder closed SQLite cannot write its journal beside the file, so the store is just as
    read-only although the file itself is writable.
    """
    folder = Path(tempfile.mkdtemp(prefix="antt-ro-"))  # pytest's own folders are closed to others
    try:
        folder.chmod(0o755)
        path = folder / "antt.sqlite"
        shutil.copy(made, path)
        path.chmod(0o644 if closed == "file" else 0o666)
        before = _snapshot(_url(path))
        ledger = folder / "so.csv"
        ledger.write_bytes(_ledger(Store.open(_url(path)), 5))
        ledger.chmod(0o644)
        close_all()
        run = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "geo",
             "import", "incidents", str(ledger), "--db", _url(path)],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False, env=_as_nobody(folder),
        )  # fmt: skip
        said = run.stderr + run.stdout
        assert run.returncode != 0, said
        assert "Traceback" not in said
        assert "chỉ cho đọc" in said, said
        assert _snapshot(_url(path)) == before
    finally:
        shutil.rmtree(folder)


def test_a_full_disk_cancels_the_import_and_keeps_the_store(made: Path) -> None:
    """SQLITE_FULL, as a full disk gives it, from ``PRAGMA max_page_count`` on every connection."""
    before = _snapshot(_url(made))
    store = Store.open(_url(made))
    pages = store.engine.connect().exec_driver_sql("PRAGMA page_count").scalar_one()

    def limit(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {int(pages) + 2}")

    store.engine.dispose()
    sa.event.listen(store.engine, "connect", limit)
    with pytest.raises(StoreError) as caught:
        _import(store)
    _says(caught.value, "full", _url(made))
    assert "giải phóng chỗ trống" in caught.value.message
    assert _snapshot(_url(made)) == before
    sa.event.remove(store.engine, "connect", limit)
    store.engine.dispose()
    _import(Store.open(_url(made)), 10)  # with room again the same store takes the import
    assert Store.open(_url(made)).stats()["incidents"] == 10


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A real, small file system (an 8 MB tmpfs) where one can be mounted (root in a container that allows it)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    folder = Path(tempfile.mkdtemp(prefix="antt-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"no tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        close_all()
        gc.collect()  # a caught error's traceback may still hold a connection to the file
        subprocess.run(["umount", "--lazy", str(folder)], check=True)
        folder.rmdir()


def test_a_really_full_disk_cancels_the_import_and_keeps_the_store(made: Path, small_disk: Path) -> None:
    """ENOSPC from the file system itself: the store on an 8 MB tmpfs, the rest of it filled."""
    path = small_disk / "antt.sqlite"
    shutil.copy(made, path)
    filler = small_disk / "filler"
    with filler.open("wb", buffering=0) as out:  # fill what is left but a few pages
        try:
            while True:
                out.write(b"\0" * 4096)
                out.flush()
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - 3 * 4096))
    before = _snapshot(_url(path))
    with pytest.raises(StoreError) as caught:
        _import(Store.open(_url(path)))
    _says(caught.value, "full", _url(path))
    assert _snapshot(_url(path)) == before
    filler.unlink()
    _import(Store.open(_url(path)), 10)  # with room again the same store takes the import
    assert Store.open(_url(path)).stats()["incidents"] == 10


def test_a_locked_store_cancels_the_write(made: Path) -> None:
    store = Store.open(_url(made))
    before = _snapshot(_url(made))
    holder = sqlite3.connect(made, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # a writer holds the store (readers still read)
    try:
        store = Store.open(_url(made))
        with pytest.raises(StoreError) as caught:
            store.save_plan(Plan.from_dict({**store.plan().to_dict(), "name": "đổi tên"}))
        _says(caught.value, "locked", _url(made))
    finally:
        holder.rollback()
        holder.close()
    assert _snapshot(_url(made)) == before


# -- PostgreSQL, and the command line -------------------------------------------------------------


def test_an_unreachable_server_hides_the_password(unused_port: int) -> None:
    url = f"postgresql://canbo:mat-khau-bi-mat@127.0.0.1:{unused_port}/antt"
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    assert caught.value.kind == "unreachable"
    assert "mat-khau-bi-mat" not in str(caught.value)
    assert "canbo:***@127.0.0.1" in str(caught.value)


def test_a_bad_url_is_one_message() -> None:
    with pytest.raises(StoreError) as caught:
        Store.open("sqlite-nope://x")
    assert caught.value.kind == "url"


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", [["batches"], ["area", "show"], ["users", "list"], ["audit"], ["init"]])
def test_the_cli_prints_the_fault_not_a_traceback(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.sqlite"
    path.write_bytes(b"")
    code = main([*command, "--db", _url(path)])
    out, err = capsys.readouterr()
    assert code != 0
    assert "0 byte" in err + out
    assert "Traceback" not in err + out
    assert path.stat().st_size == 0  # init too refuses to make a store over the empty file


def test_a_fault_in_the_middle_of_a_command_is_caught_by_main(
    made: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that does not catch our errors itself still ends with the message and exit 2."""
    from geo.cli import main as cli_main

    def locked(_out: object) -> None:
        raise StoreError("locked", _url(made))

    monkeypatch.setattr(cli_main.demo, "write_demo", locked)
    assert main(["demo", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: Kho dữ liệu «sqlite:///")
    assert "đang bị một tiến trình khác khóa" in err
    assert "Traceback" not in err


def test_app_error_is_the_base() -> None:
    assert issubclass(StoreError, AppError)
    with pytest.raises(ValueError, match="unknown store fault"):
        StoreError("no-such-kind", "x")


@pytest.mark.postgres
def test_postgres_credentials_database_and_read_only_account(
    postgres_url: str, postgres_admin: sa.Engine
) -> None:
    """A wrong password, a missing database and an account that may only read: one message each."""
    store = Store.open(postgres_url, demo=False)
    name = sa.engine.make_url(postgres_url).database
    role = f"antt_reader_{name}"[:60]
    with postgres_admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD 'dung-mat-khau'"))
    with store.engine.begin() as conn:
        conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    base = sa.engine.make_url(postgres_url).set(username=role)
    try:
        wrong = base.set(password="sai-mat-khau").render_as_string(hide_password=False)
        with pytest.raises(StoreError) as caught:
            Store.open(wrong)
        assert caught.value.kind == "credentials"
        assert "sai-mat-khau" not in str(caught.value)
        nowhere = base.set(password="dung-mat-khau", database="antt_khong_co").render_as_string(
            hide_password=False
        )
        with pytest.raises(StoreError) as caught:
            Store.open(nowhere)
        assert caught.value.kind == "no_database"
        reader = Store.open(base.set(password="dung-mat-khau").render_as_string(hide_password=False))
        before = (reader.stats(), reader.plan().to_dict())
        with pytest.raises(StoreError) as caught:
            reader.save_plan(Plan.from_dict({**reader.plan().to_dict(), "name": "đổi tên"}))
        assert caught.value.kind == "readonly"
        assert (reader.stats(), reader.plan().to_dict()) == before
    finally:
        with store.engine.begin() as conn:  # privileges live in the store's own database
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
        close_all()
        with postgres_admin.connect() as conn:
            conn.execute(sa.text(f"DROP ROLE {role}"))


@pytest.mark.parametrize("fault", ["readonly", "full"])
def test_a_migration_that_cannot_be_written_leaves_the_old_store(tmp_path: Path, fault: str) -> None:
    """Opening an older store migrates it in one transaction: a fault half-way leaves version 1 whole."""
    from geo.store.engine import engine_for as _engine
    from tests.geo.store.test_schema import _version_1

    path = tmp_path / "cu.sqlite"
    _version_1(_url(path))
    close_all()

    def layout() -> tuple[object, ...]:
        with sqlite3.connect(path) as conn:
            tables = conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
            meta = conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
        return tuple(tables), tuple(meta)

    before = layout()
    url = f"sqlite:///file:{path}?mode=ro&uri=true" if fault == "readonly" else _url(path)
    if fault == "full":
        pages = path.stat().st_size // 4096

        def limit(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 1}")

        sa.event.listen(_engine(url), "connect", limit)
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    assert caught.value.kind == fault
    close_all()
    assert layout() == before
    assert Store.open(_url(path)).schema_version() > 1  # with room and rights it migrates


def test_a_store_that_cannot_be_created_leaves_no_file(small_disk: Path) -> None:
    """The demo store on a disk with no room: the message, and no empty file to be taken for a truncated store."""
    filler = small_disk / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    path = small_disk / "moi.sqlite"
    with pytest.raises(StoreError) as caught:
        Store.open(_url(path), demo=True)
    assert caught.value.kind in {"full", "io"}
    assert not path.exists()


def test_two_processes_creating_the_same_store_make_one(tmp_path: Path) -> None:
    """Creation holds the write lock: the second waits, then finds the store made (no duplicate tables)."""
    path = tmp_path / "cung.sqlite"
    code = f"from geo.store.store import Store; print(Store.open({_url(path)!r}, demo=True).stats()['incidents'])"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    counts = {out.strip() for out, _ in outputs}
    assert len(counts) == 1
    assert int(counts.pop()) > 1000


def test_a_server_that_never_answers_is_reported_within_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A listening socket that never speaks PostgreSQL (as behind a dropping firewall): unreachable, soon."""
    import socket
    import time

    from geo.store import engine as engine_module

    monkeypatch.setattr(engine_module, "CONNECT_TIMEOUT_S", 2)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            Store.open(f"postgresql://canbo:bi-mat@127.0.0.1:{port}/antt")
        assert caught.value.kind == "unreachable"
        assert time.monotonic() - started < 30


def test_two_imports_of_one_file_at_once_end_cleanly(made: Path) -> None:
    """Every write holds the write lock from its start: the second import waits, then finds its rows stored.

    Before, each read what was stored before either wrote, and all but one failed on a UNIQUE constraint.
    """
    import threading

    store = Store.open(_url(made))
    checked = validate_incidents(read_table(_ledger(store, 1500), name="so.csv"), store.communes())
    outcomes: list[object] = []

    def run(user: str) -> None:
        try:
            outcome = Store.open(_url(made)).import_incidents(checked, user=user)
            outcomes.append((outcome.accepted, outcome.unchanged))
        except Exception as error:  # the test reports whatever went wrong
            outcomes.append(error)

    threads = [threading.Thread(target=run, args=(f"u{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(outcomes) == [(0, 1500), (0, 1500), (1500, 0)], outcomes  # type: ignore[type-var]
    assert Store.open(_url(made)).stats()["incidents"] == 1500
