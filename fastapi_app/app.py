"""Application factory: settings, database, error handlers, request guards, routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fastapi_app import caches
from fastapi_app import db
from fastapi_app import errors
from fastapi_app import guards
from fastapi_app import link_previews
from fastapi_app.routes import articles
from fastapi_app.routes import comments
from fastapi_app.routes import links
from fastapi_app.routes import profiles
from fastapi_app.routes import tags
from fastapi_app.routes import users
from shared.logs import configure_logging
from shared.settings import Settings
from shared.settings import get_settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Per-process resources: the database pool and the link previewer's HTTP client."""
    async with db.lifespan(app), link_previews.lifespan(app):
        yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app; `settings` defaults to the environment."""
    settings = settings or get_settings()
    configure_logging(settings)

    app = FastAPI(
        title="Conduit (FastAPI)",
        version="1.1.0",
        lifespan=lifespan,
        # Flask never redirects /api/articles/ to /api/articles; neither do we.
        redirect_slashes=False,
    )
    app.state.settings = settings

    db.init_app(app, settings)
    caches.init_app(app, settings)
    errors.init_app(app)
    guards.init_app(app)
    for module in (users, profiles, articles, comments, tags, links):
        app.include_router(module.router)
    return app
