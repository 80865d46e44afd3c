"""Alembic environment: the URL comes from shared.settings, the schema from shared.models."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from shared.db import create_sync_engine
from shared.models import Base
from shared.settings import Settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    # render_as_batch lets ALTER work on SQLite (copy-and-move), and is a no-op on PostgreSQL.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # Tests hand over their own connection.
        run_migrations(connection)
        return
    settings = config.attributes.get("settings") or Settings()
    engine = create_sync_engine(settings)
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()


run_migrations_online()
