"""marshmallow schemas: request bodies (strict types, unknown fields ignored) and responses.

Every error message is the contract's own, set per field, so no framework wording leaks out.
"""

from typing import Any

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from shared import http
from shared import rules
from shared.timestamps import format_timestamp


class RequestSchema(Schema):
    """Base of request schemas: unknown fields are ignored, as pydantic does by default."""

    class Meta:
        unknown = EXCLUDE


def text(name: str, *, required: bool = False, allow_none: bool = False) -> fields.String:
    """A string field: anything else (number, boolean, list) is refused, never coerced."""
    return fields.String(
        required=required,
        allow_none=allow_none,
        error_messages={
            "required": http.blank(name),
            "null": http.blank(name),
            "invalid": http.not_a_string(name),
        },
    )


def text_list(name: str) -> fields.List[str]:
    message = http.not_a_string_list(name)
    item = fields.String(error_messages={"invalid": message, "null": message})
    return fields.List(item, data_key=name, error_messages={"invalid": message, "null": message})


def envelope(name: str, schema: type[Schema]) -> fields.Nested:
    """The wrapper object of every body, e.g. {"user": {...}}."""
    return fields.Nested(
        schema,
        required=True,
        error_messages={"required": http.blank(name), "null": http.blank(name)},
    )


def object_error(name: str) -> dict[str, str]:
    """A schema's message when its input is not a JSON object."""
    return {"type": http.not_an_object(name)}


class BodySchema(RequestSchema):
    error_messages = object_error("body")


class PageInteger(fields.Integer):
    """A query integer parsed by the shared rule: ASCII digits only, no sign, spaces or decimals."""

    def __init__(self, parse: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parse = parse

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        try:
            return int(self.parse(value))
        except ValueError as error:
            raise ValidationError(str(error)) from error


class Timestamp(fields.String):
    """The contract's one timestamp format (UTC, milliseconds, Z), documented as a string."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_timestamp(value)


class Strings(fields.List[str]):
    """A list of strings that are strings already (tag names): documented as List(String()),
    dumped as it is rather than through the String field item by item (200 tags, 200 calls)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.String(), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[str] | None:
        return None if value is None else list(value)


# Requests


class LoginUser(RequestSchema):
    error_messages = object_error("user")
    email = text("email", required=True)
    password = text("password", required=True)


class LoginRequest(BodySchema):
    user = envelope("user", LoginUser)


class NewUser(RequestSchema):
    error_messages = object_error("user")
    username = text("username", required=True)
    email = text("email", required=True)
    password = text("password", required=True)


class NewUserRequest(BodySchema):
    user = envelope("user", NewUser)


class UpdateUser(RequestSchema):
    error_messages = object_error("user")
    email = text("email", allow_none=True)
    password = text("password", allow_none=True)
    username = text("username", allow_none=True)
    bio = text("bio", allow_none=True)
    image = text("image", allow_none=True)


class UpdateUserRequest(BodySchema):
    user = envelope("user", UpdateUser)


def offset_field() -> PageInteger:
    return PageInteger(
        rules.parse_offset,
        load_default=0,
        validate=validate.Range(min=0, error=rules.OFFSET_MESSAGE),
    )


def limit_field() -> PageInteger:
    return PageInteger(
        rules.parse_limit,
        load_default=rules.LIMIT_DEFAULT,
        validate=validate.Range(min=1, max=rules.LIMIT_MAX, error=rules.LIMIT_MESSAGE),
    )


class ArticleQuery(RequestSchema):
    tag = text("tag")
    author = text("author")
    favorited = text("favorited")
    offset = offset_field()
    limit = limit_field()


class FeedQuery(RequestSchema):
    offset = offset_field()
    limit = limit_field()


class NewArticle(RequestSchema):
    error_messages = object_error("article")
    title = text("title", required=True)
    description = text("description", required=True)
    body = text("body", required=True)
    tag_list = text_list("tagList")


class NewArticleRequest(BodySchema):
    article = envelope("article", NewArticle)


class UpdateArticle(RequestSchema):
    error_messages = object_error("article")
    # null is let through to the shared rules, which answer "<field> can't be blank".
    title = text("title", allow_none=True)
    description = text("description", allow_none=True)
    body = text("body", allow_none=True)
    tag_list = text_list("tagList")


class UpdateArticleRequest(BodySchema):
    article = envelope("article", UpdateArticle)


class NewComment(RequestSchema):
    error_messages = object_error("comment")
    body = text("body", required=True)


class NewCommentRequest(BodySchema):
    comment = envelope("comment", NewComment)


# Responses


class ErrorBody(Schema):
    body = fields.List(fields.String(), required=True)


class GenericErrorModel(Schema):
    """The one error envelope: {"errors": {"body": [...]}}."""

    errors = fields.Nested(ErrorBody, required=True)


class User(Schema):
    email = fields.String(required=True)
    token = fields.String(required=True)
    username = fields.String(required=True)
    bio = fields.String(required=True, allow_none=True)
    image = fields.String(required=True, allow_none=True)


class UserResponse(Schema):
    user = fields.Nested(User, required=True)


class Profile(Schema):
    username = fields.String(required=True)
    bio = fields.String(required=True, allow_none=True)
    image = fields.String(required=True, allow_none=True)
    following = fields.Boolean(required=True)


class ProfileResponse(Schema):
    profile = fields.Nested(Profile, required=True)


class ArticleSummary(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    tag_list = Strings(data_key="tagList", required=True)
    created_at = Timestamp(data_key="createdAt", required=True)
    updated_at = Timestamp(data_key="updatedAt", required=True)
    favorited = fields.Boolean(required=True)
    favorites_count = fields.Integer(data_key="favoritesCount", required=True)
    author = fields.Nested(Profile, required=True)


class Article(ArticleSummary):
    body = fields.String(required=True)


class ArticleResponse(Schema):
    article = fields.Nested(Article, required=True)


class MultipleArticlesResponse(Schema):
    articles = fields.List(fields.Nested(ArticleSummary), required=True)
    articles_count = fields.Integer(data_key="articlesCount", required=True)


class Comment(Schema):
    id = fields.Integer(required=True)
    created_at = Timestamp(data_key="createdAt", required=True)
    updated_at = Timestamp(data_key="updatedAt", required=True)
    body = fields.String(required=True)
    author = fields.Nested(Profile, required=True)


class CommentResponse(Schema):
    comment = fields.Nested(Comment, required=True)


class MultipleCommentsResponse(Schema):
    comments = fields.List(fields.Nested(Comment), required=True)


class TagsResponse(Schema):
    tags = Strings(required=True)


class LinkPreview(Schema):
    url = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(["ok", "timeout", "error", "unavailable", "blocked", "stale"]),
    )
    title = fields.String(required=True, allow_none=True)
    http_status = fields.Integer(data_key="httpStatus", required=True, allow_none=True)


class LinksResponse(Schema):
    links = fields.List(fields.Nested(LinkPreview), required=True)
    links_count = fields.Integer(data_key="linksCount", required=True)
