"""Tags."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import Tag
from shared.models import article_tags


def list_tags(session: Session) -> tuple[str, ...]:
    """Every tag that is on at least one article, sorted by name."""
    in_use = select(article_tags.c.tag_id).where(article_tags.c.tag_id == Tag.id).exists()
    return tuple(session.execute(select(Tag.name).where(in_use).order_by(Tag.name)).scalars())
