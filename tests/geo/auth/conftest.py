"""Accounts fixtures: cheap bcrypt hashes (cost 4) and a store without incidents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geo import settings
from geo.auth import users
from geo.store.store import Store


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(settings, "BCRYPT_ROUNDS", 4)
    users.forget_unknown()
    yield
    users.forget_unknown()


@pytest.fixture
def store(store_url: str) -> Store:
    """A new store (demo district, no incidents) on SQLite and on PostGIS."""
    return Store.open(store_url, demo=False)
