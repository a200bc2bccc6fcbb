"""The accounts and audit command line: users add (stdin or getpass), list, disable, enable, reset, role; audit."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from geo import settings
from geo.auth import users
from geo.cli.main import main
from geo.store import audit
from geo.store.schema import utc_now
from geo.store.store import Store

ROOT = Path(__file__).resolve().parents[3]
PW = "ba con mèo trèo cây cau"


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def db(store_url: str) -> str:
    """An existing store (the demo district, no incidents): ``--db`` never creates one."""
    Store.open(store_url, demo=False)
    return store_url


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = sys.__stdin__
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_first_set_up_adds_an_admin_from_stdin(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "users",
        "add",
        "Chi.Huy",
        "--role",
        "admin",
        "--password-stdin",
        "--db",
        db,
        stdin=PW + "\n",
    )
    assert code == 0
    assert out.strip() == "Đã thêm tài khoản «chi.huy» (vai trò admin)."
    store = Store.open(db)
    assert users.has_admin(store)
    assert users.authenticate(store, "chi.huy", PW).outcome is users.Outcome.OK
    entry = audit.entries(store, action="user_add")[0]
    assert entry.user.startswith("os:")


def test_the_password_is_asked_twice_without_echo(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PW, PW, PW, "something else"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run(capsys, "users", "add", "lan", "--role", "viewer", "--db", db)[0] == 0
    code, _, err = run(capsys, "users", "add", "minh", "--role", "viewer", "--db", db)
    assert code == 2
    assert "Hai lần nhập mật khẩu không khớp" in err
    assert [u.name for u in users.users(Store.open(db))] == ["lan"]


def test_the_password_is_not_an_argument(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["users", "add", "lan", "--role", "viewer", "--password", PW, "--db", db])
    capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["users", "add", "lan", "--role", "viewer", "--password-stdin"], "\n", "dòng đầu trống"),
        (["users", "add", "lan", "--role", "viewer", "--password-stdin"], "short\n", "ít nhất 8 ký tự"),
        (["users", "add", "Lê Lan", "--role", "viewer", "--password-stdin"], PW + "\n", "không hợp lệ"),
        (["users", "disable", "ghost"], None, "Không có tài khoản «ghost»"),
        (["users", "reset", "ghost", "--password-stdin"], PW + "\n", "Không có tài khoản «ghost»"),
    ],
)
def test_errors_are_one_vietnamese_line_and_exit_2(
    db: str, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: str | None, message: str
) -> None:
    code, out, err = run(capsys, *argv, "--db", db, stdin=stdin)
    assert code == 2
    assert out == ""
    assert err.startswith("Lỗi: ")
    assert message in err
    assert "Traceback" not in err


def test_list_disable_enable_role_and_reset(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "users", "list", "--db", db)
    assert (code, "Chưa có tài khoản nào" in out) == (0, True)
    assert run(capsys, "users", "list", "--db", db, "--json")[1].strip() == "[]"
    for name, role in (("boss", "admin"), ("lan", "analyst")):
        run(
            capsys,
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            "--db",
            db,
            stdin=PW + "\n",
        )
    code, out, _ = run(capsys, "users", "disable", "lan", "--db", db)
    assert (code, out.strip()) == (0, "Đã vô hiệu hóa tài khoản «lan».")
    listed = json.loads(run(capsys, "users", "list", "--db", db, "--json")[1])
    assert [(u["name"], u["role"], u["active"]) for u in listed] == [
        ("boss", "admin", True),
        ("lan", "analyst", False),
    ]
    assert "password_hash" not in listed[0]
    text = run(capsys, "users", "list", "--db", db)[1]
    assert "vô hiệu hóa" in text
    assert "chưa đăng nhập" in text
    assert run(capsys, "users", "enable", "lan", "--db", db)[0] == 0
    assert run(capsys, "users", "role", "lan", "viewer", "--db", db)[1].strip() == (
        "Tài khoản «lan» giờ có vai trò viewer."
    )
    code, _, err = run(capsys, "users", "disable", "boss", "--db", db)
    assert code == 2
    assert "quản trị viên cuối cùng" in err
    store = Store.open(db)
    start = utc_now()
    for seconds in (0, 1, 2, 8, 20):  # past each wait: the fifth failure locks
        users.authenticate(store, "lan", "wrong", now=start + timedelta(seconds=seconds))
    assert "tạm khóa" in run(capsys, "users", "list", "--db", db)[1]
    code, out, _ = run(
        capsys, "users", "reset", "lan", "--password-stdin", "--db", db, stdin="mật khẩu tạm 1\n"
    )
    assert code == 0
    assert "phải đổi mật khẩu khi đăng nhập" in out
    assert "chờ đổi mật khẩu" in run(capsys, "users", "list", "--db", db)[1]
    login = users.authenticate(store, "lan", "mật khẩu tạm 1")
    assert login.outcome is users.Outcome.OK
    assert login.user is not None
    assert login.user.must_change
    run(
        capsys,
        "users",
        "reset",
        "lan",
        "--keep",
        "--password-stdin",
        "--db",
        db,
        stdin="mật khẩu tạm 2\n",
    )
    assert not users.get_user(store, "lan").must_change  # type: ignore[union-attr]


def test_audit_prints_entries_as_text_and_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "audit", "--db", db)[1].strip() == "Nhật ký chưa có mục nào."
    assert json.loads(run(capsys, "audit", "--db", db, "--json")[1]) == []
    run(
        capsys,
        "users",
        "add",
        "lan",
        "--role",
        "analyst",
        "--password-stdin",
        "--db",
        db,
        stdin=PW + "\n",
    )
    store = Store.open(db)
    users.authenticate(store, "lan", "wrong")
    users.authenticate(store, "lan", PW)
    code, out, _ = run(capsys, "audit", "--db", db, "--json")
    entries = json.loads(out)
    assert code == 0
    assert [(e["user"], e["action"]) for e in entries] == [
        ("lan", "login"),
        ("lan", "login_failed"),
        (entries[2]["user"], "user_add"),
    ]
    assert all({"time", "user", "action", "detail"} <= set(e) for e in entries)
    assert entries[1]["detail"] == {"failures": 1, "reason": "password"}
    assert entries[0]["time"].endswith("+07:00")
    only = json.loads(run(capsys, "audit", "--db", db, "--json", "--action", "login_failed")[1])
    assert [e["action"] for e in only] == ["login_failed"]
    assert len(json.loads(run(capsys, "audit", "--db", db, "--json", "--limit", "1")[1])) == 1
    assert [
        e["action"] for e in json.loads(run(capsys, "audit", "--db", db, "--json", "--user", "lan")[1])
    ] == [
        "login",
        "login_failed",
    ]
    text = run(capsys, "audit", "--db", db)[1]
    assert "login_failed" in text
    assert "reason=password" in text


def test_first_set_up_of_a_new_store_from_the_shell(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"

    def geo(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "geo", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "ANTT_BCRYPT_ROUNDS": "4"},
            check=False,
        )

    add = ("users", "add", "boss", "--role", "admin", "--password-stdin", "--db", url)
    refused = geo(*add, stdin=PW + "\n")
    assert refused.returncode == 2
    assert "Không có kho dữ liệu ở" in refused.stderr
    assert not (tmp_path / "store.sqlite").exists()  # a mistyped --db never becomes a new store
    created = geo("init", "--db", url)
    assert created.returncode == 0, created.stderr
    assert "Đã tạo kho" in created.stdout
    result = geo(*add, stdin=PW + "\n")
    assert result.returncode == 0, result.stderr
    assert "«boss»" in result.stdout
    assert users.has_admin(Store.open(url))


def test_init_creates_a_store_once_and_names_the_next_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'moi.sqlite'}"
    code, out, _ = run(capsys, "init", "--db", url)
    assert code == 0
    assert out.startswith(
        f"Đã tạo kho «{url}». Tiếp theo: python -m geo users add TÊN --role admin --db {url}"
    )
    store = Store.open(url, create=False)
    assert store.stats()["communes"] == 0  # a new area: the set-up path fills it
    code, out, _ = run(capsys, "init", "--db", url)
    assert code == 0
    assert "đã có" in out
    assert "không thay đổi gì" in out
    demo = f"sqlite:///{tmp_path / 'thu.sqlite'}"
    assert run(capsys, "init", "--db", demo, "--demo")[0] == 0
    assert Store.open(demo).is_demo()
    code, _, err = run(capsys, "init", "--db", "nosuchdb://x")
    assert code == 2
    assert err.startswith("Lỗi: Địa chỉ kho dữ liệu «nosuchdb://x» không hợp lệ")


def test_a_missing_store_is_reported_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'go_nham.sqlite'}"
    for argv in (["users", "list"], ["audit"]):
        code, _, err = run(capsys, *argv, "--db", url)
        assert code == 2
        assert "Không có kho dữ liệu ở" in err
        assert f"python -m geo init --db {url}" in err
    assert not (tmp_path / "go_nham.sqlite").exists()
