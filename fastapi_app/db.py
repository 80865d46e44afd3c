"""An AsyncSession per request; services run on its sync facade through run_sync."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends
from fastapi import FastAPI
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from shared.db import create_async_db_engine
from shared.settings import Settings


def init_app(app: FastAPI, settings: Settings) -> None:
    """Create the engine once per process (connections open lazily, on first use)."""
    engine = create_async_db_engine(settings)
    app.state.db_engine = engine
    app.state.db_sessionmaker = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the pool's connections when the server stops."""
    try:
        yield
    finally:
        await app.state.db_engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; closed (connection returned to the pool) after the response."""
    async with request.app.state.db_sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
