"""Tests of ``python -m geo brief``: Word and PDF from the store, the period and language options, errors in one line."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest

from geo.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["brief", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_pdf_brief_of_a_chosen_period(
    demo_store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bao_cao.pdf"
    code, printed, err = _run(
        capsys,
        "--format",
        "pdf",
        "--out",
        str(out),
        "--from",
        "01/01/2026",
        "--to",
        "31/10/2026",
        "--db",
        demo_store_url,
    )
    assert (code, err) == (0, "")
    assert printed.startswith(str(out))
    assert "KB" in printed
    document = pdfium.PdfDocument(out.read_bytes())
    assert 2 <= len(document) <= 4
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "TÌNH HÌNH VỤ VIỆC TỪ 01/01/2026 ĐẾN 31/10/2026" in " ".join(text.split())


def test_the_word_brief_in_english(
    demo_store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub" / "brief.docx"
    code, _, err = _run(capsys, "--format", "docx", "--out", str(out), "--lang", "en", "--db", demo_store_url)
    assert (code, err) == (0, "")
    doc = docx.Document(io.BytesIO(out.read_bytes()))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[:2] == ["I. CONCLUSIONS", "II. EACH TARGET XÃ"]
    assert "SOCIALIST REPUBLIC OF VIETNAM" in doc.tables[0].rows[0].cells[1].text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "01/01/2026", "--to", "31/12/2025"],
            "Lỗi: Ngày kết thúc (31/12/2025) phải sau ngày bắt đầu (01/01/2026).",
        ),
        (["--db", "sqlite:///{tmp}/none.sqlite"], "Lỗi: Không có kho dữ liệu ở"),
    ],
)
def test_bad_input_is_one_vietnamese_line(
    args: list[str], message: str, demo_store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--db" not in args:
        args += ["--db", demo_store_url]
    out = tmp_path / "x.pdf"
    code, printed, err = _run(capsys, "--format", "pdf", "--out", str(out), *args)
    assert code == 2
    assert printed == ""
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert not out.exists()


def test_a_format_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["brief", "--out", "x.pdf"])
    assert "--format" in capsys.readouterr().err
