"""Store fixtures: every store test runs against SQLite and against a real PostgreSQL + PostGIS server.

The PostgreSQL runs need ``ANTT_TEST_POSTGRES_URL`` (an administrator URL such as
``postgresql+psycopg://postgres:secret@localhost:5433/postgres``), which ``scripts/with_postgis.sh`` sets
inside a throwaway cluster. Without it those runs are reported as skipped, never as passed.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from geo.store.store import close_all

POSTGRES_ENV = "ANTT_TEST_POSTGRES_URL"
_TEMPLATE = "antt_test_template"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    """An autocommit engine on the test server, with a template database that has PostGIS."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"no PostgreSQL + PostGIS server: {POSTGRES_ENV} is not set (run scripts/with_postgis.sh)"
        )
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {_TEMPLATE}"))
    template = sa.create_engine(sa.engine.make_url(url).set(database=_TEMPLATE))
    with template.begin() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    template.dispose()
    yield engine
    engine.dispose()


@contextmanager
def _database(admin: sa.Engine) -> Iterator[str]:
    """Create a fresh PostgreSQL database (PostGIS enabled) and drop it afterwards."""
    name = f"antt_test_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}"))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        close_all()
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a store that does not exist yet: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'antt.sqlite'}"
        close_all()
        return
    with _database(request.getfixturevalue("postgres_admin")) as url:
        yield url


@pytest.fixture
def postgres_url(postgres_admin: sa.Engine) -> Iterator[str]:
    """The URL of a fresh PostgreSQL + PostGIS database (for tests of PostGIS itself)."""
    with _database(postgres_admin) as url:
        yield url
