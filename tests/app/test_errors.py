"""The page error boundary: our errors read as their message; a bug is logged and shown in one short line."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


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
