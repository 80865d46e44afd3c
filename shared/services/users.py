"""Registration, login and the current user."""

from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import rules
from shared.errors import AuthenticationFailed
from shared.models import User
from shared.models import user_table
from shared.rules import UNSET
from shared.rules import Unset
from shared.timestamps import utc_now
from shared.views import LoginCandidate
from shared.views import UserView

INVALID_CREDENTIALS = "email or password is invalid"
USER_NOT_FOUND = "token is invalid"


@dataclass(frozen=True, slots=True)
class NewUser:
    """Registration input that passed every rule that needs no database."""

    username: str
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Profile changes that passed every rule that needs no database; UNSET = unchanged."""

    username: str | Unset = UNSET
    email: str | Unset = UNSET
    password: str | Unset = UNSET
    bio: str | Unset | None = UNSET
    image: str | Unset | None = UNSET


def _view(user: User) -> UserView:
    return UserView(
        id=user.id, username=user.username, email=user.email, bio=user.bio, image=user.image
    )


def prepare_registration(*, username: str, email: str, password: str) -> NewUser:
    """Check the format of a registration before the (slow) password hash is computed."""
    problems = rules.Problems()
    rules.check_username(problems, username)
    rules.check_email(problems, email)
    rules.check_password(problems, password)
    problems.raise_if_any()
    return NewUser(username=username, email=rules.normalize_email(email), password=password)


def _check_taken(
    session: Session, *, username: str | None, email: str | None, exclude_id: int | None = None
) -> None:
    problems = rules.Problems()
    for field, column, value in (
        ("email", User.email, email),
        ("username", User.username, username),
    ):
        if value is None:
            continue
        query = select(User.id).where(column == value)
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        if session.execute(query.limit(1)).first() is not None:
            problems.add(f"{field} has already been taken")
    problems.raise_if_any()


def register(session: Session, *, new_user: NewUser, password_hash: str) -> UserView:
    """Create a user; 'already been taken' for a used email or username."""
    _check_taken(session, username=new_user.username, email=new_user.email)
    now = utc_now()
    user = User(
        username=new_user.username,
        email=new_user.email,
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        # A concurrent registration won the race; report it like the check above would.
        session.rollback()
        _check_taken(session, username=new_user.username, email=new_user.email)
        raise
    return _view(user)


def find_login_candidate(session: Session, *, email: str) -> LoginCandidate | None:
    """The user an email names and their password hash, or None."""
    user = session.execute(
        select(User).where(User.email == rules.normalize_email(email))
    ).scalar_one_or_none()
    if user is None:
        return None
    return LoginCandidate(user=_view(user), password_hash=user.password_hash)


def complete_login(candidate: LoginCandidate | None, *, password_ok: bool) -> UserView:
    """One answer for every failure, so a client cannot tell which field was wrong."""
    if candidate is None or not password_ok:
        raise AuthenticationFailed(INVALID_CREDENTIALS)
    return candidate.user


# Every authenticated request runs this: one cached Core statement, no ORM identity map.
_USER_BY_ID = select(
    user_table.c.id, user_table.c.username, user_table.c.email, user_table.c.bio, user_table.c.image
).where(user_table.c.id == bindparam("user_id"))


def get_user(session: Session, *, user_id: int) -> UserView:
    """The user a valid token names; AuthenticationFailed if it no longer exists."""
    row = session.execute(_USER_BY_ID, {"user_id": user_id}).first()
    if row is None:
        raise AuthenticationFailed(USER_NOT_FOUND)
    user_id, username, email, bio, image = row
    return UserView(id=user_id, username=username, email=email, bio=bio, image=image)


def prepare_update(
    *,
    username: str | Unset | None = UNSET,
    email: str | Unset | None = UNSET,
    password: str | Unset | None = UNSET,
    bio: str | Unset | None = UNSET,
    image: str | Unset | None = UNSET,
) -> UserChanges:
    """Check the format of profile changes; at least one field, none of the required ones null."""
    problems = rules.Problems()
    if all(value is UNSET for value in (username, email, password, bio, image)):
        problems.add("user must contain at least one field")
    # The spec's field order for UpdateUser: email, password, username, bio, image.
    if not isinstance(email, Unset):
        rules.check_email(problems, email)
    if not isinstance(password, Unset):
        rules.check_password(problems, password)
    if not isinstance(username, Unset):
        rules.check_username(problems, username)
    if isinstance(bio, str):
        rules.check_text(problems, "bio", bio, maximum=rules.BIO_MAX, required=False)
    if isinstance(image, str):
        rules.check_text(problems, "image", image, maximum=rules.IMAGE_MAX, required=False)
    problems.raise_if_any()
    # Past the checks, None is only possible for bio and image (it clears them).
    return UserChanges(
        username=username or UNSET,
        email=rules.normalize_email(email) if isinstance(email, str) else UNSET,
        password=password or UNSET,
        bio=bio,
        image=image,
    )


def update_user(
    session: Session, *, user_id: int, changes: UserChanges, password_hash: str | None
) -> UserView:
    """Apply changes to the current user; 'already been taken' for another user's email/name."""
    username = changes.username if isinstance(changes.username, str) else None
    email = changes.email if isinstance(changes.email, str) else None
    _check_taken(session, username=username, email=email, exclude_id=user_id)
    user = session.get(User, user_id)
    if user is None:
        raise AuthenticationFailed(USER_NOT_FOUND)
    for field in ("username", "email", "bio", "image"):
        value = getattr(changes, field)
        if not isinstance(value, Unset):
            setattr(user, field, value)
    if password_hash is not None:
        user.password_hash = password_hash
    user.updated_at = utc_now()
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        _check_taken(session, username=username, email=email, exclude_id=user_id)
        raise
    return _view(user)
