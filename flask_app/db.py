"""A plain SQLAlchemy Session per request, opened lazily and closed on teardown."""

from flask import Flask
from flask import current_app
from flask import g
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from shared.db import create_sync_engine
from shared.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    """Create the engine once per process and register the per-request teardown."""
    engine = create_sync_engine(settings)
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """The request's session, created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    session: Session = g.db_session
    return session


def close_session(_error: BaseException | None = None) -> None:
    """Return the connection to the pool at the end of the request."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
