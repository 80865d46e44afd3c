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
    """The URL for an async driver: aiosqlite, or psycopg 3 (which serves both modes)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    return sync_database_url(url)


def _engine_options(url: str, settings: Settings) -> dict[str, Any]:
    if make_url(url).get_backend_name() == "sqlite":
        return {}
    return {"pool_size": settings.database_pool_size, "pool_pre_ping": True}


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


def create_sync_engine(settings: Settings) -> Engine:
    """The engine Flask, migrations and seeding use."""
    url = sync_database_url(settings.database_url)
    engine = create_engine(url, **_engine_options(url, settings))
    _configure_sqlite(engine)
    return engine


def create_async_db_engine(settings: Settings) -> AsyncEngine:
    """The engine FastAPI uses; services still run on its sync facade via run_sync."""
    url = async_database_url(settings.database_url)
    engine = create_async_engine(url, **_engine_options(url, settings))
    _configure_sqlite(engine.sync_engine)
    return engine
