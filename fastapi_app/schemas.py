"""pydantic models: request bodies (strict types, unknown fields ignored) and responses.

Error messages are rewritten to the contract's in errors.py, so no framework wording leaks out.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from typing import Literal

from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import PlainSerializer
from pydantic.alias_generators import to_camel

from shared import rules
from shared.timestamps import format_timestamp


class RequestModel(BaseModel):
    """Base of request models: strict types (no "1" -> 1), unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class ResponseModel(BaseModel):
    """Base of response models: built from the domain's read models, camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, from_attributes=True)


Timestamp = Annotated[datetime, PlainSerializer(format_timestamp, return_type=str)]


def _parsed_by(parser: Callable[[str], int]) -> BeforeValidator:
    """Run the shared query-integer rule on the raw string before pydantic sees it."""
    return BeforeValidator(lambda raw: parser(raw) if isinstance(raw, str) else raw)


Offset = Annotated[int, Field(ge=0), _parsed_by(rules.parse_offset)]
Limit = Annotated[int, Field(ge=1, le=rules.LIMIT_MAX), _parsed_by(rules.parse_limit)]


# Requests


class LoginUser(RequestModel):
    email: str
    password: str


class LoginRequest(RequestModel):
    user: LoginUser


class NewUser(RequestModel):
    username: str
    email: str
    password: str


class NewUserRequest(RequestModel):
    user: NewUser


class UpdateUser(RequestModel):
    email: str | None = None
    password: str | None = None
    username: str | None = None
    bio: str | None = None
    image: str | None = None


class UpdateUserRequest(RequestModel):
    user: UpdateUser


class ArticleQuery(RequestModel):
    # Query strings are text: strictness comes from the shared parsers, not pydantic's mode.
    model_config = ConfigDict(strict=False, extra="ignore")
    tag: str | None = None
    author: str | None = None
    favorited: str | None = None
    offset: Offset = 0
    limit: Limit = rules.LIMIT_DEFAULT


class FeedQuery(RequestModel):
    model_config = ConfigDict(strict=False, extra="ignore")
    offset: Offset = 0
    limit: Limit = rules.LIMIT_DEFAULT


class NewArticle(RequestModel):
    title: str
    description: str
    body: str
    tag_list: list[str] = Field(default_factory=list, alias="tagList")


class NewArticleRequest(RequestModel):
    article: NewArticle


class UpdateArticle(RequestModel):
    # null is let through to the shared rules, which answer "<field> can't be blank".
    title: str | None = None
    description: str | None = None
    body: str | None = None
    tag_list: list[str] = Field(default_factory=list, alias="tagList")


class UpdateArticleRequest(RequestModel):
    article: UpdateArticle


class NewComment(RequestModel):
    body: str


class NewCommentRequest(RequestModel):
    comment: NewComment


# Responses


class ErrorBody(BaseModel):
    body: list[str]


class GenericErrorModel(BaseModel):
    """The one error envelope: {"errors": {"body": [...]}}."""

    errors: ErrorBody


class User(ResponseModel):
    email: str
    token: str
    username: str
    bio: str | None
    image: str | None


class UserResponse(ResponseModel):
    user: User


class Profile(ResponseModel):
    username: str
    bio: str | None
    image: str | None
    following: bool


class ProfileResponse(ResponseModel):
    profile: Profile


class ArticleSummary(ResponseModel):
    slug: str
    title: str
    description: str
    tag_list: list[str]
    created_at: Timestamp
    updated_at: Timestamp
    favorited: bool
    favorites_count: int
    author: Profile


class Article(ArticleSummary):
    body: str


class ArticleResponse(ResponseModel):
    article: Article


class MultipleArticlesResponse(ResponseModel):
    articles: list[ArticleSummary]
    articles_count: int


class Comment(ResponseModel):
    id: int
    created_at: Timestamp
    updated_at: Timestamp
    body: str
    author: Profile


class CommentResponse(ResponseModel):
    comment: Comment


class MultipleCommentsResponse(ResponseModel):
    comments: list[Comment]


class TagsResponse(ResponseModel):
    tags: list[str]


class LinkPreview(ResponseModel):
    url: str
    status: Literal["ok", "timeout", "error", "unavailable", "blocked", "stale"]
    title: str | None
    http_status: int | None


class LinksResponse(ResponseModel):
    links: list[LinkPreview]
    links_count: int
