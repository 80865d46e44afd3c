"""Profiles and follows."""

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.errors import ValidationFailed
from shared.models import User
from shared.models import follows
from shared.services.queries import insert_ignoring_duplicates
from shared.services.queries import profile_from_row
from shared.services.queries import profile_select
from shared.views import ProfileView

PROFILE_NOT_FOUND = "profile not found"
CANNOT_FOLLOW_SELF = "you cannot follow yourself"


def get_profile(session: Session, *, username: str, viewer_id: int | None) -> ProfileView:
    """A user's public profile; `following` is relative to the viewer."""
    row = session.execute(profile_select(viewer_id).where(User.username == username)).first()
    if row is None:
        raise NotFound(PROFILE_NOT_FOUND)
    return profile_from_row(row)


def _user_id(session: Session, username: str) -> int:
    user_id = session.execute(select(User.id).where(User.username == username)).scalar()
    if user_id is None:
        raise NotFound(PROFILE_NOT_FOUND)
    return user_id


def follow(session: Session, *, username: str, follower_id: int) -> ProfileView:
    """Follow a user. Idempotent: following twice is not an error."""
    followed_id = _user_id(session, username)
    if followed_id == follower_id:
        raise ValidationFailed(CANNOT_FOLLOW_SELF)
    insert_ignoring_duplicates(
        session, follows, [{"follower_id": follower_id, "followed_id": followed_id}]
    )
    session.commit()
    return get_profile(session, username=username, viewer_id=follower_id)


def unfollow(session: Session, *, username: str, follower_id: int) -> ProfileView:
    """Stop following a user. Idempotent: unfollowing a stranger is not an error."""
    followed_id = _user_id(session, username)
    session.execute(
        delete(follows).where(
            follows.c.follower_id == follower_id, follows.c.followed_id == followed_id
        )
    )
    session.commit()
    return get_profile(session, username=username, viewer_id=follower_id)
