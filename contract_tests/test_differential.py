"""Differential parity: the same request to Flask and FastAPI gets the same answer.

Requests come from the OpenAPI spec through schemathesis (valid and invalid ones: positive and
negative generation), aimed now and then at data that exists (seeded slugs, usernames, comment
ids, a seeded user's token, or a bad one), and now and then given one raw change the spec
cannot express (a slash, a method, other scripts' digits, a content type, BOM/UTF-16 bytes...).
Each is sent to both apps after `twins.reset()` and compared with `twins.compare` (twins.py).
Then hand-written edge requests that frameworks out of the box answer differently, and the
exact requests `make fuzz` found diverging.

Bounded for CI: CONDUIT_FUZZ_EXAMPLES examples per operation (default 15), derandomized unless
CONDUIT_FUZZ_RANDOM or CONDUIT_FUZZ_SEED is set; `make fuzz` (scripts/fuzz.py) runs many more.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core import NotSet

from contract_tests.support import PASSWORD
from contract_tests.twins import Twins
from contract_tests.twins import fuzz_seed
from contract_tests.twins import fuzz_settings_kwargs
from contract_tests.twins import json_bytes
from contract_tests.twins import load_spec
from contract_tests.twins import path_segment
from contract_tests.twins import query_string
from contract_tests.twins import spec_base_path
from contract_tests.twins import twins_fixture  # noqa: F401  (the `twins` fixture)

SPEC = load_spec()
SCHEMA = schemathesis.openapi.from_dict(SPEC)
BASE_PATH = spec_base_path(SPEC)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Dropped from generated requests: noise that differs per run, or that our tests set.
NOISY_HEADERS = {"x-schemathesis-testcaseid", "user-agent", "authorization", "content-type"}

UNKNOWN_USERNAMES = ["nobody", "Alice", "alice ", "ünïcödé", ".", "%"]
UNKNOWN_SLUGS = ["no-such-article", "HOW-TO-TRAIN-YOUR-DRAGON", "how-to-train-your-dragon-3"]
# How a request authenticates: the generated header, none, a seeded user's own token, or junk.
AUTH_CHOICES = ("user",) * 6 + ("generated", "none", "garbage", "bearer", "expired", "ghost")


def _negatable(operation: Any) -> bool:
    """Negative generation needs something that can be invalid: a body, a query, a header or
    a non-string path parameter (a string path parameter is valid whatever it holds)."""
    if list(operation.body):
        return True
    return any(
        parameter.location.value != "path"
        or parameter.definition.get("schema", {}).get("type") != "string"
        for parameter in operation.iter_parameters()
    )


def _strategy(operation: Any) -> st.SearchStrategy[Any]:
    positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    if not _negatable(operation):
        return positive
    return st.one_of(positive, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))


STRATEGIES = {operation.label: _strategy(operation) for operation in OPERATIONS}


# Bodies that reach deeper than random ones usually do (valid users, known credentials).
USERNAMES = st.from_regex(r"[A-Za-z0-9_.\-]{1,40}", fullmatch=True)
EMAILS = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-zA-Z0-9.+_\-]{1,12}", fullmatch=True),
    st.from_regex(r"[a-z0-9\-]{1,10}", fullmatch=True),
    st.sampled_from(["com", "org", "io"]),
)
PASSWORDS = st.sampled_from([PASSWORD, PASSWORD, "", "short", "x" * 129]) | st.text(max_size=20)


def _operation_id(operation: Any) -> str:
    return str(operation.definition.raw.get("operationId", operation.label))


def _body_hints(operation_id: str, twins: Twins) -> st.SearchStrategy[Any] | None:
    seed = twins.seed
    known_emails = st.sampled_from([user.email for user in seed.users] + ["ALICE@example.com"])
    if operation_id == "Login":
        return st.fixed_dictionaries(
            {"user": st.fixed_dictionaries({"email": known_emails, "password": PASSWORDS})}
        )
    if operation_id == "CreateUser":
        user = st.fixed_dictionaries(
            {
                "username": st.one_of(USERNAMES, st.sampled_from([*UNKNOWN_USERNAMES, "bob"])),
                "email": st.one_of(EMAILS, known_emails),
                "password": PASSWORDS,
            }
        )
        return st.fixed_dictionaries({"user": user})
    if operation_id == "UpdateCurrentUser":
        changes = st.fixed_dictionaries(
            {},
            optional={
                "username": st.one_of(USERNAMES, st.sampled_from(["bob", "alice", None])),
                "email": st.one_of(EMAILS, known_emails, st.none()),
                "password": st.one_of(PASSWORDS, st.none()),
                "bio": st.one_of(st.text(max_size=20), st.none()),
                "image": st.one_of(st.text(max_size=20), st.none()),
            },
        )
        return st.fixed_dictionaries({"user": changes})
    if operation_id in ("CreateArticle", "UpdateArticle"):
        tags = st.lists(st.one_of(st.sampled_from(seed.tags), st.text(max_size=12)), max_size=12)
        optional = {
            "title": st.one_of(st.text(max_size=30), st.sampled_from(["How to train your dragon"])),
            "description": st.text(max_size=30),
            "body": st.text(max_size=30),
            "tagList": tags,
        }
        return st.fixed_dictionaries({"article": st.fixed_dictionaries({}, optional=optional)})
    return None


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    user: Any = None

    def send(self, twins: Twins) -> Any:
        return twins.send(
            self.method, self.path, headers=self.headers, content=self.content, user=self.user
        )


def _ascii_headers(headers: dict[str, Any]) -> dict[str, str]:
    kept = {}
    for name, value in headers.items():
        text = str(value)
        if name.lower() in NOISY_HEADERS or not (name + text).isascii():
            continue
        kept[name] = text
    return kept


def _draw_request(data: Any, operation: Any, twins: Twins) -> Request:
    """A generated case, sometimes aimed at seeded data and given a real token."""
    seed = twins.seed
    case = data.draw(STRATEGIES[operation.label], label="case")
    parameters = dict(case.path_parameters or {})
    id_name = next((name for name in ("comment_id", "id") if name in parameters), None)
    if id_name and data.draw(st.booleans(), label="aim at a seeded comment"):
        slug, comment_id, author = data.draw(st.sampled_from(seed.comments), label="comment")
        parameters.update({"slug": slug, id_name: comment_id})
        as_author = data.draw(st.booleans(), label="as its author")
        user = seed.user(author) if as_author else data.draw(st.sampled_from(seed.users))
    else:
        if "slug" in parameters:
            parameters["slug"] = data.draw(
                st.sampled_from(seed.slugs + UNKNOWN_SLUGS) | st.just(parameters["slug"]),
                label="slug",
            )
        if id_name:
            ids = [comment_id for _, comment_id, _ in seed.comments] + [0, 99]
            parameters[id_name] = data.draw(
                st.sampled_from(ids) | st.just(parameters[id_name]), label=id_name
            )
        user = data.draw(st.sampled_from(seed.users), label="as")
    if "username" in parameters:
        usernames = [known.username for known in seed.users] + UNKNOWN_USERNAMES
        parameters["username"] = data.draw(
            st.sampled_from(usernames) | st.just(parameters["username"]), label="username"
        )
    path = BASE_PATH + operation.path
    for name, value in parameters.items():
        path = path.replace("{" + name + "}", path_segment(value))

    query = dict(case.query or {})
    for name, known in (
        ("tag", [*seed.tags, "TRAINING", " two   words "]),
        ("author", [user.username for user in seed.users]),
        ("favorited", [user.username for user in seed.users]),
    ):
        wanted = name in query or (
            _operation_id(operation) == "GetArticles"
            and data.draw(st.booleans(), label=f"add {name}")
        )
        if wanted:
            query[name] = data.draw(
                st.sampled_from(known) | st.just(query.get(name, "")), label=name
            )
    query = {name: value for name, value in query.items() if value is not None}
    if query:
        path += "?" + query_string(query)

    headers = _ascii_headers(dict(case.headers or {}))
    request = Request(case.method.upper(), path, headers)
    generated_auth = (case.headers or {}).get("Authorization")
    auth = data.draw(st.sampled_from(AUTH_CHOICES), label="auth")
    if auth == "generated" and generated_auth is not None and str(generated_auth).isascii():
        request.headers["Authorization"] = str(generated_auth)
    elif auth == "user":
        request.user = user
    elif auth == "garbage":
        request.headers["Authorization"] = "Token not-a-jwt"
    elif auth == "bearer":
        request.headers["Authorization"] = f"Bearer {twins.mint_token(user.user_id)}"
    elif auth == "expired":
        expired = twins.mint_token(user.user_id, at=twins.start - timedelta(days=2))
        request.headers["Authorization"] = f"Token {expired}"
    elif auth == "ghost":
        request.headers["Authorization"] = f"Token {twins.mint_token(999)}"

    body = case.body
    hints = _body_hints(_operation_id(operation), twins)
    if hints is not None and data.draw(st.integers(0, 2), label="hinted body") > 0:
        body = data.draw(hints, label="body")
    if isinstance(body, bytes):
        request.content = body
    elif not isinstance(body, NotSet):
        request.content = json_bytes(body)
    if request.content is not None:
        request.headers["Content-Type"] = str(
            (case.headers or {}).get("Content-Type") or case.media_type or "application/json"
        )
    return request


# Raw mutations of a generated request: what the spec cannot express but servers still parse.
DIGITS = {  # other scripts' digits (str.isdigit() and \\d accept them): 0..9 in each
    "arabic-indic": "".join(chr(0x0660 + i) for i in range(10)),
    "devanagari": "".join(chr(0x0966 + i) for i in range(10)),
    "fullwidth": "".join(chr(0xFF10 + i) for i in range(10)),
    "superscript": "\u2070\u00b9\u00b2\u00b3" + "".join(chr(0x2074 + i) for i in range(6)),
}
CONTENT_TYPES = [
    None,
    "application/json; charset=latin-1",
    "application/json;charset=UTF-8",
    "Application/Json",
    "text/json",
    "application/json-patch+json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/json, text/plain",
    "",
]
BODY_BYTES = {
    "bom": lambda body: b"\xef\xbb\xbf" + body,
    "utf-16": lambda body: body.decode("utf-8", "replace").encode("utf-16"),
    "utf-32": lambda body: body.decode("utf-8", "replace").encode("utf-32"),
    "trailing-garbage": lambda body: body + b" x",
    "trailing-newline": lambda body: body + b"\n",
    "leading-whitespace": lambda body: b"\r\n\t " + body,
    "truncated": lambda body: body[: len(body) // 2],
    "nul": lambda body: body + b"\x00",
}


def _mutate(data: Any, request: Request) -> str | None:
    """Now and then, one raw change to a generated request; returns its kind, if any."""
    kind = data.draw(
        st.sampled_from(
            [None] * 8
            + ["slash", "double-slash", "method", "digits", "encoded", "query", "content-type"]
            + ["body-bytes"]
        ),
        label="mutation",
    )
    path, question, query = request.path.partition("?")
    detail = ""
    if kind == "slash":
        path += "/"
    elif kind == "double-slash":
        position = data.draw(st.sampled_from([i for i, c in enumerate(path) if c == "/"]))
        path = path[:position] + "/" + path[position:]
    elif kind == "method":
        request.method = data.draw(
            st.sampled_from(["GET", "HEAD", "OPTIONS", "PATCH", "PUT", "POST", "DELETE"])
        )
    elif kind == "digits":
        detail = data.draw(st.sampled_from(sorted(DIGITS)), label="digits")
        script = DIGITS[detail]
        replaced = "".join(script[int(c)] if c.isascii() and c.isdigit() else c for c in path)
        path = "/".join(path_segment(unquote(segment)) for segment in replaced.split("/"))
    elif kind == "encoded":  # percent-encode one unreserved character, or change the case
        letters = [i for i, c in enumerate(path) if c.isalnum()]
        if letters:
            i = data.draw(st.sampled_from(letters))
            path = (
                path[:i]
                + data.draw(st.sampled_from([f"%{ord(path[i]):02X}", path[i].swapcase()]))
                + path[i + 1 :]
            )
    elif kind == "query":
        extra = data.draw(
            st.sampled_from(
                ["limit=", "limit=1&limit=1", "x=1&x=2", "&", ";", "offset=%D9%A1", "limit=1%00"]
            )
        )
        query = f"{query}&{extra}" if query else extra
        question = "?"
    elif kind == "content-type":
        content_type = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
        request.headers.pop("Content-Type", None)
        if content_type is not None:
            request.headers["Content-Type"] = content_type
    elif kind == "body-bytes":
        detail = data.draw(st.sampled_from(sorted(BODY_BYTES)), label="body bytes")
        request.content = BODY_BYTES[detail](request.content or b"{}")
        request.headers.setdefault("Content-Type", "application/json")
    request.path = path + question + query
    return f"{kind}:{detail}" if kind else None


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
@fuzz_seed
@settings(**fuzz_settings_kwargs(default_examples=15))
@given(data=st.data())
def test_generated_requests_answer_alike(twins: Twins, operation: Any, data: Any) -> None:
    twins.reset()
    request = _draw_request(data, operation, twins)
    twins.hint = _mutate(data, request)
    twins.compare(*request.send(twins))


# Hand-written edges: where out-of-the-box Flask/marshmallow and FastAPI/pydantic disagree.


@dataclass
class Edge:
    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    user: str | None = None  # a seeded user whose own token is sent

    def send(self, twins: Twins) -> Any:
        headers = {
            name: value.format(
                **{user.username: twins.mint_token(user.user_id) for user in twins.seed.users}
            )
            for name, value in self.headers.items()
        }
        content = self.content
        if self.json is not None:
            content = json_bytes(self.json)
        if content is not None and self.content_type is not None:
            headers.setdefault("Content-Type", self.content_type)
        user = twins.seed.user(self.user) if self.user else None
        return twins.send(self.method, self.path, headers=headers, content=content, user=user)


SLUG = "how-to-train-your-dragon"  # alice's, with bob's, carol's and alice's comments 1..3
A = "alice"
NEW_USER = {"username": "dave", "email": "dave@example.com", "password": PASSWORD}
NEW_ARTICLE = {"title": "T", "description": "D", "body": "B"}
REGISTER = "/api/users"


def _register(user: Any, **extra: Any) -> Edge:
    return Edge("POST", REGISTER, json={"user": user, **extra})


def _with(**changes: Any) -> dict[str, Any]:
    return {**NEW_USER, **changes}


def _article(**changes: Any) -> dict[str, Any]:
    return {"article": {**NEW_ARTICLE, **changes}}


EDGES: dict[str, Edge] = {
    # Unknown fields, at every level (R5)
    "unknown-fields": _register(_with(extra=1, nested={"a": None}), also=[1]),
    "unknown-fields-article": Edge("POST", "/api/articles", json=_article(x=1), user=A),
    # Strict string types (R4)
    "username-int": _register(_with(username=1)),
    "username-true": _register(_with(username=True)),
    "username-null": _register(_with(username=None)),
    "username-list": _register(_with(username=[])),
    "username-float": _register(_with(username=1.5)),
    "username-object": _register(_with(username={"a": 1})),
    "username-string-digits": _register(_with(username="1")),
    "all-fields-wrong": _register({"username": 1, "email": True, "password": None}),
    "password-int": _register(_with(password=12345678)),
    "login-email-int": Edge("POST", "/api/users/login", json={"user": {"email": 1}}),
    "login-known": Edge(
        "POST",
        "/api/users/login",
        json={"user": {"email": " ALICE@example.com ", "password": PASSWORD}},
    ),
    "login-wrong-password": Edge(
        "POST",
        "/api/users/login",
        json={"user": {"email": "alice@example.com", "password": "x" * 8}},
    ),
    "tags-string": Edge("POST", "/api/articles", json=_article(tagList="a"), user=A),
    "tags-ints": Edge("POST", "/api/articles", json=_article(tagList=[1, "a", 2]), user=A),
    "tags-nulls": Edge("POST", "/api/articles", json=_article(tagList=[None]), user=A),
    "tags-null": Edge("POST", "/api/articles", json=_article(tagList=None), user=A),
    "tags-nested": Edge("POST", "/api/articles", json=_article(tagList=[[]]), user=A),
    "tags-object": Edge("POST", "/api/articles", json=_article(tagList={"a": 1}), user=A),
    "tags-odd": Edge(
        "POST", "/api/articles", json=_article(tagList=["  Ünï  Cödé ", "ß", "İ", "", " "]), user=A
    ),
    "title-nonascii": Edge(
        "POST", "/api/articles", json=_article(title="日本語のタイトル"), user=A
    ),
    "title-number": Edge("POST", "/api/articles", json=_article(title=1), user=A),
    "article-null": Edge("POST", "/api/articles", json={"article": None}, user=A),
    "article-list": Edge("POST", "/api/articles", json={"article": []}, user=A),
    "article-string": Edge("POST", "/api/articles", json={"article": "x"}, user=A),
    "article-fields-null": Edge(
        "POST", "/api/articles", json={"article": {"title": None, "description": None}}, user=A
    ),
    "update-article-empty": Edge("PUT", f"/api/articles/{SLUG}", json={"article": {}}, user=A),
    "update-article-nulls": Edge(
        "PUT", f"/api/articles/{SLUG}", json={"article": {"title": None, "tagList": None}}, user=A
    ),
    "update-article-tags-only": Edge(
        "PUT", f"/api/articles/{SLUG}", json={"article": {"tagList": ["z", "Z"]}}, user=A
    ),
    "update-article-other-owner": Edge(
        "PUT", f"/api/articles/{SLUG}", json={"article": {"title": "x"}}, user="bob"
    ),
    "update-user-empty": Edge("PUT", "/api/user", json={"user": {}}, user=A),
    "update-user-nulls": Edge(
        "PUT", "/api/user", json={"user": {"bio": None, "image": None}}, user=A
    ),
    "update-user-email-null": Edge("PUT", "/api/user", json={"user": {"email": None}}, user=A),
    "update-user-taken": Edge(
        "PUT", "/api/user", json={"user": {"username": "bob", "email": "BOB@example.com"}}, user=A
    ),
    "comment-body-int": Edge(
        "POST", f"/api/articles/{SLUG}/comments", json={"comment": {"body": 1}}, user=A
    ),
    "comment-nonascii": Edge(
        "POST", f"/api/articles/{SLUG}/comments", json={"comment": {"body": "✓ \U0001d518"}}, user=A
    ),
    # Body shapes and bytes (R1, R2)
    "body-null": Edge("POST", REGISTER, content=b"null"),
    "body-list": Edge("POST", REGISTER, content=b"[]"),
    "body-string": Edge("POST", REGISTER, content=b'"user"'),
    "body-number": Edge("POST", REGISTER, content=b"1"),
    "body-empty-object": Edge("POST", REGISTER, content=b"{}"),
    "body-user-null": Edge("POST", REGISTER, content=b'{"user": null}'),
    "body-empty": Edge("POST", REGISTER, content=b""),
    "body-whitespace": Edge("POST", REGISTER, content=b" \n "),
    "body-bom": Edge("POST", REGISTER, content=b"\xef\xbb\xbf" + json_bytes({"user": NEW_USER})),
    "body-duplicate-keys": Edge(
        "POST",
        "/api/users/login",
        content=b'{"user": {"email": "x@y.z", "email": "alice@example.com", "password": "'
        + PASSWORD.encode()
        + b'"}}',
    ),
    "body-nan": Edge(
        "POST", f"/api/articles/{SLUG}/comments", content=b'{"comment":{"body":NaN}}', user=A
    ),
    "body-huge-number": Edge(
        "POST", f"/api/articles/{SLUG}/comments", content=b'{"comment":{"body":1e999}}', user=A
    ),
    "body-deep-nesting": Edge("POST", REGISTER, content=b"[" * 100_000 + b"]" * 100_000),
    "body-invalid-utf8": Edge("POST", REGISTER, content=b'{"user": {"username": "\xff"}}'),
    "body-utf16": Edge(
        "POST", REGISTER, content=json_bytes({"user": NEW_USER}).decode().encode("utf-16")
    ),
    "body-latin1-charset": Edge(
        "POST",
        REGISTER,
        json={"user": _with(username="dave")},
        content_type="application/json; charset=latin-1",
    ),
    "body-latin1-bytes": Edge(
        "POST",
        f"/api/articles/{SLUG}/comments",
        content='{"comment": {"body": "café"}}'.encode("latin-1"),
        content_type="application/json; charset=latin-1",
        user=A,
    ),
    "body-too-large": Edge("POST", REGISTER, content=b" " * (1024 * 1024 + 1)),
    # Content types (R1)
    "type-upper": Edge("POST", REGISTER, json={"user": NEW_USER}, content_type="application/JSON"),
    "type-text-json": Edge("POST", REGISTER, json={"user": NEW_USER}, content_type="text/json"),
    "type-suffix": Edge(
        "POST", REGISTER, json={"user": NEW_USER}, content_type="application/vnd.api+json"
    ),
    "type-spaces": Edge(
        "POST", REGISTER, json={"user": NEW_USER}, content_type=" application/json ; charset=utf-8"
    ),
    "type-missing": Edge("POST", REGISTER, json={"user": NEW_USER}, content_type=None),
    "type-form": Edge(
        "POST", REGISTER, content=b"username=dave", content_type="application/x-www-form-urlencoded"
    ),
    "type-on-bodyless": Edge(
        "POST", "/api/profiles/bob/follow", content=b"xx", content_type="text/plain", user=A
    ),
    # Query parameters (R6, R7)
    "limit-float": Edge("GET", "/api/articles?limit=1.0"),
    "limit-space": Edge("GET", "/api/articles?limit=%201"),
    "limit-plus": Edge("GET", "/api/articles?limit=+1"),
    "limit-plus-encoded": Edge("GET", "/api/articles?limit=%2B1"),
    "limit-repeated": Edge("GET", "/api/articles?limit=1&limit=2"),
    "limit-arabic-digit": Edge("GET", "/api/articles?limit=%D9%A3"),
    "limit-zero": Edge("GET", "/api/articles?limit=0"),
    "limit-101": Edge("GET", "/api/articles?limit=101"),
    "limit-huge": Edge("GET", "/api/articles?limit=99999999999999999999999"),
    "limit-empty": Edge("GET", "/api/articles?limit="),
    "limit-bare": Edge("GET", "/api/articles?limit"),
    "offset-empty": Edge("GET", "/api/articles?offset="),
    "offset-negative": Edge("GET", "/api/articles?offset=-1"),
    "offset-max": Edge("GET", "/api/articles?offset=9223372036854775807"),
    "offset-over-max": Edge("GET", "/api/articles?offset=9223372036854775808"),
    "offset-leading-zeros": Edge("GET", "/api/articles?offset=0001&limit=002"),
    "both-bad": Edge("GET", "/api/articles?offset=x&limit=y"),
    "feed-limit-bad": Edge("GET", "/api/articles/feed?limit=abc", user="bob"),
    "feed-repeated-unknown": Edge("GET", "/api/articles/feed?x=1&x=2", user="bob"),
    "unknown-param-repeated": Edge("GET", "/api/articles?foo=1&foo=2"),
    "tags-param-repeated": Edge("GET", "/api/tags?x=1&x=2"),
    "tag-repeated": Edge("GET", "/api/articles?tag=a&tag=b"),
    "tag-case": Edge("GET", "/api/articles?tag=TRAINING"),
    "tag-spaces": Edge("GET", "/api/articles?tag=%20two%20%20words%20"),
    "tag-nonascii": Edge("GET", "/api/articles?tag=%C3%84%C3%96%C3%9C"),
    "tag-invalid-utf8": Edge("GET", "/api/articles?tag=%FF"),
    "tag-nul": Edge("GET", "/api/articles?tag=%00"),
    "tag-empty": Edge("GET", "/api/articles?tag="),
    "author-and-favorited": Edge("GET", "/api/articles?author=alice&favorited=bob", user="carol"),
    "semicolon-separator": Edge("GET", "/api/articles?limit=1;offset=1"),
    "empty-name": Edge("GET", "/api/articles?=1&=2"),
    "plus-in-tag": Edge("GET", "/api/articles?tag=two+words"),
    # Paths (H1, E6)
    "trailing-slash": Edge("GET", "/api/articles/"),
    "trailing-slash-user": Edge("GET", "/api/user/", user=A),
    "trailing-slash-slug": Edge("GET", f"/api/articles/{SLUG}/"),
    "double-slash": Edge("GET", "/api//articles"),
    "double-slash-slug": Edge("GET", f"/api/articles//{SLUG}"),
    "slug-encoded-slash": Edge("GET", "/api/articles/a%2Fb"),
    "slug-encoded-slash-comments": Edge("GET", "/api/articles/a%2Fcomments"),
    "slug-encoded-slash-only": Edge("GET", "/api/articles/%2F"),
    "slug-dot-dot": Edge("GET", "/api/articles/%2E%2E"),
    "slug-nonascii": Edge("GET", "/api/articles/%C3%BCn%C3%AFc%C3%B6d%C3%A9"),
    "slug-invalid-utf8": Edge("GET", "/api/articles/%FF"),
    "slug-nul": Edge("GET", "/api/articles/%00"),
    "slug-percent": Edge("GET", "/api/articles/%2525"),
    "slug-space": Edge("GET", "/api/articles/a%20b"),
    "slug-long": Edge("GET", "/api/articles/" + "a" * 5000),
    "slug-very-long": Edge("GET", "/api/articles/" + "a" * 60_000),
    "username-nonascii": Edge("GET", "/api/profiles/%C3%BCn%C3%AFc%C3%B6d%C3%A9"),
    "username-encoded-slash": Edge("GET", "/api/profiles/a%2Fb"),
    "username-case": Edge("GET", "/api/profiles/ALICE"),
    "follow-self": Edge("POST", "/api/profiles/alice/follow", user=A),
    "follow-nonascii": Edge("POST", "/api/profiles/%C3%BCn%C3%AF/follow", user=A),
    "register-nonascii-username": _register(_with(username="ünïcödé")),
    "register-taken-email-case": _register(_with(email="ALICE@EXAMPLE.COM", username="alice")),
    "accept-html-404": Edge("GET", "/api/nowhere", headers={"Accept": "text/html"}),
    "accept-xml-422": Edge("GET", "/api/articles?limit=x", headers={"Accept": "application/xml"}),
    "follow-encoded-slash": Edge("POST", "/api/profiles/a%2Ffollow/follow", user=A),
    # Comment ids (E6: a non-numeric id is an unknown route)
    **{
        f"comment-id-{name}": Edge("DELETE", f"/api/articles/{SLUG}/comments/{raw}", user=A)
        for name, raw in (
            ("3", "3"),
            ("leading-zero", "03"),
            ("minus", "-1"),
            ("plus", "+3"),
            ("plus-encoded", "%2B3"),
            ("exponent", "1e3"),
            ("float", "3.0"),
            ("zero", "0"),
            ("arabic-one", "%D9%A1"),
            ("arabic-three", "%D9%A3"),
            ("fullwidth-three", "%EF%BC%93"),
            ("space", "%203"),
            ("huge", "99999999999999999999999"),
            ("id-max", "9223372036854775807"),
            ("over-id-max", "9223372036854775808"),
            ("hex", "0x3"),
            ("underscore", "1_0"),
            ("empty", ""),
            ("others", "1"),
        )
    },
    "comment-other-article": Edge("DELETE", "/api/articles/empty-tags/comments/3", user=A),
    "comment-unknown-article": Edge("DELETE", "/api/articles/nope/comments/3", user=A),
    # Methods (H2, H3)
    "head-tags": Edge("HEAD", "/api/tags"),
    "head-article": Edge("HEAD", f"/api/articles/{SLUG}"),
    "head-feed-anonymous": Edge("HEAD", "/api/articles/feed"),
    "head-post-only": Edge("HEAD", "/api/users/login"),
    "head-unknown": Edge("HEAD", "/api/nowhere"),
    "options-tags": Edge("OPTIONS", "/api/tags"),
    "options-article": Edge("OPTIONS", f"/api/articles/{SLUG}"),
    "patch-article": Edge("PATCH", f"/api/articles/{SLUG}", json={"article": {}}, user=A),
    "patch-user": Edge("PATCH", "/api/user"),
    "put-comments": Edge("PUT", f"/api/articles/{SLUG}/comments"),
    "get-comment": Edge("GET", f"/api/articles/{SLUG}/comments/1"),
    "trace-tags": Edge("TRACE", "/api/tags"),
    "custom-method": Edge("FOO", "/api/tags"),
    "delete-trailing-slash": Edge("DELETE", f"/api/articles/{SLUG}/", user=A),
    # Authorization headers (E3)
    "auth-lowercase-scheme": Edge("GET", "/api/user", headers={"Authorization": "token {alice}"}),
    "auth-bearer": Edge("GET", "/api/user", headers={"Authorization": "Bearer {alice}"}),
    "auth-double-space": Edge("GET", "/api/user", headers={"Authorization": "Token  {alice}"}),
    "auth-tab": Edge("GET", "/api/user", headers={"Authorization": "Token\t{alice}"}),
    "auth-trailing": Edge("GET", "/api/user", headers={"Authorization": "Token {alice}  "}),
    "auth-extra-word": Edge("GET", "/api/user", headers={"Authorization": "Token {alice} x"}),
    "auth-scheme-only": Edge("GET", "/api/user", headers={"Authorization": "Token"}),
    "auth-empty": Edge("GET", "/api/user", headers={"Authorization": ""}),
    "auth-bare-jwt": Edge("GET", "/api/user", headers={"Authorization": "{alice}"}),
    "auth-on-optional": Edge("GET", "/api/articles", headers={"Authorization": "Token x"}),
    "auth-on-tags": Edge("GET", "/api/tags", headers={"Authorization": "Token x"}),
    "auth-on-login": Edge(
        "POST",
        "/api/users/login",
        json={"user": {"email": "alice@example.com", "password": PASSWORD}},
        headers={"Authorization": "Token x"},
    ),
    "auth-before-404": Edge("GET", "/api/articles/nope", headers={"Authorization": "Token x"}),
    "auth-before-body": Edge("POST", "/api/articles", content=b"{", headers={"Authorization": "x"}),
}


@pytest.mark.parametrize("name", list(EDGES))
def test_edge_requests_answer_alike(twins: Twins, name: str) -> None:
    twins.reset()
    twins.compare(*EDGES[name].send(twins))


# Divergences `make fuzz` found, as the exact (shrunk) requests it recorded. Each fails until
# the apps agree; keep them afterwards, so the divergence stays fixed.


def _utf(encoding: str, value: Any) -> bytes:
    """A JSON body in another Unicode encoding (json.loads(bytes) detects UTF-16 and UTF-32)."""
    return json_bytes(value).decode("utf-8").encode(encoding)


BOM = b"\xef\xbb\xbf"
FOUND_BY_FUZZING: dict[str, Edge] = {
    # JSON in UTF-8 with a BOM, UTF-16 or UTF-32: FastAPI reads it, Flask answers 400 "bad request"
    "bom-login": Edge(
        "POST",
        "/api/users/login",
        content=BOM + json_bytes({"user": {"email": "", "password": ""}}),
    ),
    "bom-register": Edge(
        "POST",
        REGISTER,
        content=BOM
        + json_bytes(
            {"user": {"email": "alice@example.com", "username": "X", "password": "x" * 129}}
        ),
    ),
    "bom-comment": Edge(
        "POST",
        f"/api/articles/{SLUG}/comments",
        content=BOM + json_bytes({"comment": {"body": ""}}),
        user=A,
    ),
    "utf16-comment": Edge(
        "POST",
        f"/api/articles/{SLUG}/comments",
        content=_utf("utf-16", {"comment": {"body": ""}}),
        user=A,
    ),
    "utf32-comment-unknown-article": Edge(
        "POST",
        "/api/articles/%257C%25C2%2583/comments",
        content=_utf("utf-32", {"comment": {"body": "x"}}),
        user=A,
    ),
    "utf32-login": Edge(
        "POST",
        "/api/users/login",
        content=_utf("utf-32", {"user": {"email": "alice@example.com", "password": PASSWORD}}),
    ),
    "utf32-update-user": Edge(
        "PUT", "/api/user", content=_utf("utf-32", {"user": {"username": "XXuaZ_Qz6Jd"}}), user=A
    ),
    # Repeated slashes: Werkzeug merges them (308 to the merged path, or another route's 405)
    "double-slash-links": Edge("GET", f"/api//articles/{SLUG}/links", user=A),
    "double-slash-update": Edge("PUT", f"/api//articles/{SLUG}", json={"article": {}}, user=A),
    "double-slash-comments": Edge("GET", "/api//articles/0/comments"),
    "double-slash-follow": Edge("DELETE", "/api//profiles/./follow", user=A),
    # Non-ASCII digits: Werkzeug's int converter takes them (\d, int()), Starlette's does not
    "arabic-indic-comment-id": Edge(
        "DELETE", f"/api/articles/{SLUG}/comments/%D9%A3%D9%A5%D9%A1%D9%A9", user=A
    ),
    "arabic-indic-own-comment-deleted": Edge(
        "DELETE", f"/api/articles/{SLUG}/comments/%D9%A1", user="bob"
    ),
    "devanagari-comment-id-bad-token": Edge(
        "DELETE",
        f"/api/articles/{SLUG}/comments/%E0%A5%A7",
        headers={"Authorization": "Token not-a-jwt"},
    ),
    "fullwidth-digits-slug-and-id": Edge(
        "DELETE", "/api/articles/%EF%BC%90/comments/%EF%BC%91", user=A
    ),
}


@pytest.mark.parametrize("name", list(FOUND_BY_FUZZING))
def test_divergences_found_by_fuzzing_answer_alike(twins: Twins, name: str) -> None:
    twins.reset()
    twins.compare(*FOUND_BY_FUZZING[name].send(twins))
