"""The word catalogue (geo/words/*.toml): both languages say the same things, with the same placeholders."""

from __future__ import annotations

import string
import tomllib
import unicodedata
from pathlib import Path

import pytest

from geo import words
from geo.words import LANGS, keys, word

WORDS = Path(words.__file__).parent


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_both_languages_have_the_same_keys() -> None:
    vi, en = keys("vi"), keys("en")
    assert sorted(vi - en) == []
    assert sorted(en - vi) == []
    assert len(vi) > 300


@pytest.mark.parametrize("key", sorted(keys()))
def test_a_word_has_the_same_placeholders_in_both_languages(key: str) -> None:
    assert _fields(word(key, "vi")) == _fields(word(key, "en"))


def test_no_word_is_empty_or_padded() -> None:
    for lang in LANGS:
        for key in keys(lang):
            text = word(key, lang)
            assert text.strip(), (lang, key)
            assert text == text.strip(), (lang, key)


def test_vietnamese_diacritics_round_trip() -> None:
    title = "Bản đồ điểm nóng ANTT"
    assert word("app.title") == title
    assert f'title = "{title}"'.encode() in (WORDS / "vi.toml").read_bytes()
    assert word("setup.step.population") == "Dân số"
    # Composed (NFC) everywhere: "ả" is one code point, so text compares and searches as typed.
    for lang in LANGS:
        assert [k for k in keys(lang) if not unicodedata.is_normalized("NFC", word(k, lang))] == []


def test_keys_with_a_dot_or_a_minus_in_the_last_part_resolve() -> None:
    assert word("hot.gi") == "Điểm nóng thống kê (Gi*)"
    assert word("hot.gi.-1", "en") == "Cold spot, 90% confidence"
    assert word("hot.em.new_hot", "en") == "New hot spot"
    assert word("hot.em.new_hot.why", "en") == "Hot only in the latest period, never before."


def test_placeholders_are_filled_only_when_given() -> None:
    assert word("filter.summary", "vi", n=3, start="01/01/2024", end="31/01/2024") == (
        "3 vụ việc từ 01/01/2024 đến 31/01/2024"
    )
    assert word("filter.summary") == "{n} vụ việc từ {start} đến {end}"


def test_a_missing_key_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.word"):
        word("no.such.word")
    with pytest.raises(KeyError, match="filter"):
        word("filter", "en")  # a table is not a word


def test_an_unknown_language_falls_back_to_vietnamese() -> None:
    assert word("filter.period", "fr") == word("filter.period", "vi") == "Khoảng thời gian"
    assert keys("fr") == keys("vi")


def test_export_and_report_words_are_in_the_catalogue() -> None:
    assert word("export.incident.offence") == "Tội danh / Loại vụ việc"
    assert word("export.commune.rate", "en") == "Per 1,000 residents / year"
    assert [word(f"report.{k}", "en") for k in ("row", "column", "value", "problem", "severity")] == [
        "Row",
        "Column",
        "Value",
        "Problem",
        "Severity",
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_the_files_are_valid_utf8_toml_with_one_table_per_area(lang: str) -> None:
    data = tomllib.loads((WORDS / f"{lang}.toml").read_text(encoding="utf-8"))
    assert all(isinstance(table, dict) for table in data.values())  # no loose words outside a table
    assert {"app", "nav", "filter", "map", "data", "hot", "trends", "export", "report"} <= set(data)


def test_the_import_report_speaks_both_languages() -> None:
    from geo._validate import Issue, issues_table

    issues = [
        Issue(3, "Ngày", "31/02", "Ngày 31/02 không có trên lịch."),
        Issue(None, "", "", "x", "warning"),
    ]
    vi, en = issues_table(issues), issues_table(issues, lang="en")
    assert list(vi.columns) == ["Dòng", "Cột", "Giá trị", "Vấn đề", "Mức"]
    assert list(en.columns) == ["Row", "Column", "Value", "Problem", "Severity"]
    assert vi["Mức"].tolist() == ["Lỗi", "Lưu ý"]
    assert en["Severity"].tolist() == ["Error", "Warning"]
    assert vi["Vấn đề"].tolist() == ["Ngày 31/02 không có trên lịch.", "x"]
    assert en["Problem"].tolist() == ["There is no day 31/02 in the calendar.", "x"]  # geo.messages
    assert list(issues_table([], lang="en").columns) == list(en.columns)
