"""SQL shared by the services: viewer-dependent columns are computed in the database."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BindParameter
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import null
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from shared.models import User
from shared.models import article_table
from shared.models import article_tags
from shared.models import favorites
from shared.models import follows
from shared.models import tag_table
from shared.models import user_table
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


# Tag names of an article travel as one string, joined by a character no tag can contain:
# rules.normalize_tags splits tags on whitespace, and U+001F counts as whitespace in Python.
TAG_SEPARATOR = "\x1f"
assert TAG_SEPARATOR.isspace()

# The hot reads below are built once per shape and cached: every value is a bound parameter,
# so SQLAlchemy reuses the statement's cache key and compiled SQL, and no ORM is involved.
_NEWEST_FIRST = (article_table.c.created_at.desc(), article_table.c.id.desc())


@dataclass(frozen=True, slots=True)
class ListShape:
    """Which filters a list of articles has; each shape is one cached statement."""

    viewer: bool = False
    tag: bool = False
    author: bool = False
    favorited: bool = False
    feed: bool = False
    with_total: bool = True  # False: the caller knows the total (null in its column)

    @property
    def filtered(self) -> bool:
        return self.tag or self.author or self.favorited or self.feed


def _list_conditions(shape: ListShape) -> list[ColumnElement[bool]]:
    """WHERE clauses on `articles` only, so the count and the page use the same ones."""
    conditions: list[ColumnElement[bool]] = []
    if shape.tag:
        conditions.append(
            article_table.c.id.in_(
                select(article_tags.c.article_id)
                .join(tag_table, tag_table.c.id == article_tags.c.tag_id)
                .where(tag_table.c.name == bindparam("tag"))
            )
        )
    if shape.author:
        conditions.append(
            article_table.c.author_id
            == select(user_table.c.id)
            .where(user_table.c.username == bindparam("author"))
            .scalar_subquery()
        )
    if shape.favorited:
        conditions.append(
            article_table.c.id.in_(
                select(favorites.c.article_id)
                .join(user_table, user_table.c.id == favorites.c.user_id)
                .where(user_table.c.username == bindparam("favorited"))
            )
        )
    if shape.feed:
        conditions.append(
            article_table.c.author_id.in_(
                select(follows.c.followed_id).where(follows.c.follower_id == bindparam("viewer_id"))
            )
        )
    return conditions


def _article_columns(viewer: bool) -> list[ColumnElement[Any]]:
    """An article with its author, tags, favorite count and the viewer's flags (in SQL)."""
    article_id = article_table.c.id
    tag_names = (
        select(func.aggregate_strings(tag_table.c.name, TAG_SEPARATOR))
        .select_from(article_tags.join(tag_table, tag_table.c.id == article_tags.c.tag_id))
        .where(article_tags.c.article_id == article_id)
        .scalar_subquery()
    )
    favorites_count = (
        select(func.count())
        .select_from(favorites)
        .where(favorites.c.article_id == article_id)
        .scalar_subquery()
    )
    favorited: ColumnElement[bool] = false()
    following: ColumnElement[bool] = false()
    if viewer:
        viewer_id: BindParameter[int] = bindparam("viewer_id")
        favorited = exists().where(
            favorites.c.article_id == article_id, favorites.c.user_id == viewer_id
        )
        following = exists().where(
            follows.c.follower_id == viewer_id,
            follows.c.followed_id == article_table.c.author_id,
        )
    return [
        article_table.c.slug,
        article_table.c.title,
        article_table.c.description,
        article_table.c.created_at,
        article_table.c.updated_at,
        favorited.label("favorited"),
        favorites_count.label("favorites_count"),
        user_table.c.username,
        user_table.c.bio,
        user_table.c.image,
        following.label("following"),
        tag_names.label("tag_names"),
    ]


@cache
def list_statements(shape: ListShape) -> tuple[Select[Any], Select[Any]]:
    """(page, count) for a list shape; bound: limit, offset, and the shape's filter values.

    The page is one statement: the ids of the page (a derived table, so per-article
    subqueries run for the page's rows only), their columns, and the total as a scalar
    subquery. The count alone is needed only when the page is empty and the offset is not 0.
    """
    conditions = _list_conditions(shape)
    count = select(func.count()).select_from(article_table).where(*conditions)
    page_ids = (
        select(article_table.c.id)
        .where(*conditions)
        .order_by(*_NEWEST_FIRST)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("page_ids")
    )
    total = count.scalar_subquery() if shape.with_total else null()
    page = (
        select(total.label("total"), *_article_columns(shape.viewer))
        .select_from(
            page_ids.join(article_table, article_table.c.id == page_ids.c.id).join(
                user_table, user_table.c.id == article_table.c.author_id
            )
        )
        .order_by(*_NEWEST_FIRST)
    )
    return page, count


@cache
def article_statement(*, viewer: bool, with_body: bool) -> Select[Any]:
    """One article by slug (bound: slug, and viewer_id when `viewer`)."""
    columns = _article_columns(viewer)
    if with_body:
        columns.append(article_table.c.body)
    return (
        select(*columns)
        .select_from(article_table.join(user_table, user_table.c.id == article_table.c.author_id))
        .where(article_table.c.slug == bindparam("slug"))
    )


def _tag_list(tag_names: str | None) -> tuple[str, ...]:
    # Sorted by code point here: an ORDER BY would follow the database's collation.
    return tuple(sorted(tag_names.split(TAG_SEPARATOR))) if tag_names else ()


def _summary_fields(columns: Sequence[Any]) -> dict[str, Any]:
    """The fields of an ArticleSummary from the columns of `_article_columns`, in that order."""
    (slug, title, description, created_at, updated_at, favorited, favorites_count) = columns[:7]
    username, bio, image, following, tag_names = columns[7:12]
    return {
        "slug": slug,
        "title": title,
        "description": description,
        "tag_list": _tag_list(tag_names),
        "created_at": created_at,
        "updated_at": updated_at,
        "favorited": bool(favorited),
        "favorites_count": favorites_count,
        "author": ProfileView(username=username, bio=bio, image=image, following=bool(following)),
    }


def summary_from_columns(columns: Sequence[Any]) -> ArticleSummary:
    """An ArticleSummary from the columns of `_article_columns`."""
    return ArticleSummary(**_summary_fields(columns))


def article_from_columns(columns: Sequence[Any]) -> ArticleView:
    """An ArticleView from the columns of `_article_columns` followed by the body."""
    return ArticleView(**_summary_fields(columns), body=columns[12])


def insert_ignoring_duplicates(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, so concurrent identical writes are idempotent."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(rows).on_conflict_do_nothing())
