"""The brief's download buttons on / for every role: labels, the files they give, and the audit entry of a download."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from geo.filters import IncidentFilter
from geo.store import audit
from geo.store.store import Store, close_all

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(demo_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A copy of the demo store of this test (a download writes to its audit trail)."""
    path = tmp_path / "antt.sqlite"
    shutil.copy(demo_store_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("ANTT_DATABASE_URL", url)
    monkeypatch.delenv("ANTT_REQUIRE_LOGIN", raising=False)
    yield Store.open(url)
    close_all()


def test_the_overview_offers_the_brief_in_word_and_pdf(store: Store) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    buttons = {b.key: b.proto.label for b in at.get("download_button")}
    assert buttons["brief.download.docx"] == "Tải báo cáo (Word)"
    assert buttons["brief.download.pdf"] == "Tải báo cáo (PDF)"


def test_a_download_gives_the_brief_of_the_period_and_is_recorded(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import brief

    captured: dict[str, dict[str, Any]] = {}
    monkeypatch.setattr(
        DeltaGenerator, "download_button", lambda self, *a, **k: captured.update({k["key"]: k})
    )
    flt = IncidentFilter(start=date(2026, 1, 1), end=date(2026, 6, 30))
    brief.download_buttons(flt)
    word, pdf = captured["brief.download.docx"], captured["brief.download.pdf"]
    assert (word["file_name"], pdf["file_name"]) == (
        "bao_cao_20260101_20260630.docx",
        "bao_cao_20260101_20260630.pdf",
    )
    assert audit.entries(store, action="export") == []  # nothing is made, nor recorded, before a click
    data = pdf["data"]()
    assert data.startswith(b"%PDF-")
    doc = docx.Document(io.BytesIO(word["data"]()))
    assert "II. ĐÁNH GIÁ TỪNG XÃ TRỌNG ĐIỂM" in [p.text for p in doc.paragraphs]
    entries = audit.entries(store, action="export")
    assert sorted((e.detail["what"], e.detail["format"]) for e in entries) == [
        ("brief", "docx"),
        ("brief", "pdf"),
    ]
    assert {(e.detail["from"], e.detail["to"], e.user) for e in entries} == {
        ("2026-01-01", "2026-06-30", "local")
    }
