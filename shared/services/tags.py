"""Tags: the list of tags in use (cached per process by the apps: shared.caching)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import article_tags
from shared.models import tag_table

_TAGS_IN_USE = select(tag_table.c.name).where(
    select(article_tags.c.tag_id).where(article_tags.c.tag_id == tag_table.c.id).exists()
)


def list_tags(session: Session) -> tuple[str, ...]:
    """Every tag that is on at least one article, sorted by code point like tagList.

    Sorted here rather than by ORDER BY, whose order depends on the database's collation.
    """
    return tuple(sorted(session.execute(_TAGS_IN_USE).scalars()))
