"""Fast bulk seeding for load tests: SQLAlchemy core inserts in batches, one precomputed argon2
hash for every user (password `password123`), deterministic for a given size and seed.

    uv run python -m loadtests.bulk_seed --users 1000 --articles 10000 --comments 50000 --tags 200

`reset_and_seed()` empties the database first: drops every table (and alembic_version), then
migrates with Alembic to head, so SQLite and PostgreSQL get the schema the apps expect.
Besides users, articles, comments and tags it writes follows (up to 5 per user), favorites (up
to 5 per user) and 1-3 tags per article.
"""

import argparse
import random
import time
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import Table
from sqlalchemy import text

from loadtests import bench_links
from shared.db import create_sync_engine
from shared.models import Article
from shared.models import Base
from shared.models import Comment
from shared.models import User
from shared.models import article_tags
from shared.models import favorites
from shared.models import follows
from shared.models import tag_table
from shared.security import hash_password
from shared.settings import Settings

PASSWORD = "password123"
BATCH = 5000
FOLLOWS_PER_USER = 5
FAVORITES_PER_USER = 5
WORDS = (
    "api", "database", "python", "cache", "queue", "latency", "schema", "index", "async",
    "thread", "worker", "token", "review", "deploy", "migration", "profile", "feed", "test",
)  # fmt: skip


@dataclass(frozen=True)
class Size:
    users: int = 1000
    articles: int = 10_000
    comments: int = 50_000
    tags: int = 200

    def describe(self) -> str:
        return (
            f"{self.users} users, {self.articles} articles, {self.comments} comments, "
            f"{self.tags} tags"
        )


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(engine: Engine, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    with engine.begin() as connection:
        for batch in _batches(rows):
            connection.execute(table.insert(), batch)
            count += len(batch)
    return count


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def reset(settings: Settings) -> None:
    """Drop every table, then migrate to head."""
    engine = create_sync_engine(settings)
    try:
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
    bench_links.migrate(settings)


def seed(settings: Settings, size: Size, seed_value: int = 42) -> dict[str, int]:
    """Insert `size` rows into a migrated, empty database; returns row counts per table."""
    rng = random.Random(seed_value)
    password_hash = hash_password(PASSWORD, settings)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    engine = create_sync_engine(settings)
    counts: dict[str, int] = {}
    try:
        counts["tags"] = _insert(
            engine, tag_table, ({"id": n + 1, "name": f"tag{n}"} for n in range(size.tags))
        )
        counts["users"] = _insert(
            engine,
            _table(User),
            (
                {
                    "id": n + 1,
                    "username": f"user{n}",
                    "email": f"user{n}@example.com",
                    "password_hash": password_hash,
                    "bio": None if n % 3 else f"Bio of user {n}",
                    "image": None,
                    "created_at": start + timedelta(minutes=n),
                    "updated_at": start + timedelta(minutes=n),
                }
                for n in range(size.users)
            ),
        )

        def articles() -> Iterator[dict[str, Any]]:
            for n in range(size.articles):
                created = start + timedelta(days=30, minutes=n)
                yield {
                    "id": n + 1,
                    "slug": f"article-{n}",
                    "title": f"Article {n}: {_sentence(rng, 4)}",
                    "description": _sentence(rng, 8),
                    "body": "\n\n".join(_sentence(rng, 30) for _ in range(3)),
                    "author_id": rng.randrange(size.users) + 1,
                    "created_at": created,
                    "updated_at": created,
                }

        counts["articles"] = _insert(engine, _table(Article), articles())

        def tagging() -> Iterator[dict[str, Any]]:
            if not size.tags:
                return
            for n in range(size.articles):
                for tag in rng.sample(range(size.tags), min(size.tags, rng.randint(1, 3))):
                    yield {"article_id": n + 1, "tag_id": tag + 1}

        counts["article_tags"] = _insert(engine, article_tags, tagging())

        def comments() -> Iterator[dict[str, Any]]:
            for n in range(size.comments):
                created = start + timedelta(days=400, seconds=n)
                yield {
                    "id": n + 1,
                    "body": _sentence(rng, 12),
                    "article_id": rng.randrange(size.articles) + 1,
                    "author_id": rng.randrange(size.users) + 1,
                    "created_at": created,
                    "updated_at": created,
                }

        counts["comments"] = _insert(
            engine, _table(Comment), comments() if size.articles else iter(())
        )

        def pairs(
            per_user: int, targets: int, exclude_self: bool, columns: Sequence[str]
        ) -> Iterator[dict[str, Any]]:
            for user in range(size.users):
                chosen = rng.sample(range(targets), min(targets, per_user))
                for target in chosen:
                    if exclude_self and target == user:
                        continue
                    yield {columns[0]: user + 1, columns[1]: target + 1}

        counts["follows"] = _insert(
            engine,
            follows,
            pairs(FOLLOWS_PER_USER, size.users, True, ("follower_id", "followed_id")),
        )
        counts["favorites"] = _insert(
            engine,
            favorites,
            pairs(FAVORITES_PER_USER, size.articles, False, ("user_id", "article_id")),
        )
        if engine.dialect.name == "postgresql":  # explicit ids: move the identity sequences on
            with engine.begin() as connection:
                for table in ("users", "articles", "comments", "tags"):
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                        )
                    )
        # As a database in service would be: planner statistics, and (PostgreSQL) the
        # visibility map that lets count(*) read only an index.
        statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()
    return counts


def reset_and_seed(settings: Settings, size: Size) -> dict[str, int]:
    reset(settings)
    return seed(settings, size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.bulk_seed")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=Size.users)
    parser.add_argument("--articles", type=int, default=Size.articles)
    parser.add_argument("--comments", type=int, default=Size.comments)
    parser.add_argument("--tags", type=int, default=Size.tags)
    arguments = parser.parse_args(argv)
    size = Size(arguments.users, arguments.articles, arguments.comments, arguments.tags)
    started = time.monotonic()
    counts = reset_and_seed(Settings(database_url=arguments.database_url), size)
    print(f"bulk-seed: {counts} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
