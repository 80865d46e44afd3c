"""An AsyncSession per request, opened lazily and closed when the response is sent; services
run on its sync facade through run_sync.

GET and HEAD requests only read: their sessions use the reading engine (shared.db), which on
PostgreSQL is a second pool in autocommit mode.

The session is closed by a small pure ASGI middleware rather than by a `yield` dependency, as
Flask closes it on teardown: a `yield` dependency costs about as much CPU per request as the
rest of a cached answer (`GET /api/tags`), and a path operation that can answer from a cache
should not open a session at all.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends
from fastapi import FastAPI
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from shared.db import READ_ONLY_METHODS
from shared.db import create_async_db_engines
from shared.settings import Settings


def init_app(app: FastAPI, settings: Settings) -> None:
    """Create the engines once per process (connections open lazily, on first use)."""
    engine, reading_engine = create_async_db_engines(settings)
    app.state.db_engines = (engine, reading_engine)
    app.state.db_sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    app.state.db_reading_sessionmaker = async_sessionmaker(reading_engine, expire_on_commit=False)
    app.add_middleware(CloseSessionMiddleware)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the pools' connections when the server stops."""
    try:
        yield
    finally:
        for engine in set(app.state.db_engines):
            await engine.dispose()


class RequestSession:
    """The request's session, if it has one yet (kept in the ASGI scope by the middleware)."""

    __slots__ = ("session",)

    def __init__(self) -> None:
        self.session: AsyncSession | None = None


_SCOPE_KEY = "conduit.db_session"


async def get_session(request: Request) -> AsyncSession:
    """The request's session, created on first use."""
    holder: RequestSession = request.scope[_SCOPE_KEY]
    if holder.session is None:
        state = request.app.state
        reads_only = request.method in READ_ONLY_METHODS
        maker = state.db_reading_sessionmaker if reads_only else state.db_sessionmaker
        holder.session = maker()
    return holder.session


class CloseSessionMiddleware:
    """Return the request's connection to the pool once the response is sent (or failed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Routing may copy the scope; every copy shares this holder.
        holder = scope[_SCOPE_KEY] = RequestSession()
        try:
            await self.app(scope, receive, send)
        finally:
            if holder.session is not None:
                await holder.session.close()


SessionDep = Annotated[AsyncSession, Depends(get_session)]
