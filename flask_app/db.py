"""A plain SQLAlchemy Session per request, opened lazily and closed on teardown.

GET and HEAD requests only read: their sessions use the reading engine (shared.db), which on
PostgreSQL is a second pool in autocommit mode.
"""

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from shared.db import READ_ONLY_METHODS
from shared.db import create_sync_engines
from shared.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    """Create the engine once per process and register the per-request teardown."""
    engine, reading_engine = create_sync_engines(settings)
    app.extensions["db_engines"] = (engine, reading_engine)
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["db_reading_sessionmaker"] = sessionmaker(reading_engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """The request's session, created on first use."""
    if "db_session" not in g:
        reads_only = request.method in READ_ONLY_METHODS
        maker = "db_reading_sessionmaker" if reads_only else "db_sessionmaker"
        g.db_session = current_app.extensions[maker]()
    session: Session = g.db_session
    return session


def close_session(_error: BaseException | None = None) -> None:
    """Return the connection to the pool at the end of the request."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
