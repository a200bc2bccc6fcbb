"""The domain package stays free of Streamlit, in every subpackage, so it can be tested and reused without a browser."""

from __future__ import annotations

import ast
from pathlib import Path

GEO = Path(__file__).resolve().parents[2] / "geo"
UI_PACKAGES = {"streamlit", "streamlit_folium", "ui", "pages", "dashboard"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_geo_module_imports_streamlit() -> None:
    modules = sorted(GEO.rglob("*.py"))
    assert any(p.parent != GEO for p in modules), "the check must see the subpackages"
    offenders = [str(p.relative_to(GEO)) for p in modules if UI_PACKAGES & _imports(p)]
    assert offenders == []


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import os\n\ndef f():\n    from streamlit import session_state\n", encoding="utf-8")
    assert "streamlit" in _imports(sample)
