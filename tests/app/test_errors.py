"""The page error boundary: our errors read as their message; a bug is logged and shown in one short line."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _raises_data_error() -> None:
    from geo import DataError
    from ui import errors

    with errors.boundary():
        raise DataError("ngày «31/02/2023» không có thật.", file="thang10.csv", row=7, field="Ngày xảy ra")


def _raises_bug() -> None:
    from ui import errors

    with errors.boundary():
        raise ZeroDivisionError("a bug")


def test_our_error_shows_its_message_with_file_row_and_field() -> None:
    at = AppTest.from_function(_raises_data_error).run()
    assert not at.exception
    assert len(at.error) == 1
    text = at.error[0].value
    assert "thang10.csv" in text
    assert "dòng 7" in text
    assert "Ngày xảy ra" in text
    assert "31/02/2023" in text


def test_a_bug_is_one_short_message_and_a_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ANTT_RAISE_ERRORS", "0")
    with caplog.at_level("ERROR", logger="antt.pages"):
        at = AppTest.from_function(_raises_bug).run()
    assert not at.exception
    assert "ZeroDivisionError" not in at.error[0].value
    assert "nhật ký" in at.error[0].value
    assert any("ZeroDivisionError" in (r.exc_text or "") for r in caplog.records)


def test_under_test_a_bug_is_not_hidden() -> None:
    at = AppTest.from_function(_raises_bug).run()
    assert at.exception


def _raises_store_error() -> None:
    import streamlit as st

    from geo import StoreError
    from ui import errors

    st.session_state["ui.lang"] = st.session_state.get("ui.lang", "en")
    with errors.boundary():
        raise StoreError("full", "sqlite:///kho/antt.sqlite")


def test_a_store_fault_reads_in_the_ui_language() -> None:
    at = AppTest.from_function(_raises_store_error).run()
    assert not at.exception
    text = at.error[0].value
    assert text.startswith("Data store error: The disk of the data store")
    assert "antt.sqlite" in text


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 300])
def test_the_dashboard_on_a_broken_store_says_so_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    """A truncated (0-byte) or damaged store: one message on the page, no traceback, the file untouched."""
    path = tmp_path / "antt.sqlite"
    path.write_bytes(content)
    monkeypatch.setenv("ANTT_DATABASE_URL", f"sqlite:///{path}")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    assert len(at.error) == 1
    text = at.error[0].value
    assert text.startswith("Lỗi kho dữ liệu: ")
    assert str(path) in text
    assert ("rỗng (0 byte)" if not content else "bị hỏng") in text
    assert path.read_bytes() == content
