"""Articles: lists and feed, CRUD, favorites."""

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import rules
from shared.caching import Cached
from shared.errors import NotFound
from shared.errors import PermissionDenied
from shared.models import Article
from shared.models import Tag
from shared.models import article_tags
from shared.models import favorites
from shared.models import tag_table
from shared.rules import UNSET
from shared.rules import Unset
from shared.services import queries
from shared.timestamps import utc_now
from shared.views import ArticlePage
from shared.views import ArticleView

ARTICLE_NOT_FOUND = "article not found"
NOT_THE_AUTHOR = "only the author may change this article"


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """A new article that passed every rule that needs no database."""

    title: str
    description: str
    body: str
    tag_list: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArticleChanges:
    """Changes to an article that passed the rules; UNSET = unchanged."""

    title: str | Unset = UNSET
    description: str | Unset = UNSET
    body: str | Unset = UNSET
    tag_list: tuple[str, ...] | Unset = UNSET


def prepare_article(
    *, title: str, description: str, body: str, tag_list: Sequence[str] = ()
) -> ArticleDraft:
    """Check a new article: required texts not blank, lengths, tags normalised."""
    problems = rules.Problems()
    rules.check_text(problems, "title", title, maximum=rules.TITLE_MAX)
    rules.check_text(problems, "description", description, maximum=rules.DESCRIPTION_MAX)
    rules.check_text(problems, "body", body, maximum=rules.ARTICLE_BODY_MAX)
    tags = rules.normalize_tags(tag_list)
    rules.check_tags(problems, tags)
    problems.raise_if_any()
    return ArticleDraft(title=title, description=description, body=body, tag_list=tags)


def prepare_changes(
    *,
    title: str | Unset | None = UNSET,
    description: str | Unset | None = UNSET,
    body: str | Unset | None = UNSET,
    tag_list: Sequence[str] | Unset = UNSET,
) -> ArticleChanges:
    """Check changes: at least one field; a field that is sent may not be blank."""
    problems = rules.Problems()
    if all(value is UNSET for value in (title, description, body, tag_list)):
        problems.add("article must contain at least one field")
    for field, value, maximum in (
        ("title", title, rules.TITLE_MAX),
        ("description", description, rules.DESCRIPTION_MAX),
        ("body", body, rules.ARTICLE_BODY_MAX),
    ):
        if not isinstance(value, Unset):
            rules.check_text(problems, field, value, maximum=maximum)
    tags: tuple[str, ...] | Unset = UNSET
    if not isinstance(tag_list, Unset):
        tags = rules.normalize_tags(tag_list)
        rules.check_tags(problems, tags)
    problems.raise_if_any()
    return ArticleChanges(
        title=title or UNSET, description=description or UNSET, body=body or UNSET, tag_list=tags
    )


def _page(
    session: Session,
    *,
    shape: queries.ListShape,
    page: rules.Page,
    values: dict[str, Any],
    article_count: Cached[int] | None = None,
) -> ArticlePage:
    """One statement for the page, its tags and the total, whatever the page size.

    `article_count` caches the total of the unfiltered list: counting every article is most
    of the database's work for the home page (one index scan of the whole table).
    """
    count_cache = None if shape.filtered else article_count
    known_total = count_cache.fresh() if count_cache else None
    generation = count_cache.generation() if count_cache else 0
    shape = replace(shape, with_total=known_total is None)
    page_statement, count_statement = queries.list_statements(shape)
    values = {**values, "limit": page.limit, "offset": page.offset}
    rows = session.execute(page_statement, values).all()
    if known_total is not None:
        total = known_total
    elif rows:
        total = rows[0][0]
    elif page.offset == 0:
        total = 0
    else:  # past the end: the page has no row to carry the total
        total = session.execute(count_statement, values).scalar_one()
    if count_cache and known_total is None:
        count_cache.store(total, generation)
    return ArticlePage(
        articles=tuple(queries.summary_from_columns(row[1:]) for row in rows),
        articles_count=total,
    )


def list_articles(
    session: Session,
    *,
    viewer_id: int | None,
    page: rules.Page,
    tag: str | None = None,
    author: str | None = None,
    favorited: str | None = None,
    article_count: Cached[int] | None = None,
) -> ArticlePage:
    """Articles, newest first, filtered by tag, author and favoriting user (all combined).

    `article_count`: the caller's cache of the number of articles, for unfiltered lists.
    """
    values: dict[str, Any] = {"viewer_id": viewer_id, "author": author, "favorited": favorited}
    if tag is not None:
        values["tag"] = " ".join(tag.split()).lower()  # as tags are stored
    shape = queries.ListShape(
        viewer=viewer_id is not None,
        tag=tag is not None,
        author=author is not None,
        favorited=favorited is not None,
    )
    return _page(session, shape=shape, page=page, values=values, article_count=article_count)


def feed_articles(session: Session, *, viewer_id: int, page: rules.Page) -> ArticlePage:
    """Articles by the authors the viewer follows, newest first."""
    shape = queries.ListShape(viewer=True, feed=True)
    return _page(session, shape=shape, page=page, values={"viewer_id": viewer_id})


def get_article(session: Session, *, slug: str, viewer_id: int | None) -> ArticleView:
    """One article with its body; NotFound for an unknown slug."""
    statement = queries.article_statement(viewer=viewer_id is not None, with_body=True)
    row = session.execute(statement, {"slug": slug, "viewer_id": viewer_id}).first()
    if row is None:
        raise NotFound(ARTICLE_NOT_FOUND)
    return queries.article_from_columns(row)


def get_article_body(session: Session, *, slug: str) -> str:
    """Just the body of an article (for link previews); NotFound for an unknown slug."""
    body = session.execute(select(Article.body).where(Article.slug == slug)).scalar()
    if body is None:
        raise NotFound(ARTICLE_NOT_FOUND)
    return body


def _owned_article_id(session: Session, *, slug: str, user_id: int) -> int:
    """The id of an article the user wrote: NotFound before PermissionDenied."""
    row = session.execute(select(Article.id, Article.author_id).where(Article.slug == slug)).first()
    if row is None:
        raise NotFound(ARTICLE_NOT_FOUND)
    if row.author_id != user_id:
        raise PermissionDenied(NOT_THE_AUTHOR)
    return int(row.id)


def _free_slug(session: Session, title: str, *, exclude_id: int | None = None) -> str:
    base = rules.slugify(title)
    query = select(Article.slug).where(or_(Article.slug == base, Article.slug.like(f"{base}-%")))
    if exclude_id is not None:
        query = query.where(Article.id != exclude_id)
    return rules.numbered_slug(base, session.execute(query).scalars())


def _set_tags(session: Session, article_id: int, tag_list: tuple[str, ...]) -> None:
    session.execute(delete(article_tags).where(article_tags.c.article_id == article_id))
    if not tag_list:
        return
    queries.insert_ignoring_duplicates(
        session,
        tag_table,
        [{"name": name} for name in tag_list],
    )
    tag_ids = session.execute(select(Tag.id).where(Tag.name.in_(tag_list))).scalars()
    session.execute(
        article_tags.insert(), [{"article_id": article_id, "tag_id": tag_id} for tag_id in tag_ids]
    )


# Two writers can pick the same free slug; the unique index decides and the loser retries.
_SLUG_ATTEMPTS = 3


def create_article(session: Session, *, author_id: int, draft: ArticleDraft) -> ArticleView:
    """Publish an article under a slug derived from its title (numbered if taken)."""
    for attempt in range(_SLUG_ATTEMPTS):
        now = utc_now()
        article = Article(
            slug=_free_slug(session, draft.title),
            title=draft.title,
            description=draft.description,
            body=draft.body,
            author_id=author_id,
            created_at=now,
            updated_at=now,
        )
        session.add(article)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            if attempt == _SLUG_ATTEMPTS - 1:
                raise
            continue
        _set_tags(session, article.id, draft.tag_list)
        session.commit()
        return get_article(session, slug=article.slug, viewer_id=author_id)
    raise AssertionError("unreachable")


def update_article(
    session: Session, *, slug: str, user_id: int, changes: ArticleChanges
) -> ArticleView:
    """Change an article the user wrote; a new title gives a new slug."""
    article_id = _owned_article_id(session, slug=slug, user_id=user_id)
    values: dict[str, Any] = {
        field: value
        for field, value in (
            ("title", changes.title),
            ("description", changes.description),
            ("body", changes.body),
        )
        if not isinstance(value, Unset)
    }
    new_slug = slug
    if isinstance(changes.title, str):
        new_slug = _free_slug(session, changes.title, exclude_id=article_id)
        values["slug"] = new_slug
    values["updated_at"] = utc_now()
    session.execute(update(Article).where(Article.id == article_id).values(**values))
    if not isinstance(changes.tag_list, Unset):
        _set_tags(session, article_id, changes.tag_list)
    session.commit()
    return get_article(session, slug=new_slug, viewer_id=user_id)


def delete_article(session: Session, *, slug: str, user_id: int) -> None:
    """Delete an article the user wrote, with its comments, tags links and favorites."""
    article_id = _owned_article_id(session, slug=slug, user_id=user_id)
    session.execute(delete(Article).where(Article.id == article_id))
    session.commit()


def _article_id(session: Session, slug: str) -> int:
    article_id = session.execute(select(Article.id).where(Article.slug == slug)).scalar()
    if article_id is None:
        raise NotFound(ARTICLE_NOT_FOUND)
    return article_id


def favorite_article(session: Session, *, slug: str, user_id: int) -> ArticleView:
    """Favorite an article. Idempotent."""
    article_id = _article_id(session, slug)
    queries.insert_ignoring_duplicates(
        session, favorites, [{"user_id": user_id, "article_id": article_id}]
    )
    session.commit()
    return get_article(session, slug=slug, viewer_id=user_id)


def unfavorite_article(session: Session, *, slug: str, user_id: int) -> ArticleView:
    """Remove a favorite. Idempotent."""
    article_id = _article_id(session, slug)
    session.execute(
        delete(favorites).where(
            favorites.c.user_id == user_id, favorites.c.article_id == article_id
        )
    )
    session.commit()
    return get_article(session, slug=slug, viewer_id=user_id)


def article_id_for_slug(session: Session, *, slug: str) -> int:
    """The id behind a slug; NotFound if none (used by comments)."""
    return _article_id(session, slug)
