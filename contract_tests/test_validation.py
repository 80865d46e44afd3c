"""Body validation for every operation that takes one: types (R4), unknown fields (R5), text rules
(R8), the order of messages (E2), taken names (E7), and that a refused request stores nothing.
"""

import uuid
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

USERNAME_CHARSET = "username may only contain letters, digits, '.', '_' and '-'"


def unique_text(length: int) -> str:
    """A string of exactly `length` characters, unique when length >= 32 ([0-9a-fx] only)."""
    return (uuid.uuid4().hex + "x" * length)[:length]


class Context:
    """What an operation needs, made on first use: a signed-in user and an article of theirs."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self._account: Account | None = None
        self._article: dict[str, Any] | None = None

    @property
    def account(self) -> Account:
        if self._account is None:
            self._account = self.api.register()
        return self._account

    @property
    def article(self) -> dict[str, Any]:
        if self._article is None:
            self._article = self.api.create_article(self.account)
        return self._article


@pytest.fixture
def ctx(api: Api) -> Context:
    return Context(api)


@dataclass(frozen=True)
class Endpoint:
    """An operation with a JSON body: its wrapper, its string fields in the spec's order."""

    name: str
    method: str
    path: str
    wrapper: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    authenticated: bool
    success: int
    answer: str
    valid: Callable[[Context], dict[str, Any]]

    def send(self, ctx: Context, body: Any) -> httpx.Response:
        path = self.path.format(slug=ctx.article["slug"]) if "{slug}" in self.path else self.path
        user = ctx.account if self.authenticated else None
        return ctx.api.request(self.method, path, user=user, json=body)

    def send_fields(self, ctx: Context, **fields: Any) -> httpx.Response:
        """Send the endpoint's valid fields with some replaced (or added)."""
        return self.send(ctx, {self.wrapper: {**self.valid(ctx), **fields}})


def _new_user(_ctx: Context) -> dict[str, Any]:
    username = unique_name("val")
    return {"username": username, "email": f"{username}@example.com", "password": PASSWORD}


REGISTER = Endpoint(
    "register",
    "POST",
    "/api/users",
    "user",
    ("username", "email", "password"),
    ("username", "email", "password"),
    authenticated=False,
    success=201,
    answer="user",
    valid=_new_user,
)
LOGIN = Endpoint(
    "login",
    "POST",
    "/api/users/login",
    "user",
    ("email", "password"),
    ("email", "password"),
    authenticated=False,
    success=200,
    answer="user",
    valid=lambda ctx: {"email": ctx.account.email, "password": ctx.account.password},
)
UPDATE_USER = Endpoint(
    "update-user",
    "PUT",
    "/api/user",
    "user",
    ("email", "password", "username", "bio", "image"),
    (),
    authenticated=True,
    success=200,
    answer="user",
    valid=lambda ctx: {"bio": "A valid bio"},
)
CREATE_ARTICLE = Endpoint(
    "create-article",
    "POST",
    "/api/articles",
    "article",
    ("title", "description", "body"),
    ("title", "description", "body"),
    authenticated=True,
    success=201,
    answer="article",
    valid=lambda ctx: {"title": unique_name("Valid "), "description": "d", "body": "b"},
)
UPDATE_ARTICLE = Endpoint(
    "update-article",
    "PUT",
    "/api/articles/{slug}",
    "article",
    ("title", "description", "body"),
    (),
    authenticated=True,
    success=200,
    answer="article",
    valid=lambda ctx: {"title": unique_name("Changed ")},
)
ADD_COMMENT = Endpoint(
    "add-comment",
    "POST",
    "/api/articles/{slug}/comments",
    "comment",
    ("body",),
    ("body",),
    authenticated=True,
    success=200,
    answer="comment",
    valid=lambda ctx: {"body": "A comment"},
)
ENDPOINTS = [REGISTER, LOGIN, UPDATE_USER, CREATE_ARTICLE, UPDATE_ARTICLE, ADD_COMMENT]
BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}


def assert_422(response: httpx.Response, *messages: str) -> None:
    assert response.status_code == 422, response.text
    assert errors_of(response) == list(messages)


# R4: strict types

STRING_FIELDS = [
    pytest.param(endpoint, field, id=f"{endpoint.name}-{field}")
    for endpoint in ENDPOINTS
    for field in endpoint.fields
]
NOT_STRINGS = [
    pytest.param(0, id="zero"),
    pytest.param(1.5, id="float"),
    pytest.param(False, id="false"),
    pytest.param(["text"], id="list"),
    pytest.param({"text": "x"}, id="object"),
]


@pytest.mark.parametrize("value", NOT_STRINGS)
@pytest.mark.parametrize(("endpoint", "field"), STRING_FIELDS)
def test_a_non_string_where_a_string_is_expected_is_422_must_be_a_string(
    ctx: Context, endpoint: Endpoint, field: str, value: Any
) -> None:
    response = endpoint.send_fields(ctx, **{field: value})
    assert_422(response, f"{field} must be a string")


REQUIRED_FIELDS = [
    pytest.param(endpoint, field, id=f"{endpoint.name}-{field}")
    for endpoint in ENDPOINTS
    for field in endpoint.required
]


@pytest.mark.parametrize(("endpoint", "field"), REQUIRED_FIELDS)
def test_a_missing_required_field_is_422_cant_be_blank(
    ctx: Context, endpoint: Endpoint, field: str
) -> None:
    fields = endpoint.valid(ctx)
    del fields[field]
    assert_422(endpoint.send(ctx, {endpoint.wrapper: fields}), f"{field} can't be blank")


NON_NULLABLE_FIELDS = [
    pytest.param(endpoint, field, id=f"{endpoint.name}-{field}")
    for endpoint in ENDPOINTS
    for field in endpoint.fields
    if field not in ("bio", "image")
]


@pytest.mark.parametrize(("endpoint", "field"), NON_NULLABLE_FIELDS)
def test_null_for_a_text_field_is_422_cant_be_blank(
    ctx: Context, endpoint: Endpoint, field: str
) -> None:
    assert_422(endpoint.send_fields(ctx, **{field: None}), f"{field} can't be blank")


@pytest.mark.parametrize(
    "tag_list",
    [
        pytest.param("dragons", id="string"),
        pytest.param(7, id="number"),
        pytest.param(None, id="null"),
        pytest.param(True, id="bool"),
        pytest.param({"dragons": True}, id="object"),
        pytest.param(["dragons", 7], id="number-item"),
        pytest.param(["dragons", None], id="null-item"),
        pytest.param([True], id="bool-item"),
        pytest.param([["dragons"]], id="list-item"),
        pytest.param([{"name": "dragons"}], id="object-item"),
        pytest.param([1, None, True, ["x"]], id="several-bad-items-one-message"),
    ],
)
def test_tag_list_that_is_not_an_array_of_strings_is_422(ctx: Context, tag_list: Any) -> None:
    response = CREATE_ARTICLE.send_fields(ctx, tagList=tag_list)
    assert_422(response, "tagList must be an array of strings")


def test_tag_list_may_be_omitted_or_empty(ctx: Context) -> None:
    omitted = CREATE_ARTICLE.send_fields(ctx)
    assert omitted.status_code == 201
    assert omitted.json()["article"]["tagList"] == []
    empty = CREATE_ARTICLE.send_fields(ctx, tagList=[])
    assert empty.status_code == 201
    assert empty.json()["article"]["tagList"] == []


WRAPPER_CASES: list[tuple[str, Callable[[str, dict[str, Any]], Any], str]] = [
    ("missing", lambda wrapper, fields: {}, "{} can't be blank"),
    ("null", lambda wrapper, fields: {wrapper: None}, "{} can't be blank"),
    ("fields-at-top-level", lambda wrapper, fields: fields, "{} can't be blank"),
    ("misnamed", lambda wrapper, fields: {wrapper + "s": fields}, "{} can't be blank"),
    ("string", lambda wrapper, fields: {wrapper: "text"}, "{} must be an object"),
    ("number", lambda wrapper, fields: {wrapper: 1}, "{} must be an object"),
    ("bool", lambda wrapper, fields: {wrapper: True}, "{} must be an object"),
    ("empty-list", lambda wrapper, fields: {wrapper: []}, "{} must be an object"),
    ("list-of-object", lambda wrapper, fields: {wrapper: [fields]}, "{} must be an object"),
]


@pytest.mark.parametrize(
    ("make_body", "message"),
    [pytest.param(make, message, id=name) for name, make, message in WRAPPER_CASES],
)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
def test_a_missing_or_malformed_wrapper_is_422(
    ctx: Context,
    endpoint: Endpoint,
    make_body: Callable[[str, dict[str, Any]], Any],
    message: str,
) -> None:
    body = make_body(endpoint.wrapper, endpoint.valid(ctx))
    assert_422(endpoint.send(ctx, body), message.format(endpoint.wrapper))


# E2: several problems at once, in the spec's field order whatever the order sent

MULTI_ERROR_CASES: list[tuple[str, Endpoint, dict[str, Any], list[str]]] = [
    (
        "register-types-sent-in-reverse",
        REGISTER,
        {"password": 1, "email": True, "username": ["me"]},
        ["username must be a string", "email must be a string", "password must be a string"],
    ),
    (
        "register-all-missing",
        REGISTER,
        {},
        ["username can't be blank", "email can't be blank", "password can't be blank"],
    ),
    (
        "register-missing-null-and-type",
        REGISTER,
        {"password": None, "email": 5},
        ["username can't be blank", "email must be a string", "password can't be blank"],
    ),
    (
        "register-type-errors-before-text-rules",
        REGISTER,
        {"password": "short", "email": 5, "username": "bad name"},
        ["email must be a string"],
    ),
    (
        "register-all-blank",
        REGISTER,
        {"password": "", "email": "  ", "username": "\t"},
        ["username can't be blank", "email can't be blank", "password can't be blank"],
    ),
    (
        "register-all-invalid",
        REGISTER,
        {"password": "short", "email": "no-at-sign", "username": "bad name"},
        [USERNAME_CHARSET, "email is invalid", "password is too short (minimum is 8 characters)"],
    ),
    (
        "register-too-long",
        REGISTER,
        {"password": "p" * 129, "email": "long@example.com", "username": "u" * 41},
        [
            "username is too long (maximum is 40 characters)",
            "password is too long (maximum is 128 characters)",
        ],
    ),
    (
        "login-types-sent-in-reverse",
        LOGIN,
        {"password": [], "email": {}},
        ["email must be a string", "password must be a string"],
    ),
    (
        "login-all-missing",
        LOGIN,
        {},
        ["email can't be blank", "password can't be blank"],
    ),
    (
        "update-user-types-sent-in-reverse",
        UPDATE_USER,
        {"image": 1, "bio": 2, "username": 3, "password": 4, "email": 5},
        [
            "email must be a string",
            "password must be a string",
            "username must be a string",
            "bio must be a string",
            "image must be a string",
        ],
    ),
    (
        "update-user-nulls-sent-in-reverse",
        UPDATE_USER,
        {"username": None, "password": None, "email": None},
        ["email can't be blank", "password can't be blank", "username can't be blank"],
    ),
    (
        "update-user-all-invalid-sent-in-reverse",
        UPDATE_USER,
        {
            "image": "i" * 2049,
            "bio": "b" * 1001,
            "username": "bad name",
            "password": "short",
            "email": "no-at-sign",
        },
        [
            "email is invalid",
            "password is too short (minimum is 8 characters)",
            USERNAME_CHARSET,
            "bio is too long (maximum is 1000 characters)",
            "image is too long (maximum is 2048 characters)",
        ],
    ),
    (
        "create-article-types-sent-in-reverse",
        CREATE_ARTICLE,
        {"tagList": "tag", "body": 1, "description": False, "title": {}},
        [
            "title must be a string",
            "description must be a string",
            "body must be a string",
            "tagList must be an array of strings",
        ],
    ),
    (
        "create-article-all-missing",
        CREATE_ARTICLE,
        {},
        ["title can't be blank", "description can't be blank", "body can't be blank"],
    ),
    (
        "create-article-blank-and-too-long",
        CREATE_ARTICLE,
        {
            "tagList": [f"tag{number}" for number in range(11)],
            "body": " \n ",
            "description": "d" * 501,
            "title": "",
        },
        [
            "title can't be blank",
            "description is too long (maximum is 500 characters)",
            "body can't be blank",
            "tagList is too long (maximum is 10 tags)",
        ],
    ),
    (
        "create-article-too-long",
        CREATE_ARTICLE,
        {"tagList": ["t" * 51], "body": "b" * 100_001, "description": "d", "title": "t" * 201},
        [
            "title is too long (maximum is 200 characters)",
            "body is too long (maximum is 100000 characters)",
            "tag is too long (maximum is 50 characters)",
        ],
    ),
    (
        "update-article-types-sent-in-reverse",
        UPDATE_ARTICLE,
        {"body": 1, "description": [], "title": True},
        ["title must be a string", "description must be a string", "body must be a string"],
    ),
    (
        "update-article-nulls-sent-in-reverse",
        UPDATE_ARTICLE,
        {"body": None, "description": None, "title": None},
        ["title can't be blank", "description can't be blank", "body can't be blank"],
    ),
    (
        "update-article-blank-and-too-long",
        UPDATE_ARTICLE,
        {"body": "", "description": " ", "title": "t" * 201},
        [
            "title is too long (maximum is 200 characters)",
            "description can't be blank",
            "body can't be blank",
        ],
    ),
]


@pytest.mark.parametrize(
    ("endpoint", "fields", "messages"),
    [pytest.param(e, f, m, id=name) for name, e, f, m in MULTI_ERROR_CASES],
)
def test_several_problems_are_listed_in_the_specs_field_order(
    ctx: Context, endpoint: Endpoint, fields: dict[str, Any], messages: list[str]
) -> None:
    assert_422(endpoint.send(ctx, {endpoint.wrapper: fields}), *messages)


# R8: text rules

BLANKABLE_FIELDS = [
    pytest.param(endpoint, field, id=f"{endpoint.name}-{field}")
    for endpoint in ENDPOINTS
    for field in endpoint.fields
    if endpoint is not LOGIN and field not in ("bio", "image", "password")
]


@pytest.mark.parametrize("value", ["", " ", " \t\n "], ids=["empty", "space", "whitespace"])
@pytest.mark.parametrize(("endpoint", "field"), BLANKABLE_FIELDS)
def test_a_blank_or_whitespace_text_is_422_cant_be_blank(
    ctx: Context, endpoint: Endpoint, field: str, value: str
) -> None:
    assert_422(endpoint.send_fields(ctx, **{field: value}), f"{field} can't be blank")


@pytest.mark.parametrize("endpoint", [REGISTER, UPDATE_USER], ids=["register", "update-user"])
def test_an_empty_password_is_422_cant_be_blank(ctx: Context, endpoint: Endpoint) -> None:
    assert_422(endpoint.send_fields(ctx, password=""), "password can't be blank")


LENGTH_LIMITS = [
    (REGISTER, "username", 40),
    (UPDATE_USER, "username", 40),
    (UPDATE_USER, "bio", 1000),
    (UPDATE_USER, "image", 2048),
    (CREATE_ARTICLE, "title", 200),
    (CREATE_ARTICLE, "description", 500),
    (CREATE_ARTICLE, "body", 100_000),
    (UPDATE_ARTICLE, "title", 200),
    (UPDATE_ARTICLE, "description", 500),
    (UPDATE_ARTICLE, "body", 100_000),
    (ADD_COMMENT, "body", 10_000),
]


@pytest.mark.parametrize(
    ("endpoint", "field", "maximum"),
    [pytest.param(e, f, m, id=f"{e.name}-{f}-{m}") for e, f, m in LENGTH_LIMITS],
)
def test_a_text_of_the_maximum_length_is_accepted(
    ctx: Context, endpoint: Endpoint, field: str, maximum: int
) -> None:
    value = unique_text(maximum)
    response = endpoint.send_fields(ctx, **{field: value})
    assert response.status_code == endpoint.success, response.text
    assert response.json()[endpoint.answer][field] == value


@pytest.mark.parametrize(
    ("endpoint", "field", "maximum"),
    [pytest.param(e, f, m, id=f"{e.name}-{f}-{m + 1}") for e, f, m in LENGTH_LIMITS],
)
def test_a_text_one_past_the_maximum_length_is_422(
    ctx: Context, endpoint: Endpoint, field: str, maximum: int
) -> None:
    response = endpoint.send_fields(ctx, **{field: unique_text(maximum + 1)})
    assert_422(response, f"{field} is too long (maximum is {maximum} characters)")


@pytest.mark.parametrize(
    ("length", "message"),
    [
        pytest.param(7, "password is too short (minimum is 8 characters)", id="7"),
        pytest.param(129, "password is too long (maximum is 128 characters)", id="129"),
    ],
)
@pytest.mark.parametrize("endpoint", [REGISTER, UPDATE_USER], ids=["register", "update-user"])
def test_a_password_outside_8_to_128_characters_is_422(
    ctx: Context, endpoint: Endpoint, length: int, message: str
) -> None:
    assert_422(endpoint.send_fields(ctx, password="p" * length), message)


@pytest.mark.parametrize("length", [8, 128])
def test_a_password_of_8_or_128_characters_is_accepted_and_logs_in(api: Api, length: int) -> None:
    password = "p" * length
    account = api.register(password=password)
    login = api.post(
        "/api/users/login", json={"user": {"email": account.email, "password": password}}
    )
    assert login.status_code == 200
    assert login.json()["user"]["username"] == account.username


@pytest.mark.parametrize("length", [8, 128])
def test_changing_to_a_password_of_8_or_128_characters_is_accepted(api: Api, length: int) -> None:
    account = api.register()
    password = "q" * length
    response = api.put("/api/user", user=account, json={"user": {"password": password}})
    assert response.status_code == 200
    login = api.post(
        "/api/users/login", json={"user": {"email": account.email, "password": password}}
    )
    assert login.status_code == 200


@pytest.mark.parametrize(
    "make_username",
    [
        pytest.param(lambda name: f"{name} x", id="space"),
        pytest.param(lambda name: f" {name}", id="leading-space"),
        pytest.param(lambda name: f"{name}!", id="bang"),
        pytest.param(lambda name: f"{name}@x", id="at"),
        pytest.param(lambda name: f"{name}/x", id="slash"),
        pytest.param(lambda name: f"{name}+x", id="plus"),
        pytest.param(lambda name: f"{name}é", id="accented"),
        pytest.param(lambda name: f"名{name}", id="cjk"),
    ],
)
@pytest.mark.parametrize("endpoint", [REGISTER, UPDATE_USER], ids=["register", "update-user"])
def test_a_username_outside_letters_digits_dot_underscore_hyphen_is_422(
    ctx: Context, endpoint: Endpoint, make_username: Callable[[str], str]
) -> None:
    response = endpoint.send_fields(ctx, username=make_username(unique_name("u")))
    assert_422(response, USERNAME_CHARSET)


@pytest.mark.parametrize("endpoint", [REGISTER, UPDATE_USER], ids=["register", "update-user"])
def test_a_username_of_every_allowed_character_class_is_accepted(
    ctx: Context, endpoint: Endpoint
) -> None:
    username = f"Ab.9_-{uuid.uuid4().hex[:8]}"
    response = endpoint.send_fields(ctx, username=username)
    assert response.status_code == endpoint.success
    assert response.json()["user"]["username"] == username


INVALID_EMAILS = [
    pytest.param("plainaddress", id="no-at"),
    pytest.param("user.example.com", id="dot-no-at"),
    pytest.param("user@localhost", id="no-dot-in-domain"),
    pytest.param("user@@example.com", id="double-at"),
    pytest.param("us@er@example.com", id="two-ats"),
    pytest.param("@example.com", id="no-local-part"),
    pytest.param("user name@example.com", id="space"),
]


@pytest.mark.parametrize("email", INVALID_EMAILS)
@pytest.mark.parametrize("endpoint", [REGISTER, UPDATE_USER], ids=["register", "update-user"])
def test_an_email_without_one_at_and_a_dot_in_the_domain_is_422(
    ctx: Context, endpoint: Endpoint, email: str
) -> None:
    assert_422(endpoint.send_fields(ctx, email=email), "email is invalid")


@pytest.mark.parametrize("endpoint", [REGISTER, UPDATE_USER], ids=["register", "update-user"])
def test_an_unusual_but_valid_email_is_accepted_lower_cased(
    ctx: Context, endpoint: Endpoint
) -> None:
    email = f"First.Last+{uuid.uuid4().hex[:8]}@Mail.Example.CO.UK"
    response = endpoint.send_fields(ctx, email=email)
    assert response.status_code == endpoint.success
    assert response.json()["user"]["email"] == email.lower()


@pytest.mark.parametrize("endpoint", [CREATE_ARTICLE], ids=["create-article"])
def test_ten_tags_of_50_characters_are_accepted(ctx: Context, endpoint: Endpoint) -> None:
    tags = sorted(f"{number}" + "t" * 49 for number in range(10))
    response = endpoint.send_fields(ctx, tagList=tags)
    assert response.status_code == endpoint.success
    assert response.json()["article"]["tagList"] == tags


def test_eleven_tags_are_422(ctx: Context) -> None:
    response = CREATE_ARTICLE.send_fields(ctx, tagList=[f"tag{number}" for number in range(11)])
    assert_422(response, "tagList is too long (maximum is 10 tags)")


def test_a_tag_of_51_characters_is_422(ctx: Context) -> None:
    response = CREATE_ARTICLE.send_fields(ctx, tagList=["ok", "t" * 51])
    assert_422(response, "tag is too long (maximum is 50 characters)")


# E7: taken email and username


def test_register_with_a_taken_email_is_422_and_nothing_is_stored(ctx: Context) -> None:
    taken = ctx.account
    username = unique_name("late")
    response = REGISTER.send_fields(ctx, username=username, email=taken.email)
    assert_422(response, "email has already been taken")
    assert ctx.api.get(f"/api/profiles/{username}").status_code == 404


def test_update_to_a_taken_username_is_422(ctx: Context) -> None:
    other = ctx.api.register()
    response = UPDATE_USER.send_fields(ctx, username=other.username)
    assert_422(response, "username has already been taken")


# R5: unknown fields are ignored at every level


def test_register_ignores_unknown_fields(api: Api) -> None:
    username = unique_name("extra")
    response = api.post(
        "/api/users",
        json={
            "user": {
                "username": username,
                "email": f"{username}@example.com",
                "password": PASSWORD,
                "bio": "not a registration field",
                "image": "https://example.com/nope.png",
                "token": "chosen-by-client",
                "id": 1,
                "admin": True,
            },
            "extra": {"nested": [1, 2, 3]},
        },
    )
    assert response.status_code == 201
    user = response.json()["user"]
    assert user == {
        "email": f"{username}@example.com",
        "token": user["token"],
        "username": username,
        "bio": None,
        "image": None,
    }
    assert user["token"] != "chosen-by-client"


def test_login_ignores_unknown_fields(ctx: Context) -> None:
    response = LOGIN.send(
        ctx,
        {"user": {**LOGIN.valid(ctx), "username": 12, "remember": True}, "extra": None},
    )
    assert response.status_code == 200
    assert response.json()["user"]["username"] == ctx.account.username


def test_update_user_ignores_unknown_fields(ctx: Context) -> None:
    response = UPDATE_USER.send(
        ctx,
        {
            "user": {"bio": "kept", "token": "forged", "following": "yes", "id": 99},
            "profile": {"bio": "ignored"},
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "email": ctx.account.email,
            "token": ctx.account.token,
            "username": ctx.account.username,
            "bio": "kept",
            "image": None,
        }
    }


def test_create_article_ignores_unknown_fields(ctx: Context) -> None:
    title = unique_name("Ignored Extras ")
    response = CREATE_ARTICLE.send(
        ctx,
        {
            "article": {
                "title": title,
                "description": "d",
                "body": "b",
                "slug": "chosen-by-client",
                "favorited": True,
                "favoritesCount": 99,
                "author": {"username": "someone-else"},
                "createdAt": 5,
                "tag_list": ["snake-case-is-not-tagList"],
            },
            "tagList": ["outside-the-wrapper"],
        },
    )
    assert response.status_code == 201
    article = response.json()["article"]
    assert article["slug"] == title.lower().replace(" ", "-")
    assert article["tagList"] == []
    assert article["favorited"] is False
    assert article["favoritesCount"] == 0
    assert article["author"] == {
        "username": ctx.account.username,
        "bio": None,
        "image": None,
        "following": False,
    }


def test_update_article_ignores_unknown_fields(ctx: Context) -> None:
    original = ctx.article
    response = UPDATE_ARTICLE.send(
        ctx,
        {
            "article": {"description": "new", "slug": 12, "author": "x", "favoritesCount": 9},
            "comment": {"body": 1},
        },
    )
    assert response.status_code == 200
    article = response.json()["article"]
    assert article["slug"] == original["slug"]
    assert article["description"] == "new"
    assert article["title"] == original["title"]
    assert article["favoritesCount"] == 0


def test_add_comment_ignores_unknown_fields(ctx: Context) -> None:
    response = ADD_COMMENT.send(
        ctx,
        {"comment": {"body": "Hello", "id": "abc", "author": 1}, "article": {"title": 5}},
    )
    assert response.status_code == 200
    comment = response.json()["comment"]
    assert comment["body"] == "Hello"
    assert isinstance(comment["id"], int)
    assert comment["author"]["username"] == ctx.account.username


# A refused request stores nothing


def test_a_refused_registration_leaves_the_username_and_email_free(api: Api) -> None:
    username = unique_name("retry")
    email = f"{username}@example.com"
    refused = api.post(
        "/api/users", json={"user": {"username": username, "email": email, "password": "short"}}
    )
    assert_422(refused, "password is too short (minimum is 8 characters)")
    assert api.get(f"/api/profiles/{username}").status_code == 404
    account = api.register(username, email=email)
    assert account.username == username


def test_a_refused_update_changes_nothing_not_even_the_valid_fields(ctx: Context) -> None:
    account = ctx.account
    other = ctx.api.register()
    attempts = [
        {"bio": "changed", "password": "a-new-valid-password", "username": "bad name"},
        {"bio": "changed", "image": "https://x.io/i.png", "email": "no-at-sign"},
        {"bio": "changed", "password": "a-new-valid-password", "username": other.username},
        {"bio": "changed", "email": other.email},
    ]
    for fields in attempts:
        response = UPDATE_USER.send(ctx, {"user": fields})
        assert response.status_code == 422, fields
    assert ctx.api.get("/api/user", user=account).json() == {
        "user": {
            "email": account.email,
            "token": account.token,
            "username": account.username,
            "bio": None,
            "image": None,
        }
    }
    old_password = ctx.api.post(
        "/api/users/login", json={"user": {"email": account.email, "password": account.password}}
    )
    assert old_password.status_code == 200


def test_a_refused_article_is_not_created(ctx: Context) -> None:
    response = CREATE_ARTICLE.send(
        ctx, {"article": {"title": "Never Stored", "description": "d", "body": "b" * 100_001}}
    )
    assert response.status_code == 422
    listed = ctx.api.get(f"/api/articles?author={ctx.account.username}")
    assert listed.json() == {"articles": [], "articlesCount": 0}


def test_a_refused_article_update_changes_nothing(ctx: Context) -> None:
    original = ctx.article
    response = UPDATE_ARTICLE.send(
        ctx, {"article": {"title": "Not Applied", "description": "Nor this", "body": " "}}
    )
    assert_422(response, "body can't be blank")
    current = ctx.api.get(f"/api/articles/{original['slug']}")
    assert current.status_code == 200
    assert current.json() == {"article": original}


def test_a_refused_comment_is_not_added(ctx: Context) -> None:
    response = ADD_COMMENT.send(ctx, {"comment": {"body": "c" * 10_001}})
    assert response.status_code == 422
    comments = ctx.api.get(f"/api/articles/{ctx.article['slug']}/comments")
    assert comments.json() == {"comments": []}
