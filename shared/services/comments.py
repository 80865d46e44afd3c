"""Comments on articles."""

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import rules
from shared.errors import NotFound
from shared.errors import PermissionDenied
from shared.models import Comment
from shared.models import User
from shared.services import queries
from shared.services.articles import article_id_for_slug
from shared.timestamps import utc_now
from shared.views import CommentView

COMMENT_NOT_FOUND = "comment not found"
NOT_THE_COMMENTER = "only the author may delete this comment"


def _comment_select(viewer_id: int | None):  # type: ignore[no-untyped-def]
    return select(
        Comment.id,
        Comment.body,
        Comment.created_at,
        Comment.updated_at,
        User.username,
        User.bio,
        User.image,
        queries.is_following(viewer_id, Comment.author_id).label("following"),
    ).join(User, User.id == Comment.author_id)


def _view(row) -> CommentView:  # type: ignore[no-untyped-def]
    return CommentView(
        id=row.id,
        body=row.body,
        created_at=row.created_at,
        updated_at=row.updated_at,
        author=queries.profile_from_row(row),
    )


def prepare_comment(*, body: str) -> str:
    """Check a comment body: not blank, not too long."""
    problems = rules.Problems()
    rules.check_text(problems, "body", body, maximum=rules.COMMENT_BODY_MAX)
    problems.raise_if_any()
    return body


def list_comments(session: Session, *, slug: str, viewer_id: int | None) -> tuple[CommentView, ...]:
    """Comments on an article, newest first."""
    article_id = article_id_for_slug(session, slug=slug)
    rows = session.execute(
        _comment_select(viewer_id)
        .where(Comment.article_id == article_id)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    return tuple(_view(row) for row in rows)


def add_comment(session: Session, *, slug: str, author_id: int, body: str) -> CommentView:
    """Comment on an article."""
    article_id = article_id_for_slug(session, slug=slug)
    now = utc_now()
    comment = Comment(
        body=body, article_id=article_id, author_id=author_id, created_at=now, updated_at=now
    )
    session.add(comment)
    session.commit()
    row = session.execute(_comment_select(author_id).where(Comment.id == comment.id)).one()
    return _view(row)


def delete_comment(session: Session, *, slug: str, comment_id: int, user_id: int) -> None:
    """Delete one's own comment; the comment must belong to the article the slug names."""
    article_id = article_id_for_slug(session, slug=slug)
    if comment_id > rules.ID_MAX:
        raise NotFound(COMMENT_NOT_FOUND)
    author_id = session.execute(
        select(Comment.author_id).where(Comment.id == comment_id, Comment.article_id == article_id)
    ).scalar()
    if author_id is None:
        raise NotFound(COMMENT_NOT_FOUND)
    if author_id != user_id:
        raise PermissionDenied(NOT_THE_COMMENTER)
    session.execute(delete(Comment).where(Comment.id == comment_id))
    session.commit()
