"""Engines for both apps from one DATABASE_URL: sync for Flask, async for FastAPI."""

from typing import Any

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine

from shared.settings import Settings


def sync_database_url(url: str) -> str:
    """The URL for a synchronous driver (pysqlite, psycopg 3)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def async_database_url(url: str) -> str:
    """The URL for an async driver: aiosqlite, or asyncpg (the least CPU per query)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    return url


# Requests with these methods only read: their sessions use the reading engine.
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


def _engine_options(url: str, settings: Settings, *, reading: bool) -> dict[str, Any]:
    if make_url(url).get_backend_name() == "sqlite":
        return {}
    # No pre-ping: it costs a round trip per checkout (per request). Connections are recycled
    # instead, and one that died with the server is dropped from the pool on its first error.
    options: dict[str, Any] = {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
        "pool_recycle": settings.database_pool_recycle_seconds,
    }
    if reading:
        # A read needs no transaction: no BEGIN and ROLLBACK round trips around it (each
        # statement still sees one consistent snapshot), and nothing to reset on return.
        options.update(isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
    return options


def _configure_sqlite(engine: Engine) -> None:
    """Enforce foreign keys and let several worker processes share one SQLite file."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _separate_reading_engine(settings: Settings) -> bool:
    """PostgreSQL gets a second pool, in autocommit mode, for requests that only read.

    SQLite's drivers begin no transaction for a SELECT anyway, and an in-memory SQLite
    database exists once per connection, so SQLite reads share the one engine.
    """
    return make_url(settings.database_url).get_backend_name() != "sqlite"


def create_sync_engine(settings: Settings, *, reading: bool = False) -> Engine:
    """The engine Flask, migrations and seeding use; `reading` for GET and HEAD requests."""
    url = sync_database_url(settings.database_url)
    engine = create_engine(url, **_engine_options(url, settings, reading=reading))
    _configure_sqlite(engine)
    return engine


def create_async_db_engine(settings: Settings, *, reading: bool = False) -> AsyncEngine:
    """The engine FastAPI uses (services still run on its sync facade via run_sync)."""
    url = async_database_url(settings.database_url)
    engine = create_async_engine(url, **_engine_options(url, settings, reading=reading))
    _configure_sqlite(engine.sync_engine)
    return engine


def create_sync_engines(settings: Settings) -> tuple[Engine, Engine]:
    """(engine, reading engine) for one app: the same engine on SQLite."""
    engine = create_sync_engine(settings)
    if not _separate_reading_engine(settings):
        return engine, engine
    return engine, create_sync_engine(settings, reading=True)


def create_async_db_engines(settings: Settings) -> tuple[AsyncEngine, AsyncEngine]:
    """(engine, reading engine) for one app: the same engine on SQLite."""
    engine = create_async_db_engine(settings)
    if not _separate_reading_engine(settings):
        return engine, engine
    return engine, create_async_db_engine(settings, reading=True)
