"""Opening a store on purpose: with ``create=False`` a missing store is an error, never a new empty one."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo._errors import ConfigError
from geo.store.store import Store


def test_a_missing_store_is_not_created_unless_asked(store_url: str) -> None:
    with pytest.raises(ConfigError, match=r"Không có kho dữ liệu ở .* python -m geo init --db"):
        Store.open(store_url, create=False)
    if store_url.startswith("sqlite:///"):
        assert not Path(store_url.removeprefix("sqlite:///")).exists()
    Store.open(store_url, demo=False)
    assert Store.open(store_url, create=False).stats()["communes"] == 13


def test_a_file_that_is_not_a_store_is_not_taken_for_a_new_one(tmp_path: Path) -> None:
    empty = tmp_path / "cut.sqlite"
    empty.write_bytes(b"")  # a store truncated to 0 bytes
    with pytest.raises(ConfigError, match=r"rỗng \(0 byte\)"):
        Store.open(f"sqlite:///{empty}", create=False)
    assert empty.stat().st_size == 0
