"""The one Alembic history builds exactly the schema the models declare, and unwinds cleanly.

Domain-level (no app involved), on each database the suite runs on.
"""

import os
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.engine import make_url

from shared.db import create_sync_engine
from shared.models import Base
from shared.settings import PROJECT_ROOT
from shared.settings import Settings

DATABASES = ["sqlite"] + (["postgres"] if os.environ.get("TEST_POSTGRES_URL") else [])


def _fresh_database(database: str, tmp_path: Path) -> Settings:
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    else:
        server = make_url(os.environ["TEST_POSTGRES_URL"])
        name = f"conduit_migrations_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = server.set(database=name).render_as_string(hide_password=False)
    return Settings(database_url=url, secret_key="x" * 32, environment="test")


def _alembic(settings: Settings) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["settings"] = settings
    config.attributes["configure_logging"] = False
    return config


@pytest.mark.parametrize("database", DATABASES)
def test_migrations_reach_the_models_schema_and_back(database: str, tmp_path: Path) -> None:
    settings = _fresh_database(database, tmp_path)
    config = _alembic(settings)
    engine = create_sync_engine(settings)

    command.upgrade(config, "head")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []

    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
