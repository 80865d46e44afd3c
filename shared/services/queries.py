"""SQL shared by the services: viewer-dependent columns are computed in the database."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import Table
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from shared.models import Article
from shared.models import Tag
from shared.models import User
from shared.models import article_tags
from shared.models import favorites
from shared.models import follows
from shared.views import ArticleSummary
from shared.views import ArticleView
from shared.views import ProfileView


def is_following(viewer_id: int | None, author_id: Any) -> ColumnElement[bool]:
    """EXISTS(viewer follows author), or a constant false for anonymous viewers."""
    if viewer_id is None:
        return false()
    return exists().where(follows.c.follower_id == viewer_id, follows.c.followed_id == author_id)


def profile_select(viewer_id: int | None) -> Select[Any]:
    """Columns of a profile for a viewer; callers add the WHERE."""
    return select(
        User.username, User.bio, User.image, is_following(viewer_id, User.id).label("following")
    )


def profile_from_row(row: Row[Any], prefix: str = "") -> ProfileView:
    mapping = row._mapping
    return ProfileView(
        username=mapping[f"{prefix}username"],
        bio=mapping[f"{prefix}bio"],
        image=mapping[f"{prefix}image"],
        following=bool(mapping[f"{prefix}following"]),
    )


def article_select(viewer_id: int | None, *, with_body: bool) -> Select[Any]:
    """One row per article with its author, favorite count and the viewer's flags."""
    favorites_count = (
        select(func.count())
        .select_from(favorites)
        .where(favorites.c.article_id == Article.id)
        .scalar_subquery()
    )
    favorited: ColumnElement[bool] = (
        false()
        if viewer_id is None
        else exists().where(favorites.c.article_id == Article.id, favorites.c.user_id == viewer_id)
    )
    columns: list[Any] = [
        Article.id,
        Article.slug,
        Article.title,
        Article.description,
        Article.created_at,
        Article.updated_at,
        favorites_count.label("favorites_count"),
        favorited.label("favorited"),
        User.username.label("author_username"),
        User.bio.label("author_bio"),
        User.image.label("author_image"),
        is_following(viewer_id, Article.author_id).label("author_following"),
    ]
    if with_body:
        columns.append(Article.body)
    return select(*columns).join(User, User.id == Article.author_id)


def tags_by_article(session: Session, article_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Tag names per article, sorted, in one statement whatever the number of articles."""
    if not article_ids:
        return {}
    rows = session.execute(
        select(article_tags.c.article_id, Tag.name)
        .join(Tag, Tag.id == article_tags.c.tag_id)
        .where(article_tags.c.article_id.in_(article_ids))
    )
    tags: defaultdict[int, list[str]] = defaultdict(list)
    for article_id, name in rows:
        tags[article_id].append(name)
    # Sorted by code point here: ORDER BY would follow the database's collation.
    return {article_id: tuple(sorted(names)) for article_id, names in tags.items()}


def summary_from_row(row: Row[Any], tag_list: tuple[str, ...]) -> ArticleSummary:
    return ArticleSummary(
        slug=row.slug,
        title=row.title,
        description=row.description,
        tag_list=tag_list,
        created_at=row.created_at,
        updated_at=row.updated_at,
        favorited=bool(row.favorited),
        favorites_count=row.favorites_count,
        author=profile_from_row(row, prefix="author_"),
    )


def article_from_row(row: Row[Any], tag_list: tuple[str, ...]) -> ArticleView:
    return ArticleView(
        slug=row.slug,
        title=row.title,
        description=row.description,
        body=row.body,
        tag_list=tag_list,
        created_at=row.created_at,
        updated_at=row.updated_at,
        favorited=bool(row.favorited),
        favorites_count=row.favorites_count,
        author=profile_from_row(row, prefix="author_"),
    )


def insert_ignoring_duplicates(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, so concurrent identical writes are idempotent."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(rows).on_conflict_do_nothing())
