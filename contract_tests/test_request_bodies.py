"""What a request body must be before any field is read: JSON, an object, at most 1 MiB (R1, R2),
and only for operations that take one (R3).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from contract_tests.support import PASSWORD
from contract_tests.support import Account
from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.support import unique_name

MIB = 1024 * 1024
UNSUPPORTED_MEDIA_TYPE = "Content-Type must be application/json"
EMPTY_BODY = "request body is empty"
INVALID_JSON = "request body is not valid JSON"
BODY_TOO_LARGE = "request body is too large (maximum is 1 MiB)"
NOT_AN_OBJECT = "body must be an object"


class Context:
    """A signed-in user, registered on first use."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self._account: Account | None = None

    @property
    def account(self) -> Account:
        if self._account is None:
            self._account = self.api.register()
        return self._account


@pytest.fixture
def ctx(api: Api) -> Context:
    return Context(api)


@dataclass(frozen=True)
class Endpoint:
    """An operation that takes a JSON body, and a valid body for it."""

    name: str
    method: str
    path: str
    authenticated: bool
    success: int
    answer: str
    valid: Callable[[], dict[str, Any]]

    def send(
        self, ctx: Context, content: bytes, content_type: str | None = "application/json"
    ) -> httpx.Response:
        headers = {"Content-Type": content_type} if content_type is not None else {}
        user = ctx.account if self.authenticated else None
        return ctx.api.request(self.method, self.path, user=user, headers=headers, content=content)


def _new_user() -> dict[str, Any]:
    username = unique_name("body")
    return {
        "user": {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    }


def _new_article() -> dict[str, Any]:
    return {"article": {"title": unique_name("Body "), "description": "d", "body": "b"}}


ENDPOINTS = [
    Endpoint("register", "POST", "/api/users", False, 201, "user", _new_user),
    Endpoint("update-user", "PUT", "/api/user", True, 200, "user", lambda: {"user": {"bio": "b"}}),
    Endpoint("create-article", "POST", "/api/articles", True, 201, "article", _new_article),
]
with_endpoints = pytest.mark.parametrize(
    "endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS]
)


def encoded(body: Any) -> bytes:
    return json.dumps(body).encode()


def padded(body: dict[str, Any], size: int) -> bytes:
    """`body` plus an unknown top-level field that makes the JSON exactly `size` bytes."""
    without_padding = len(encoded({**body, "padding": ""}))
    content = encoded({**body, "padding": "x" * (size - without_padding)})
    assert len(content) == size
    return content


def assert_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    assert errors_of(response) == [message]


def assert_accepted(endpoint: Endpoint, response: httpx.Response, body: dict[str, Any]) -> None:
    """The operation succeeded with what the body asked for."""
    assert response.status_code == endpoint.success, response.text
    sent = body[endpoint.answer]
    answer = response.json()[endpoint.answer]
    assert {field: answer[field] for field in sent if field != "password"} == {
        field: value for field, value in sent.items() if field != "password"
    }


# R1: Content-Type


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "text/json",
        "application/problem+json",
    ],
    ids=["missing", "text-plain", "form-urlencoded", "multipart", "text-json", "problem-json"],
)
@with_endpoints
def test_a_body_that_is_not_declared_json_is_415(
    ctx: Context, endpoint: Endpoint, content_type: str | None
) -> None:
    response = endpoint.send(ctx, encoded(endpoint.valid()), content_type)
    assert_error(response, 415, UNSUPPORTED_MEDIA_TYPE)


def test_a_registration_refused_for_its_content_type_stores_nothing(ctx: Context) -> None:
    body = _new_user()
    refused = ENDPOINTS[0].send(ctx, encoded(body), "text/plain")
    assert refused.status_code == 415
    assert ctx.api.get(f"/api/profiles/{body['user']['username']}").status_code == 404


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8"],
)
@with_endpoints
def test_json_with_or_without_parameters_is_accepted(
    ctx: Context, endpoint: Endpoint, content_type: str
) -> None:
    body = endpoint.valid()
    assert_accepted(endpoint, endpoint.send(ctx, encoded(body), content_type), body)


# R2: empty, invalid, not an object, too large


@with_endpoints
def test_an_empty_body_is_400(ctx: Context, endpoint: Endpoint) -> None:
    assert_error(endpoint.send(ctx, b""), 400, EMPTY_BODY)


@pytest.mark.parametrize(
    "content",
    [
        b"{",
        b'{"user":',
        b"{'user': {}}",
        b'{"user": {}} trailing',
        b"undefined",
        b"\xff\xfe\xfd",
        b'{"user": {"username": "\xff\xfe"}}',
    ],
    ids=[
        "open-brace",
        "truncated",
        "single-quotes",
        "trailing-text",
        "bare-word",
        "invalid-utf8",
        "invalid-utf8-in-string",
    ],
)
@with_endpoints
def test_a_body_that_is_not_valid_json_is_400(
    ctx: Context, endpoint: Endpoint, content: bytes
) -> None:
    assert_error(endpoint.send(ctx, content), 400, INVALID_JSON)


@pytest.mark.parametrize(
    "content",
    [b"[]", b'[{"user": {}}]', b'"x"', b"1", b"null", b"true"],
    ids=["empty-array", "array-of-object", "string", "number", "null", "true"],
)
@with_endpoints
def test_a_json_value_that_is_not_an_object_is_422(
    ctx: Context, endpoint: Endpoint, content: bytes
) -> None:
    assert_error(endpoint.send(ctx, content), 422, NOT_AN_OBJECT)


@pytest.mark.parametrize("size", [MIB + 1, 2 * MIB], ids=["1MiB-plus-1", "2MiB"])
@with_endpoints
def test_a_body_over_1_mib_is_413(ctx: Context, endpoint: Endpoint, size: int) -> None:
    assert_error(endpoint.send(ctx, padded(endpoint.valid(), size)), 413, BODY_TOO_LARGE)


def test_a_registration_refused_for_its_size_stores_nothing(ctx: Context) -> None:
    body = _new_user()
    refused = ENDPOINTS[0].send(ctx, padded(body, MIB + 1))
    assert refused.status_code == 413
    assert ctx.api.get(f"/api/profiles/{body['user']['username']}").status_code == 404


@pytest.mark.parametrize("size", [MIB, 900 * 1024], ids=["exactly-1MiB", "900KiB"])
@with_endpoints
def test_a_body_up_to_1_mib_with_a_large_unknown_field_is_answered_normally(
    ctx: Context, endpoint: Endpoint, size: int
) -> None:
    body = endpoint.valid()
    assert_accepted(endpoint, endpoint.send(ctx, padded(body, size)), body)


def test_an_article_with_a_100_000_character_body_is_accepted(ctx: Context) -> None:
    text = "Long read. " * 9_090 + "0123456789"
    assert len(text) == 100_000
    body = {"article": {"title": unique_name("Long "), "description": "d", "body": text}}
    response = ENDPOINTS[2].send(ctx, encoded(body))
    assert response.status_code == 201
    assert response.json()["article"]["body"] == text
    slug = response.json()["article"]["slug"]
    assert ctx.api.get(f"/api/articles/{slug}").json()["article"]["body"] == text


# R3: operations without a body ignore one

IGNORED_BODIES = [
    pytest.param(b"{", "text/plain", id="invalid-json-as-text"),
    pytest.param(b"{", "application/json", id="invalid-json"),
    pytest.param(b"", "application/json", id="empty-json"),
    pytest.param(b"[1, 2]", "application/json", id="json-array"),
    pytest.param(b'{"user": {"email": "someone@example.com"}}', None, id="no-content-type"),
    pytest.param(b"\xff", "application/octet-stream", id="binary"),
    pytest.param(b"{" + b" " * (MIB + 1) + b"}", "application/json", id="over-1MiB"),
]


@dataclass(frozen=True)
class Scene:
    author: Account
    reader: Account
    article: dict[str, Any]
    comment: dict[str, Any]


@pytest.fixture
def scene(api: Api) -> Scene:
    author = api.register()
    reader = api.register()
    article = api.create_article(author)
    comment = api.add_comment(reader, article["slug"])
    return Scene(author, reader, article, comment)


def send_raw(
    api: Api, method: str, path: str, user: Account, content: bytes, content_type: str | None
) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    return api.request(method, path, user=user, headers=headers, content=content)


def profile(account: Account, *, following: bool) -> dict[str, Any]:
    return {"username": account.username, "bio": None, "image": None, "following": following}


@pytest.mark.parametrize(("content", "content_type"), IGNORED_BODIES)
def test_follow_and_unfollow_ignore_any_body(
    api: Api, scene: Scene, content: bytes, content_type: str | None
) -> None:
    path = f"/api/profiles/{scene.author.username}/follow"
    followed = send_raw(api, "POST", path, scene.reader, content, content_type)
    assert followed.status_code == 200
    assert followed.json() == {"profile": profile(scene.author, following=True)}
    unfollowed = send_raw(api, "DELETE", path, scene.reader, content, content_type)
    assert unfollowed.status_code == 200
    assert unfollowed.json() == {"profile": profile(scene.author, following=False)}


@pytest.mark.parametrize(("content", "content_type"), IGNORED_BODIES)
def test_favorite_and_unfavorite_ignore_any_body(
    api: Api, scene: Scene, content: bytes, content_type: str | None
) -> None:
    path = f"/api/articles/{scene.article['slug']}/favorite"
    favorited = send_raw(api, "POST", path, scene.reader, content, content_type)
    assert favorited.status_code == 200
    assert favorited.json() == {
        "article": {**scene.article, "favorited": True, "favoritesCount": 1}
    }
    unfavorited = send_raw(api, "DELETE", path, scene.reader, content, content_type)
    assert unfavorited.status_code == 200
    assert unfavorited.json() == {"article": scene.article}


@pytest.mark.parametrize(("content", "content_type"), IGNORED_BODIES)
def test_reads_ignore_any_body(
    api: Api, scene: Scene, content: bytes, content_type: str | None
) -> None:
    current = send_raw(api, "GET", "/api/user", scene.author, content, content_type)
    assert current.status_code == 200
    assert current.json()["user"]["username"] == scene.author.username
    article = send_raw(
        api, "GET", f"/api/articles/{scene.article['slug']}", scene.author, content, content_type
    )
    assert article.status_code == 200
    assert article.json() == {"article": scene.article}


@pytest.mark.parametrize(("content", "content_type"), IGNORED_BODIES)
def test_deletes_ignore_any_body(
    api: Api, scene: Scene, content: bytes, content_type: str | None
) -> None:
    slug = scene.article["slug"]
    comment_path = f"/api/articles/{slug}/comments/{scene.comment['id']}"
    deleted_comment = send_raw(api, "DELETE", comment_path, scene.reader, content, content_type)
    assert deleted_comment.status_code == 204
    assert deleted_comment.content == b""
    assert api.get(f"/api/articles/{slug}/comments").json() == {"comments": []}
    deleted = send_raw(api, "DELETE", f"/api/articles/{slug}", scene.author, content, content_type)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.get(f"/api/articles/{slug}").status_code == 404
