"""Read models: small frozen values that services return and adapters serialise."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class UserView:
    """The signed-in user as the API shows it (the token is added by the adapter)."""

    id: int
    username: str
    email: str
    bio: str | None
    image: str | None


@dataclass(frozen=True, slots=True)
class SignedInUser:
    """The current user with the token they authenticate with; the body of /api/user."""

    id: int
    username: str
    email: str
    bio: str | None
    image: str | None
    token: str

    @classmethod
    def of(cls, user: UserView, token: str) -> "SignedInUser":
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            bio=user.bio,
            image=user.image,
            token=token,
        )


@dataclass(frozen=True, slots=True)
class ProfileView:
    """A user as seen by a viewer: `following` is relative to that viewer."""

    username: str
    bio: str | None
    image: str | None
    following: bool


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """An article in a list or feed: everything but the body."""

    slug: str
    title: str
    description: str
    tag_list: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    favorited: bool
    favorites_count: int
    author: ProfileView


@dataclass(frozen=True, slots=True)
class ArticleView(ArticleSummary):
    """A single article, with its body."""

    body: str


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """One page of a list; `articles_count` is the total that matched, not the page length."""

    articles: tuple[ArticleSummary, ...]
    articles_count: int


@dataclass(frozen=True, slots=True)
class CommentView:
    """A comment with its author's profile as seen by the viewer."""

    id: int
    body: str
    created_at: datetime
    updated_at: datetime
    author: ProfileView


@dataclass(frozen=True, slots=True)
class LoginCandidate:
    """The user an email names, with the hash to check the password against."""

    user: UserView
    password_hash: str
