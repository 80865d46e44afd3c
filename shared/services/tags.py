"""Tags."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import Tag
from shared.models import article_tags


def list_tags(session: Session) -> tuple[str, ...]:
    """Every tag that is on at least one article, sorted by code point like tagList.

    Sorted here rather than by ORDER BY, whose order depends on the database's collation.
    """
    in_use = select(article_tags.c.tag_id).where(article_tags.c.tag_id == Tag.id).exists()
    return tuple(sorted(session.execute(select(Tag.name).where(in_use)).scalars()))
