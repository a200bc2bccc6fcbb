"""The hostile corpus (issue 11, item 7): every case imports or is refused with our message, never a crash.

The full corpus runs in two subprocesses (one per core), each under a 2 GB address-space limit
(``resource.setrlimit(RLIMIT_AS)``), with a 60 s alarm per case; each case goes through the command
line's own import call into a temporary SQLite store, and a refused case must leave the store's
digest unchanged (see ``run.py``). `make test` runs a seeded sample of it (the valid files and every
`SAMPLE_EVERY`-th case of each format, every specific case of the formats that have few, `corpus.sample`);
the whole corpus, 4,500 files, is a slow test run by `make test-full` and `make bench`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from geo.store.store import Store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MEMORY_GB = 2.0
PER_CASE_S = 60
SAMPLE_EVERY = 6
# Formats split so that both halves take about as long.
HALVES = (
    "incidents_csv,incidents_geojson,boundaries_zip,boundaries_gpkg,offence_map_csv",
    "incidents_xlsx,boundaries_geojson,population_csv,population_xlsx",
)


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_corpus", HERE / "corpus.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_corpus"] = module
    spec.loader.exec_module(module)
    return module


def _area() -> object:
    import geopandas as gpd
    import shapely

    corpus = _corpus()
    square = shapely.box(105.6, 20.0, 105.7, 20.1)
    communes = gpd.GeoDataFrame(
        {"code": ["1", "2"], "name": ["Vĩnh Yên", "Vĩnh Tiến"], "population": [7400, 5100]},
        geometry=[square, shapely.box(105.7, 20.0, 105.8, 20.1)],
        crs="EPSG:4326",
    )
    return corpus.Area(communes)


def test_the_corpus_is_seeded_and_large_enough() -> None:
    corpus = _corpus()
    area = _area()
    first = corpus.cases("offence_map_csv", area, count=500)
    again = corpus.cases("offence_map_csv", area, count=500)
    assert [c.data for c in first] == [c.data for c in again]
    assert len(first) >= 500
    assert len({c.data for c in first}) > 450
    other = corpus.cases("offence_map_csv", area, count=500, seed=corpus.SEED + 1)
    assert [c.data for c in other] != [c.data for c in first]
    labels = {c.label.split(":")[0] for c in first}
    assert labels == {"valid", "specific", "random"}


def _run_corpus(tmp_path: Path, *, every: int) -> None:
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    runs = []
    for index, formats in enumerate(HALVES):
        out = tmp_path / f"summary{index}.json"
        command = [sys.executable, str(HERE / "run.py"), "--out", str(out), "--formats", formats]
        command += ["--memory-gb", str(MEMORY_GB), "--every", str(every)]
        runs.append((out, subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)))
    summaries = []
    for out, process in runs:
        _, errors = process.communicate(timeout=1800)
        assert process.returncode == 0, errors[-3000:]
        summaries.append(json.loads(out.read_text()))
    formats = {k: v for s in summaries for k, v in s["formats"].items()}
    failures = [f for s in summaries for f in s["failures"]]
    assert set(formats) == set(_corpus().FORMATS)
    at_least = _corpus().CASES_PER_FORMAT // every
    assert all(v["cases"] >= at_least for v in formats.values()), {k: v["cases"] for k, v in formats.items()}
    assert failures == [], json.dumps(failures[:5], ensure_ascii=False, indent=1)
    assert all(v["slowest_s"] < PER_CASE_S for v in formats.values())
    for summary in summaries:
        assert summary["peak_rss_mb"] < MEMORY_GB * 1024
    for name, result in formats.items():
        assert result["outcomes"].get("imported", 0) >= 3, name  # the valid files do import
        assert result["outcomes"].get("refused", 0) >= result["cases"] // 5, name


def test_the_sample_holds_every_kind_of_case_in_its_corpus_order() -> None:
    corpus = _corpus()
    full = corpus.cases("offence_map_csv", _area())
    sample = corpus.sample(full, SAMPLE_EVERY)
    assert corpus.sample(full, 1) == full
    assert [c.data for c in sample] == [c.data for i, c in enumerate(full) if i % SAMPLE_EVERY == 0 or i < 3]
    assert {c.label.split(":")[0] for c in sample} == {"valid", "specific", "random"}
    assert len(full) // SAMPLE_EVERY <= len(sample) <= len(full) // SAMPLE_EVERY + 3
    few = corpus.cases("boundaries_gpkg", _area())  # fewer specific cases than FEW_SPECIFIC: all kept
    specific = [c.data for c in few if c.label.startswith("specific:")]
    assert 0 < len(specific) < corpus.FEW_SPECIFIC
    assert [c.data for c in corpus.sample(few, SAMPLE_EVERY) if c.label.startswith("specific:")] == specific


def test_a_seeded_sample_of_hostile_files_is_imported_or_refused_with_our_message(tmp_path: Path) -> None:
    _run_corpus(tmp_path, every=SAMPLE_EVERY)


@pytest.mark.slow
def test_every_hostile_file_is_imported_or_refused_with_our_message(tmp_path: Path) -> None:
    _run_corpus(tmp_path, every=1)


@pytest.mark.parametrize("kind", ["incidents", "boundaries", "population"])
def test_a_bomb_on_the_command_line_prints_our_message_and_no_traceback(tmp_path: Path, kind: str) -> None:
    import io
    import zipfile

    import openpyxl

    buffer = io.BytesIO()
    if kind == "boundaries":
        name = "bom.zip"
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("ranh_gioi.shp", b"\0" * (64 * 1024 * 1024))
    else:
        name = "bom.xlsx"
        book = openpyxl.Workbook()
        book.active.append(["Mã vụ", "Ngày xảy ra"])
        book.save(buffer)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/media/pad.bin", b"\0" * (64 * 1024 * 1024))
    bomb = tmp_path / name
    bomb.write_bytes(buffer.getvalue())
    assert bomb.stat().st_size < 1024 * 1024
    db = f"sqlite:///{tmp_path / 'kho.sqlite'}"
    Store.open(db, demo=True).close()
    done = subprocess.run(
        [sys.executable, "-m", "geo", "import", kind, str(bomb), "--db", db],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    assert name in done.stderr
    assert "bom nén" in done.stderr
