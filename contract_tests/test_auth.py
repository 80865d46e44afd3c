"""The Authorization header: `Token <jwt>`, and every way it can be wrong (E3)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest

from contract_tests.conftest import TEST_SECRET_KEY
from contract_tests.support import Account
from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.support import unique_name

MISSING_CREDENTIALS = "authorization is required: send 'Authorization: Token <jwt>'"
MALFORMED_HEADER = "authorization header must be 'Token <jwt>'"
INVALID_TOKEN = "token is invalid"
EXPIRED_TOKEN = "token has expired"


@dataclass(frozen=True)
class World:
    """An author with one article, and a reader who follows the author and favorited it."""

    author: Account
    reader: Account
    article: dict[str, Any]


@pytest.fixture
def world(api: Api) -> World:
    author = api.register()
    reader = api.register()
    article = api.create_article(author, tags=["auth"])
    api.follow(reader, author.username)
    api.favorite(reader, article["slug"])
    return World(author, reader, article)


@dataclass(frozen=True)
class Operation:
    """One operation to authenticate against: how to send it and what a valid answer is."""

    name: str
    method: str
    path: Callable[[World], str]
    protected: bool
    body: Callable[[], dict[str, Any]] | None = None

    def send(self, api: Api, world: World, headers: dict[str, str]) -> httpx.Response:
        json = self.body() if self.body else None
        return api.request(self.method, self.path(world), headers=headers, json=json)


def _new_article() -> dict[str, Any]:
    return {"article": {"title": unique_name("Auth "), "description": "d", "body": "b"}}


OPERATIONS = [
    Operation("get-user", "GET", lambda w: "/api/user", protected=True),
    Operation("create-article", "POST", lambda w: "/api/articles", True, _new_article),
    Operation("list-articles", "GET", lambda w: f"/api/articles?author={w.author.username}", False),
    Operation("get-profile", "GET", lambda w: f"/api/profiles/{w.author.username}", False),
    Operation("get-article", "GET", lambda w: f"/api/articles/{w.article['slug']}", False),
]
PROTECTED = [operation for operation in OPERATIONS if operation.protected]
OPTIONAL = [operation for operation in OPERATIONS if not operation.protected]


def by_name(operations: list[Operation]) -> Any:
    return pytest.mark.parametrize("operation", operations, ids=[op.name for op in operations])


def profile(account: Account, *, following: bool) -> dict[str, Any]:
    return {"username": account.username, "bio": None, "image": None, "following": following}


def as_seen(world: World, *, signed_in: bool) -> dict[str, Any]:
    """The article as the reader (signed in) or an anonymous client sees it."""
    return {
        **world.article,
        "favorited": signed_in,
        "favoritesCount": 1,
        "author": profile(world.author, following=signed_in),
    }


def expected_body(operation: Operation, world: World, *, signed_in: bool) -> dict[str, Any]:
    """What an optional-auth operation answers for the reader, or for an anonymous client."""
    if operation.name == "list-articles":
        summary = {k: v for k, v in as_seen(world, signed_in=signed_in).items() if k != "body"}
        return {"articles": [summary], "articlesCount": 1}
    if operation.name == "get-profile":
        return {"profile": profile(world.author, following=signed_in)}
    assert operation.name == "get-article"
    return {"article": as_seen(world, signed_in=signed_in)}


def user_id_of(account: Account) -> str:
    subject: str = jwt.decode(account.token, options={"verify_signature": False})["sub"]
    return subject


def claims(subject: str, *, expires_in: timedelta = timedelta(hours=1)) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"sub": subject, "iat": now, "exp": now + expires_in}


def altered_signature(token: str) -> str:
    """The same header and claims with one signature character changed (not the last one,
    whose low bits base64 decoders ignore)."""
    unsigned, signature = token.rsplit(".", 1)
    replacement = "A" if signature[0] != "A" else "B"
    return f"{unsigned}.{replacement}{signature[1:]}"


def assert_unauthorized(response: httpx.Response, message: str) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response) == [message]


def skip_on_live(api: Api) -> None:
    if api.name == "live":
        pytest.skip("needs the suite's signing key, unknown to a live server")


# No token


@by_name(PROTECTED)
def test_missing_token_on_a_protected_operation_is_401(
    api: Api, world: World, operation: Operation
) -> None:
    assert_unauthorized(operation.send(api, world, {}), MISSING_CREDENTIALS)


@by_name(OPTIONAL)
def test_missing_token_on_an_optional_auth_operation_answers_anonymously(
    api: Api, world: World, operation: Operation
) -> None:
    response = operation.send(api, world, {})
    assert response.status_code == 200
    assert response.json() == expected_body(operation, world, signed_in=False)


@by_name(OPTIONAL)
def test_valid_token_on_an_optional_auth_operation_answers_for_that_user(
    api: Api, world: World, operation: Operation
) -> None:
    response = operation.send(api, world, world.reader.headers)
    assert response.status_code == 200
    assert response.json() == expected_body(operation, world, signed_in=True)


def test_valid_token_on_a_protected_operation_is_accepted(api: Api, world: World) -> None:
    response = api.get("/api/user", user=world.reader)
    assert response.status_code == 200
    assert response.json()["user"]["username"] == world.reader.username
    created = api.post("/api/articles", user=world.reader, json=_new_article())
    assert created.status_code == 201
    assert created.json()["article"]["author"] == profile(world.reader, following=False)


# Malformed header

MALFORMED_HEADERS: list[tuple[str, Callable[[str], str]]] = [
    ("bearer-scheme", lambda token: f"Bearer {token}"),
    ("scheme-only", lambda token: "Token"),
    ("two-tokens", lambda token: f"Token {token} {token}"),
    ("token-a-b", lambda token: "Token a b"),
    ("jwt-alone", lambda token: token),
    ("empty", lambda token: ""),
]


@pytest.mark.parametrize(
    "make_header", [make for _, make in MALFORMED_HEADERS], ids=[n for n, _ in MALFORMED_HEADERS]
)
@by_name(OPERATIONS)
def test_malformed_authorization_header_is_401(
    api: Api, world: World, operation: Operation, make_header: Callable[[str], str]
) -> None:
    headers = {"Authorization": make_header(world.reader.token)}
    assert_unauthorized(operation.send(api, world, headers), MALFORMED_HEADER)


@pytest.mark.parametrize("scheme", ["token", "TOKEN", "tOkEn"])
def test_the_token_scheme_word_is_case_insensitive(api: Api, world: World, scheme: str) -> None:
    response = api.get("/api/user", headers={"Authorization": f"{scheme} {world.reader.token}"})
    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "email": world.reader.email,
            "token": world.reader.token,
            "username": world.reader.username,
            "bio": None,
            "image": None,
        }
    }


# Bad tokens

BAD_TOKENS: list[tuple[str, Callable[[Account], str]]] = [
    (
        "signed-with-another-key",
        lambda account: jwt.encode(
            claims(user_id_of(account)), "another-secret-key-0123456789abcdef", algorithm="HS256"
        ),
    ),
    (
        "alg-none",
        lambda account: jwt.encode(claims(user_id_of(account)), None, algorithm="none"),
    ),
    ("signature-stripped", lambda account: account.token.rsplit(".", 1)[0] + "."),
    ("signature-altered", lambda account: altered_signature(account.token)),
    ("garbage", lambda account: "not-a-jwt"),
    ("three-garbage-parts", lambda account: "abc.def.ghi"),
]


@pytest.mark.parametrize(
    "make_token", [make for _, make in BAD_TOKENS], ids=[name for name, _ in BAD_TOKENS]
)
@by_name(OPERATIONS)
def test_invalid_token_is_401_even_where_auth_is_optional(
    api: Api, world: World, operation: Operation, make_token: Callable[[Account], str]
) -> None:
    headers = {"Authorization": f"Token {make_token(world.reader)}"}
    assert_unauthorized(operation.send(api, world, headers), INVALID_TOKEN)


@by_name(OPERATIONS)
def test_expired_token_is_401(api: Api, world: World, operation: Operation) -> None:
    skip_on_live(api)
    expired = claims(user_id_of(world.reader), expires_in=timedelta(seconds=-10))
    expired["iat"] = datetime.now(UTC) - timedelta(hours=1)
    token = jwt.encode(expired, TEST_SECRET_KEY, algorithm="HS256")
    assert_unauthorized(
        operation.send(api, world, {"Authorization": f"Token {token}"}), EXPIRED_TOKEN
    )


@by_name(OPERATIONS)
def test_token_for_a_user_that_does_not_exist_is_401(
    api: Api, world: World, operation: Operation
) -> None:
    skip_on_live(api)
    token = jwt.encode(claims("987654321"), TEST_SECRET_KEY, algorithm="HS256")
    assert_unauthorized(
        operation.send(api, world, {"Authorization": f"Token {token}"}), INVALID_TOKEN
    )


def test_a_token_signed_with_the_suite_key_is_accepted(api: Api, world: World) -> None:
    """Proves the forged-token tests above differ from a valid token only by their flaw."""
    skip_on_live(api)
    token = jwt.encode(claims(user_id_of(world.reader)), TEST_SECRET_KEY, algorithm="HS256")
    response = api.get("/api/user", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    assert response.json()["user"]["token"] == token
