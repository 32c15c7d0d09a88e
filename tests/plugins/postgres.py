"""Store backends for tests: ``store_url`` runs a test once on SQLite and once on PostgreSQL.

PostgreSQL is the server at ``OJP_SEARCH_TEST_POSTGRES`` (default: the local one, user
``postgres``, trust authentication). Each test session creates a database of its own (a unique
name) and drops it at the end; each test gets that database emptied. Where no PostgreSQL
answers, the PostgreSQL half of each test is skipped with a one-line reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SERVER_ENV = "OJP_SEARCH_TEST_POSTGRES"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def server_url() -> str:
    return os.environ.get(SERVER_ENV) or DEFAULT_SERVER


def admin_connection() -> Any:
    import psycopg

    return psycopg.connect(server_url(), autocommit=True, connect_timeout=3)


def postgres_missing() -> str | None:
    """Why PostgreSQL tests cannot run here (None when they can)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with admin_connection():
            return None
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or ["no answer"])[0]
        return f"no PostgreSQL at {server_url()} ({first})"


class Databases:
    """Databases of this test session: each made with a unique name, all dropped at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def create(self) -> str:
        from sqlalchemy.engine import make_url

        name = f"ojp_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        with admin_connection() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return make_url(server_url()).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.names:
            return
        with admin_connection() as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.clear()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Databases]:
    """Creates PostgreSQL databases for this session (skips when there is no server)."""
    missing = postgres_missing()
    if missing:
        pytest.skip(missing)
    databases = Databases()
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture(scope="session")
def postgres_session_url(postgres_databases: Databases) -> str:
    """This session's own database."""
    return postgres_databases.create()


def empty_database(url: str) -> None:
    """Drop every table (a fresh ``public`` schema)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty store's location on each backend: a SQLite file URL, an emptied database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("postgres_session_url")
    empty_database(url)
    return url


@pytest.fixture
def new_store_url(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Another empty store on a given backend (for copies from one store to another)."""
    made: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            made.append(f"sqlite:///{tmp_path / f'other-{len(made)}.sqlite3'}")
            return made[-1]
        databases: Databases = request.getfixturevalue("postgres_databases")
        made.append(databases.create())
        return made[-1]

    return make
