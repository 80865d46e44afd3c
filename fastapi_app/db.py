"""An AsyncSession per request; services run on its sync facade through run_sync.

GET and HEAD requests only read: their sessions use the reading engine (shared.db), which on
PostgreSQL is a second pool in autocommit mode.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends
from fastapi import FastAPI
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.db import READ_ONLY_METHODS
from shared.db import create_async_db_engines
from shared.settings import Settings


def init_app(app: FastAPI, settings: Settings) -> None:
    """Create the engine once per process (connections open lazily, on first use)."""
    engine, reading_engine = create_async_db_engines(settings)
    app.state.db_engines = (engine, reading_engine)
    app.state.db_sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    app.state.db_reading_sessionmaker = async_sessionmaker(reading_engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the pool's connections when the server stops."""
    try:
        yield
    finally:
        for engine in set(app.state.db_engines):
            await engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; closed (connection returned to the pool) after the response."""
    reads_only = request.method in READ_ONLY_METHODS
    state = request.app.state
    maker = state.db_reading_sessionmaker if reads_only else state.db_sessionmaker
    async with maker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
