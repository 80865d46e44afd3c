"""One suite, every app: each test runs against Flask and FastAPI in-process (on SQLite and,
when TEST_POSTGRES_URL is set, PostgreSQL), or against one live server with --base-url URL.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

from contract_tests.support import ANOTHER_WORKER_CACHE_SECONDS
from contract_tests.support import Api
from contract_tests.transports import ServerLikeASGIPath
from contract_tests.transports import ServerLikePathInfo
from contract_tests.transports import ServerLikeWSGITransport
from shared.caching import ArticleCaches
from shared.db import create_sync_engine
from shared.models import Base
from shared.settings import PROJECT_ROOT
from shared.settings import Settings

APPS = ("flask", "fastapi")
TEST_SECRET_KEY = "contract-tests-secret-key-0123456789abcdef"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conduit")
    group.addoption("--base-url", help="run against one live server, e.g. http://127.0.0.1:8000")
    group.addoption(
        "--app", choices=APPS, action="append", help="in-process app(s) to test (default: both)"
    )
    group.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        action="append",
        help="database(s) for in-process apps (default: sqlite, + postgres if TEST_POSTGRES_URL)",
    )


def _targets(config: pytest.Config) -> list[str]:
    if config.getoption("base_url"):
        return ["live"]
    apps = config.getoption("app") or list(APPS)
    databases = config.getoption("db") or (
        ["sqlite", "postgres"] if os.environ.get("TEST_POSTGRES_URL") else ["sqlite"]
    )
    if "postgres" in databases and not os.environ.get("TEST_POSTGRES_URL"):
        raise pytest.UsageError("--db postgres needs TEST_POSTGRES_URL")
    return [f"{app}-{database}" for database in databases for app in apps]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        metafunc.parametrize("target", _targets(metafunc.config), scope="session")


def _worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(
    app: str, database: str, tmp_path_factory: pytest.TempPathFactory, label: str = ""
) -> str:
    """A fresh, empty database for one app: a SQLite file, or a new PostgreSQL database."""
    if database == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp(app) / 'conduit.db'}"
    server_url = make_url(os.environ["TEST_POSTGRES_URL"])
    name = f"conduit_test_{app}{label}_{_worker_suffix()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.set(database=name).render_as_string(hide_password=False)


def migrate(settings: Settings) -> None:
    """Bring a database to head with the project's one Alembic history."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["settings"] = settings
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


class Target:
    """One app under test: its client and, in-process, the app's engines (to count statements),
    a separate sync engine on the same database (to empty it between tests) and the app's
    per-process caches (emptied with it: the rows vanish behind the app's back)."""

    def __init__(
        self,
        name: str,
        client: httpx.Client,
        app_engines: tuple[Engine, ...] = (),
        cleaning_engine: Engine | None = None,
        caches: tuple[ArticleCaches, ...] = (),
    ) -> None:
        self.name = name
        self.client = client
        self.app_engines = app_engines
        self.cleaning_engine = cleaning_engine
        self.caches = caches

    def clean(self) -> None:
        if self.cleaning_engine is None:
            return
        with self.cleaning_engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
        for cache in self.caches:
            cache.clear()


def test_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings of an in-process app under test."""
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        environment="test",
        # Still argon2id, at a cost that lets the suite register hundreds of users quickly.
        password_hash_time_cost=1,
        password_hash_memory_kib=1024,
        password_hash_parallelism=1,
        # Link previews reach the upstream stand-in on 127.0.0.1, with short timings so that
        # timeouts, deadlines and breaker cool-downs are observable in seconds.
        link_preview_allowed_hosts="127.0.0.1",
        link_preview_timeout_seconds=0.5,
        link_preview_deadline_seconds=1.5,
        link_preview_retries=2,
        link_preview_backoff_seconds=0.05,
        link_preview_breaker_threshold=3,
        link_preview_breaker_cooldown_seconds=1.0,
        link_preview_concurrency=4,
        **overrides,
    )


@contextmanager
def app_in_process(app_name: str, settings: Settings) -> Iterator[tuple[httpx.Client, Any]]:
    """A client for a new instance of one app (flask or fastapi) in this process, and the app."""
    if app_name == "flask":
        from flask_app import create_app as create_flask_app

        flask_app = create_flask_app(settings)
        transport = ServerLikeWSGITransport(app=ServerLikePathInfo(flask_app))
        with httpx.Client(transport=transport, base_url="http://testserver") as client:
            yield client, flask_app
    else:
        from fastapi_app import create_app as create_fastapi_app

        fastapi_app = create_fastapi_app(settings)
        with TestClient(
            ServerLikeASGIPath(fastapi_app),
            base_url="http://testserver",
            raise_server_exceptions=False,
        ) as client:
            yield client, fastapi_app


def _engines_and_caches(app: Any) -> tuple[tuple[Engine, ...], tuple[ArticleCaches, ...]]:
    """The app's distinct engines (sync facades for FastAPI) and its caches."""
    if hasattr(app, "extensions"):  # Flask
        return tuple(set(app.extensions["db_engines"])), (app.extensions["read_caches"],)
    engines = tuple({engine.sync_engine for engine in app.state.db_engines})
    return engines, (app.state.read_caches,)


@contextmanager
def in_process_target(
    app_name: str,
    database: str,
    tmp_path_factory: pytest.TempPathFactory,
    label: str = "",
    **settings_overrides: Any,
) -> Iterator[Target]:
    """One app in-process on its own fresh, migrated database (sqlite or postgres).

    `label` keeps the PostgreSQL database apart from other targets of the same app.
    """
    database_url = _database_url(app_name, database, tmp_path_factory, label)
    settings = test_settings(database_url, **settings_overrides)
    migrate(settings)
    cleaning_engine = create_sync_engine(settings)
    try:
        with app_in_process(app_name, settings) as (client, app):
            engines, caches = _engines_and_caches(app)
            yield Target(f"{app_name}-{database}", client, engines, cleaning_engine, caches)
    finally:
        cleaning_engine.dispose()


@pytest.fixture(scope="session")
def app_target(
    target: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The app (or live server) a test runs against; one per session and target."""
    if target == "live":
        with httpx.Client(base_url=request.config.getoption("base_url"), timeout=30) as client:
            yield Target("live", client)
        return
    app_name, database = target.split("-")
    with in_process_target(app_name, database, tmp_path_factory) as app_under_test:
        yield app_under_test


@pytest.fixture
def api(app_target: Target) -> Api:
    """A client for the app under test, on an empty database (in-process targets)."""
    app_target.clean()
    return Api(app_target.name, app_target.client, app_target.app_engines)


@pytest.fixture
def another_worker(app_target: Target, api: Api) -> Iterator[Api]:
    """A second instance of the app under test on the same database, as a second worker process
    is (in-process targets only); it caches the tag list and the article count for 2 s."""
    if app_target.cleaning_engine is None:
        pytest.skip("a second worker needs the app under test in-process")
    database_url = app_target.cleaning_engine.url.render_as_string(hide_password=False)
    settings = test_settings(database_url, read_cache_seconds=ANOTHER_WORKER_CACHE_SECONDS)
    app_name = app_target.name.split("-")[0]
    with app_in_process(app_name, settings) as (client, app):
        engines, _caches = _engines_and_caches(app)
        yield Api(f"{app_target.name} (worker 2)", client, engines)


@pytest.fixture
def unique() -> Any:
    """Make names unique per test, so tests also pass against a shared live server."""

    def make(prefix: str) -> str:
        return f"{prefix}{uuid.uuid4().hex[:10]}"

    return make


def pytest_report_header(config: pytest.Config) -> str:
    return f"conduit targets: {', '.join(_targets(config))} (project root: {Path(PROJECT_ROOT)})"
